"""MongoDB implementations of the small ports outside the money core and the accounts: the
idempotency records of checkout, the health probe and the mailer's order/user reads."""

from __future__ import annotations

from collections.abc import Callable

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


class MongoIdempotencyRecords:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def insert(self, record: dict) -> bool:
        try:
            self._db().idempotency_keys.insert_one(record)
            return True
        except DuplicateKeyError:
            return False

    def get(self, record_id: str) -> dict | None:
        return self._db().idempotency_keys.find_one({"_id": record_id})

    def finish(self, record_id: str, status: int, response: str) -> None:
        self._db().idempotency_keys.update_one(
            {"_id": record_id}, {"$set": {"state": "done", "status": status, "response": response}}
        )

    def drop(self, record_id: str) -> None:
        self._db().idempotency_keys.delete_one({"_id": record_id})

    def take_over(self, record_id: str, locked_until: float, new_lock: float) -> bool:
        return (
            self._db().idempotency_keys.find_one_and_update(
                {"_id": record_id, "state": "in_progress", "locked_until": locked_until},
                {"$set": {"locked_until": new_lock}},
            )
            is not None
        )


class MongoProbe:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def ping(self) -> None:
        self._db().command("ping")
