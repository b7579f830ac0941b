"""MongoDB implementations of the address book and profile ports: fields of the user's document."""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument

from smartgrocer.adapters.mongo import db


class MongoProfiles:
    def load(self, user_id: str) -> tuple[list[dict], int] | None:
        user = db().users.find_one({"_id": user_id, "is_active": True}, {"addresses": 1, "addresses_rev": 1})
        if user is None:
            return None
        return list(user.get("addresses") or []), int(user.get("addresses_rev") or 0)

    def save(self, user_id: str, expected_rev: int, entries: list[dict], at: datetime) -> bool:
        # A book never written has no `addresses_rev` yet: revision 0.
        current = {"addresses_rev": expected_rev} if expected_rev else {"addresses_rev": {"$exists": False}}
        result = db().users.update_one(
            {"_id": user_id, **current},
            {"$set": {"addresses": entries, "addresses_rev": expected_rev + 1, "updated_at": at}},
        )
        return result.matched_count == 1

    def update_profile(self, user_id: str, changes: dict, at: datetime) -> dict | None:
        return db().users.find_one_and_update(
            {"_id": user_id, "is_active": True},
            {"$set": {**changes, "updated_at": at}},
            return_document=ReturnDocument.AFTER,
        )
