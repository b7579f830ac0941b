"""The sellers' marketplace profiles on MongoDB (`sellers` collection, `_id` = the seller's user id):
the `SellerRepository` of `domain/checkout_ports.py`.

Every write is one conditional single-document operation: `ensure` is an upsert that only inserts
(`$setOnInsert`), so repeating it, or two requests doing it at once, leaves the first document as it
was; an account is stored only over no account or the same one, and a `pending` status never
overwrites an `active` one. Later timestamps are stamped with `$currentDate` (nx-27017 stores a
datetime given to `$set` as a string); the creation writes the given `at` whole, as an insert does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

_STAMP = {"$currentDate": {"updated_at": True, "payouts.updated_at": True}}


class MongoSellers:
    def __init__(self, database: Callable[[], Database]):
        self._db = database  # called per use: tests point the process at another database

    @property
    def _sellers(self):
        return self._db().sellers

    def get(self, seller_id: str) -> dict | None:
        return self._sellers.find_one({"_id": seller_id})

    def many(self, seller_ids: list[str]) -> dict[str, dict]:
        if not seller_ids:
            return {}
        return {doc["_id"]: doc for doc in self._sellers.find({"_id": {"$in": list(seller_ids)}})}

    def ensure(self, seller_id: str, name: str, email: str, at: datetime) -> dict:
        fresh = {
            "name": name,
            "email": email,
            "payouts": {"account_id": None, "status": "none", "updated_at": at},
            "commission_bps": None,
            "created_at": at,
            "updated_at": at,
        }
        with contextlib.suppress(DuplicateKeyError):  # two first calls raced to insert it: the other one did
            self._sellers.update_one({"_id": seller_id}, {"$setOnInsert": fresh}, upsert=True)
        doc = self.get(seller_id)
        assert doc is not None
        return doc

    def set_account(self, seller_id: str, account_id: str, status: str, at: datetime) -> dict | None:
        """Store `account_id` unless another account is stored; a `pending` status leaves an `active`
        one as it is. The seller's document as it is now, or None when it has another account."""
        selector: dict = {"_id": seller_id, "payouts.account_id": {"$in": [None, account_id]}}
        if status != "active":
            selector["payouts.status"] = {"$ne": "active"}
        written = self._sellers.find_one_and_update(
            selector,
            {"$set": {"payouts.account_id": account_id, "payouts.status": status}, **_STAMP},
            return_document=ReturnDocument.AFTER,
        )
        if written is not None:
            return written
        current = self.get(seller_id)
        if current is not None and (current.get("payouts") or {}).get("account_id") == account_id:
            return current  # already active with this account
        return None

    def set_status_by_account(self, account_id: str, status: str, at: datetime) -> dict | None:
        return self._sellers.find_one_and_update(
            {"payouts.account_id": account_id},
            {"$set": {"payouts.status": status}, **_STAMP},
            return_document=ReturnDocument.AFTER,
        )

    def set_commission(self, seller_id: str, commission_bps: int | None, at: datetime) -> dict | None:
        return self._sellers.find_one_and_update(
            {"_id": seller_id},
            {"$set": {"commission_bps": commission_bps}, "$currentDate": {"updated_at": True}},
            return_document=ReturnDocument.AFTER,
        )

    def set_about(self, seller_id: str, about: str, at: datetime) -> dict | None:
        return self._sellers.find_one_and_update(
            {"_id": seller_id},
            {"$set": {"about": about}, "$currentDate": {"updated_at": True}},
            return_document=ReturnDocument.AFTER,
        )

    def get_fulfilment(self, seller_id: str) -> dict | None:
        doc = self._sellers.find_one({"_id": seller_id}, {"fulfilment": 1})
        return (doc or {}).get("fulfilment") or None

    def set_fulfilment(self, seller_id: str, settings: dict, at: datetime) -> dict | None:
        # The settings hold no dates, and booleans nested in a `$set` object keep their type on nx-27017
        # (only a top-level `$set: {field: True}` becomes 1).
        written = self._sellers.find_one_and_update(
            {"_id": seller_id},
            {"$set": {"fulfilment": settings}, "$currentDate": {"updated_at": True}},
            projection={"fulfilment": 1},
            return_document=ReturnDocument.AFTER,
        )
        return None if written is None else written.get("fulfilment")
