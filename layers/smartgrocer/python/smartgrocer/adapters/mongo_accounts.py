"""MongoDB implementations of the accounts ports: users, refresh tokens, rate-limit counters.

Collections are looked up on every call (not kept): the local runtime and the tests may point the
process at another database, and `db()` is what follows them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from smartgrocer.adapters.mongo import db
from smartgrocer.domain.ids import keyset_page


class MongoUsers:
    def by_email(self, email: str) -> dict | None:
        return db().users.find_one({"email": email})

    def by_id(self, user_id: str, fields: Iterable[str] | None = None) -> dict | None:
        projection = {name: 1 for name in fields} if fields is not None else None
        return db().users.find_one({"_id": user_id}, projection)

    def add(self, user: dict) -> bool:
        try:
            db().users.insert_one(user)
        except DuplicateKeyError:  # the unique email index: someone has this email already
            return False
        return True

    def set_active(self, user_id: str, is_active: bool, at: datetime, moderation: dict | None = None) -> dict | None:
        changes: dict = {"is_active": is_active, "updated_at": at}
        if moderation is not None:
            changes["moderation"] = moderation
        return db().users.find_one_and_update({"_id": user_id}, {"$set": changes}, return_document=ReturnDocument.AFTER)

    def set_password(self, user_id: str, password_hash: str, at: datetime) -> bool:
        result = db().users.update_one({"_id": user_id}, {"$set": {"password_hash": password_hash, "updated_at": at}})
        return result.matched_count == 1

    def page(self, text: str | None, role: str | None, limit: int, after: str | None) -> tuple[list[dict], str | None]:
        query: dict = {}
        if text:
            pattern = re.escape(text.strip().lower())  # emails are stored lower-case
            query["$or"] = [{"email": {"$regex": pattern}}, {"full_name": {"$regex": pattern, "$options": "i"}}]
        if role:
            query["role"] = role
        return keyset_page(db().users, query, "k_created", True, limit, after, "users", projection={"password_hash": 0})


class MongoRefreshTokens:
    def add(self, token: dict) -> None:
        db().refresh_tokens.insert_one(token)

    def consume(self, token_hash: str, at: datetime) -> dict | None:
        # `rotated_ms` beside `revoked_at`: nx-27017 stores a date `$set` here as a string, and the grace
        # for a lost answer (auth.refresh) compares the moment of rotation.
        return db().refresh_tokens.find_one_and_update(
            {"_id": token_hash, "revoked_at": None, "expires_at": {"$gt": at}},
            {"$set": {"revoked_at": at, "revoked_reason": "rotated", "rotated_ms": int(at.timestamp() * 1000)}},
            return_document=ReturnDocument.BEFORE,
        )

    def live_child(self, token_hash: str, at: datetime) -> bool:
        child = {"parent": token_hash, "revoked_at": None, "expires_at": {"$gt": at}}
        return db().refresh_tokens.find_one(child, {"_id": 1}) is not None

    def get(self, token_hash: str) -> dict | None:
        return db().refresh_tokens.find_one({"_id": token_hash})

    def revoke_family(self, family_id: str, at: datetime, reason: str) -> None:
        db().refresh_tokens.update_many(
            {"family_id": family_id, "revoked_at": None}, {"$set": {"revoked_at": at, "revoked_reason": reason}}
        )

    def revoke_user(self, user_id: str, at: datetime, reason: str) -> None:
        db().refresh_tokens.update_many(
            {"user_id": user_id, "revoked_at": None}, {"$set": {"revoked_at": at, "revoked_reason": reason}}
        )

    def revoke_user_except(self, user_id: str, keep_family_id: str, at: datetime, reason: str) -> None:
        # `$ne` is safe here: every token record is written with its family_id.
        db().refresh_tokens.update_many(
            {"user_id": user_id, "revoked_at": None, "family_id": {"$ne": keep_family_id}},
            {"$set": {"revoked_at": at, "revoked_reason": reason}},
        )


class MongoPasswordResets:
    """`password_resets`. Inserted with real dates, so `expires_at` compares as a date on nx-27017 too
    (only `$set` dates are stored as strings there); `used_at` is always written (None when unused)."""

    def add(self, record: dict) -> None:
        db().password_resets.insert_one(record)

    def get(self, token_hash: str) -> dict | None:
        return db().password_resets.find_one({"_id": token_hash})

    def consume(self, token_hash: str, at: datetime) -> dict | None:
        return db().password_resets.find_one_and_update(
            {"_id": token_hash, "used_at": None, "expires_at": {"$gt": at}},
            {"$set": {"used_at": at, "used_reason": "reset"}},
            return_document=ReturnDocument.BEFORE,
        )

    def invalidate_user(self, user_id: str, at: datetime) -> None:
        db().password_resets.update_many(
            {"user_id": user_id, "used_at": None}, {"$set": {"used_at": at, "used_reason": "invalidated"}}
        )


class MongoAuditLog:
    def add(self, entry: dict) -> None:
        db().audit.insert_one(entry)

    def for_target(self, target_id: str, limit: int) -> list[dict]:
        return list(db().audit.find({"target_id": target_id}).sort([("at", -1), ("_id", -1)]).limit(limit))


class MongoRateLimits:
    """Counters in `rate_limits`: `{_id: key, failures: n, expires_at: date}`.

    `expires_at` only feeds the TTL index that deletes old windows on MongoDB; nothing reads it back
    (nx-27017 keeps a `$set` date from `find_one_and_update` as a string, which is harmless here).
    No `$setOnInsert` either (nx-27017 ignores it on upsert): `$set` of the same value is idempotent.
    """

    def increment(self, key: str, expires_at: int) -> int:
        update = {"$inc": {"failures": 1}, "$set": {"expires_at": datetime.fromtimestamp(expires_at, UTC)}}
        try:
            return self._increment(key, update)
        except DuplicateKeyError:
            # Two first attempts raced to insert the same new counter and this one lost; the
            # counter exists now, so the retry is a plain increment.
            return self._increment(key, update)

    @staticmethod
    def _increment(key: str, update: dict) -> int:
        counter = db().rate_limits.find_one_and_update(
            {"_id": key}, update, projection={"failures": 1}, upsert=True, return_document=ReturnDocument.AFTER
        )
        return int(counter["failures"])

    def decrement(self, key: str) -> None:
        db().rate_limits.update_one({"_id": key, "failures": {"$gt": 0}}, {"$inc": {"failures": -1}})

    def clear(self, key: str) -> None:
        db().rate_limits.delete_one({"_id": key})
