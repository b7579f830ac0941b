"""MongoDB implementations of the money core's ports (domain/checkout_ports.py).

Every write is a single-document operation that is safe to repeat:
- a checkout is replaced whole, only if its `version` is the one the decision was made on;
- stock holds are markers in the product (`reservations.<checkout_id>`), so reserving, releasing and
  committing each fire at most once per checkout; restocking a cancelled order is guarded by
  `restocks.<order_id>.<...>` the same way; each also bumps the product's `rev` (its ETag);
- an order projection is written only over an older version of itself.
Datetimes go into whole-document writes only (nx-27017 stores a datetime given to `$set` as a
string); outbox timestamps are epoch seconds.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from smartgrocer.domain.ids import keyset_page


class MongoCheckouts:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def insert(self, state: dict) -> bool:
        try:
            self._db().checkouts.insert_one(state)
            return True
        except DuplicateKeyError:
            return False

    def load(self, checkout_id: str) -> dict | None:
        return self._db().checkouts.find_one({"_id": checkout_id})

    def save(self, state: dict, expected_version: int) -> bool:
        return (
            self._db().checkouts.replace_one({"_id": state["_id"], "version": expected_version}, state).matched_count
            == 1
        )

    def effect_done(self, checkout_id: str, key: str) -> None:
        self._db().checkouts.update_one({"_id": checkout_id}, {"$unset": {f"outbox.{key}": ""}})

    def settle(self, checkout_id: str, version: int) -> None:
        self._db().checkouts.update_one(
            {"_id": checkout_id, "version": version, "outbox_pending": True}, {"$set": {"outbox_pending": False}}
        )

    def _ids(self, query: dict, limit: int) -> list[str]:
        return [d["_id"] for d in self._db().checkouts.find(query, {"_id": 1}).limit(limit)]

    def stale_builds(self, created_before: datetime, limit: int) -> list[str]:
        return self._ids(
            {"status": {"$in": ["reserving", "creating_payment"]}, "created_at": {"$lt": created_before}}, limit
        )

    def expired(self, at: datetime, limit: int) -> list[str]:
        return self._ids({"status": "pending_payment", "expires_at": {"$lt": at}}, limit)

    def capture_due(self, at: datetime, limit: int) -> list[str]:
        return self._ids({"status": "authorized", "capture_by": {"$lt": at}}, limit)

    def with_pending_effects(self, before_epoch: float, limit: int) -> list[str]:
        return self._ids({"outbox_pending": True, "outbox_at": {"$lt": before_epoch}}, limit)

    def settled_ledgers(self, moved_since: datetime, limit: int) -> list[dict]:
        return list(
            self._db()
            .checkouts.find({"ledger_at": {"$gte": moved_since}, "outbox_pending": False}, {"ledger": 1, "orders": 1})
            .limit(limit)
        )

    def ledger_by_day(self, since: datetime) -> list[dict]:
        # The explicit `$and` for a date range in `$match`: see `MongoOrders.sales`. The group key is one
        # string ("YYYY-MM-DD|kind"): nx-27017 does not evaluate expressions inside a compound `_id`.
        rows = self._db().checkouts.aggregate(
            [
                {"$match": {"$and": [{"ledger_at": {"$gte": since}}]}},
                {"$unwind": "$ledger"},
                {"$match": {"$and": [{"ledger.at": {"$gte": since}}]}},
                {
                    "$group": {
                        "_id": {
                            "$concat": [
                                {"$dateToString": {"format": "%Y-%m-%d", "date": "$ledger.at"}},
                                "|",
                                "$ledger.kind",
                            ]
                        },
                        "cents": {"$sum": "$ledger.amount_cents"},
                    }
                },
            ]
        )
        return [
            {"day": day, "kind": kind, "cents": row["cents"]}
            for row in rows
            for day, _, kind in [row["_id"].partition("|")]
        ]


_NET = "$payout.net_cents"


class MongoOrders:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def project(self, view: dict) -> None:
        with contextlib.suppress(DuplicateKeyError):  # a newer projection is already there
            self._db().orders.replace_one({"_id": view["_id"], "v": {"$lt": view["v"]}}, view, upsert=True)

    def get(self, order_id: str) -> dict | None:
        return self._db().orders.find_one({"_id": order_id})

    def for_checkout(self, checkout_id: str) -> list[dict]:
        return list(self._db().orders.find({"checkout_id": checkout_id}).sort("_id", 1))

    def by_number(self, number: str) -> dict | None:
        return self._db().orders.find_one({"number": number})

    def page(self, query: dict, limit: int, after: str | None, kind: str) -> tuple[list[dict], str | None]:
        return keyset_page(self._db().orders, query, "k_created", True, limit, after, kind)

    def count(self, query: dict, limit: int) -> int:
        return int(self._db().orders.count_documents(query, limit=limit))

    def waiting_past(self, at: datetime, limit: int) -> list[dict]:
        return list(
            self._db()
            .orders.find(
                {"status": "pending_payment", "expires_at": {"$lt": at}}, {"checkout_id": 1, "status": 1, "v": 1}
            )
            .limit(limit)
        )

    def payouts_page(self, seller_id: str, limit: int, after: str | None) -> tuple[list[dict], str | None]:
        query = {"seller_id": seller_id, "seller_visible": True, "payout": {"$ne": None}}
        return keyset_page(self._db().orders, query, "k_created", True, limit, after, "payouts")

    def payout_totals(self, seller_id: str) -> dict:
        rows = list(
            self._db().orders.aggregate(
                [
                    {"$match": {"seller_id": seller_id, "seller_visible": True, "payout": {"$ne": None}}},
                    {
                        "$group": {
                            "_id": None,
                            "orders": {"$sum": 1},
                            "gross": {"$sum": "$payout.gross_cents"},
                            "commission": {"$sum": "$payout.commission_cents"},
                            "returned": {"$sum": "$payout.commission_returned_cents"},
                            "net": {"$sum": "$payout.net_cents"},
                            "reversed": {"$sum": "$payout.reversed_cents"},
                            "paid": {"$sum": {"$cond": [{"$ne": ["$payout.transfer_id", None]}, _NET, 0]}},
                        }
                    },
                ]
            )
        )
        totals = dict.fromkeys(("orders", "gross", "commission", "net", "reversed", "paid"), 0)
        if rows:
            totals.update({k: int(v) for k, v in rows[0].items() if k in totals})
            totals["commission"] -= int(rows[0].get("returned") or 0)  # kept: net of what refunds gave back
        return totals

    def sales(self, seller_id: str, since: datetime, top: int) -> dict:
        # Sold = captured and not being refunded (a cancelled captured order is refund_pending, then
        # refunded), counted at the packed (final) amounts.
        # Spelled as an explicit `$and`: same meaning on MongoDB, and nx-27017 (the local server) ignores a
        # date range in an aggregation `$match` unless it is written this way.
        sold = {
            "$and": [
                {"seller_id": seller_id},
                {"captured_at": {"$gte": since}},
                {"payment_status": "captured"},
                {"refund_pending": False},
            ]
        }
        per_day = list(
            self._db().orders.aggregate(
                [
                    {"$match": sold},
                    {
                        "$group": {
                            "_id": {"$dateToString": {"format": "%Y-%m-%d", "date": "$captured_at"}},
                            "revenue": {"$sum": "$total_cents"},
                            "orders": {"$sum": 1},
                        }
                    },
                ]
            )
        )
        top_products = list(
            self._db().orders.aggregate(
                [
                    {"$match": sold},
                    {"$unwind": "$sold_lines"},
                    {
                        "$group": {
                            "_id": "$sold_lines.product_id",
                            "name": {"$first": "$sold_lines.name"},
                            "quantity": {"$sum": "$sold_lines.amount"},
                            "revenue": {"$sum": "$sold_lines.cents"},
                        }
                    },
                    {"$sort": {"revenue": -1, "_id": 1}},
                    {"$limit": top},
                ]
            )
        )
        return {"per_day": per_day, "top_products": top_products}


class MongoStock:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def active_products(self, product_ids: list[str]) -> dict[str, dict]:
        return {
            p["_id"]: p
            for p in self._db().products.find(
                {"_id": {"$in": product_ids}, "is_active": True},
                {
                    "name": 1,
                    "unit": 1,
                    "price_cents": 1,
                    "seller_id": 1,
                    "seller_name": 1,
                    "sold_by": 1,
                    "min_weight_g": 1,
                    "step_g": 1,
                },
            )
        }

    def reserve(self, product_id: str, quantity: int, checkout_id: str) -> bool:
        taken = self._db().products.update_one(
            {
                "_id": product_id,
                "is_active": True,
                "stock": {"$gte": quantity},
                f"reservations.{checkout_id}": {"$exists": False},
            },
            {"$inc": {"stock": -quantity, "rev": 1}, "$set": {f"reservations.{checkout_id}": quantity}},
        )
        if taken.modified_count == 1:
            return True
        return self._db().products.count_documents({"_id": product_id, f"reservations.{checkout_id}": quantity}) == 1

    def available(self, product_id: str) -> int:
        current = self._db().products.find_one({"_id": product_id}, {"stock": 1, "is_active": 1})
        return current["stock"] if current and current.get("is_active") else 0

    def held(self, product_id: str, holder: str) -> int | None:
        doc = self._db().products.find_one({"_id": product_id}, {f"reservations.{holder}": 1})
        return ((doc or {}).get("reservations") or {}).get(holder)

    def release(self, product_id: str, quantity: int, checkout_id: str) -> None:
        self._db().products.update_one(
            {"_id": product_id, f"reservations.{checkout_id}": quantity},
            {"$inc": {"stock": quantity, "rev": 1}, "$unset": {f"reservations.{checkout_id}": ""}},
        )

    def commit(self, product_id: str, quantity: int, checkout_id: str) -> None:
        self._db().products.update_one(
            {"_id": product_id, f"reservations.{checkout_id}": quantity},
            {"$inc": {"sold": quantity, "rev": 1}, "$unset": {f"reservations.{checkout_id}": ""}},
        )

    def restock(self, product_id: str, quantity: int, order_id: str) -> None:
        self._db().products.update_one(
            {"_id": product_id, f"restocks.{order_id}": {"$exists": False}},
            {"$inc": {"stock": quantity, "sold": -quantity, "rev": 1}, "$set": {f"restocks.{order_id}": quantity}},
        )

    def ledgers(self, limit: int) -> list[dict]:
        return list(
            self._db().products.find({}, {"stock": 1, "reservations": 1, "sold": 1, "received": 1}).limit(limit)
        )


class MongoSentNotifications:
    """`sent_notifications`: `{_id: event key, state: sending | sent, lease_until (epoch s), at}`."""

    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def claim(self, event_key: str, lease_seconds: float) -> bool:
        now = time.time()
        collection = self._db().sent_notifications
        try:
            collection.insert_one(
                {"_id": event_key, "state": "sending", "lease_until": now + lease_seconds, "at": datetime.now(UTC)}
            )
            return True
        except DuplicateKeyError:  # sent, being sent, or abandoned by a sender that died: take that one over
            taken = collection.update_one(
                {"_id": event_key, "state": "sending", "lease_until": {"$lt": now}},
                {"$set": {"lease_until": now + lease_seconds}},
            )
            return taken.modified_count == 1

    def sent(self, event_key: str) -> None:
        self._db().sent_notifications.update_one({"_id": event_key}, {"$set": {"state": "sent"}})


class MongoOrderNumbers:
    """`order_numbers`: one document per number (`_id`), naming its checkout and order; the unique `_id`
    is what makes a number one order's. A claim whose checkout was never written (a crash between the
    two writes) keeps its number out of use, which costs nothing."""

    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def claim(self, number: str, checkout_id: str, order_id: str) -> bool:
        try:
            self._db().order_numbers.insert_one(
                {"_id": number, "checkout_id": checkout_id, "order_id": order_id, "at": datetime.now(UTC)}
            )
            return True
        except DuplicateKeyError:
            owner = self._db().order_numbers.find_one({"_id": number}, {"order_id": 1}) or {}
            return owner.get("order_id") == order_id

    def number_of(self, order_id: str) -> str | None:
        doc = self._db().order_numbers.find_one({"order_id": order_id}, {"_id": 1})
        return doc["_id"] if doc else None


class MongoPaymentEvents:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    def seen(self, event_id: str) -> bool:
        return self._db().payment_events.find_one({"_id": event_id}, {"_id": 1}) is not None

    def record(self, event_id: str, doc: dict) -> bool:
        try:
            self._db().payment_events.insert_one({"_id": event_id, **doc})
            return True
        except DuplicateKeyError:
            return False
