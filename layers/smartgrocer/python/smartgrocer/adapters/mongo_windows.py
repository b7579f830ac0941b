"""Delivery and pickup windows on MongoDB: the capacity of each window (`windows` collection, the
`WindowRepository` of `domain/checkout_ports.py`) and the orders of a window for the packing list (the
`PackingListReader` of `domain/packing_list.py`).

A window's document, `_id` = `fulfilment.capacity_key(seller_id, slot_id)`:
`{_id, seller_id, slot_id, start, end, capacity, taken, holders: {<holder>: 1}}`. It is created on the
window's first booking by an upsert that only inserts (`$setOnInsert`, the dates written whole: nx-27017
stores a datetime given to `$set` as a string), then a place is taken like stock, with one conditional
update (`taken < capacity` and the holder not marked yet) that counts it and marks the holder. Marks
make taking and giving back happen at most once per holder, whatever the retries.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


def _mark(holder: str) -> str:
    """The holder's field in `holders`: a checkout or order id, never a path or an operator."""
    if not holder or "." in holder or holder.startswith("$") or "\x00" in holder:
        raise ValueError(f"not a holder id: {holder!r}")
    return f"holders.{holder}"


class MongoWindows:
    def __init__(self, database: Callable[[], Database]):
        self._db = database  # called per use: tests point the process at another database

    @property
    def _windows(self):
        return self._db().windows

    def taken(self, keys: list[str]) -> dict[str, int]:
        if not keys:
            return {}
        return {
            doc["_id"]: int(doc.get("taken") or 0)
            for doc in self._windows.find({"_id": {"$in": list(keys)}}, {"taken": 1})
        }

    def reserve(self, key: str, window: dict, capacity: int, holder: str) -> bool:
        mark = _mark(holder)
        fresh = {
            "seller_id": window["seller_id"],
            "slot_id": window["slot_id"],
            "start": window["start"],
            "end": window["end"],
            "taken": 0,
            "holders": {},
        }
        with contextlib.suppress(DuplicateKeyError):  # two first bookings raced to create it: the other one did
            self._windows.update_one({"_id": key}, {"$setOnInsert": fresh}, upsert=True)
        taken = self._windows.update_one(
            {"_id": key, "taken": {"$lt": capacity}, mark: {"$exists": False}},
            {"$inc": {"taken": 1}, "$set": {mark: 1, "capacity": capacity}},
        )
        if taken.modified_count == 1:
            return True
        return int(self._windows.count_documents({"_id": key, mark: {"$exists": True}}, limit=1)) == 1  # a repeat

    def release(self, key: str, holder: str) -> None:
        mark = _mark(holder)
        self._windows.update_one({"_id": key, mark: {"$exists": True}}, {"$inc": {"taken": -1}, "$unset": {mark: ""}})

    def ledgers(self, limit: int) -> list[dict]:
        projection = {"seller_id": 1, "slot_id": 1, "start": 1, "end": 1, "capacity": 1, "taken": 1, "holders": 1}
        return list(self._windows.find({}, projection).sort("start", -1).limit(limit))


class MongoPackingList:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def window_orders(self, seller_id: str, slot_id: str, local_date: str, statuses: tuple[str, ...]) -> list[dict]:
        from smartgrocer.domain.packing_list import MAX_ORDERS

        query = {
            "seller_id": seller_id,
            "seller_visible": True,
            "fulfilment.local_date": local_date,  # the index `seller_window_newest`; the slot narrows it
            "fulfilment.slot_id": slot_id,
            "status": {"$in": list(statuses)},
        }
        fields = ("number", "status", "items", "shipping_address", "fulfilment", "created_at", "k_created")
        projection = dict.fromkeys(fields, 1)
        return list(self._db().orders.find(query, projection).sort("k_created", 1).limit(MAX_ORDERS))
