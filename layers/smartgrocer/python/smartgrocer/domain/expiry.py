"""The order-expiry sweep (scheduled in AWS, periodic in the local runner).

Closes checkouts whose payment window passed, releasing their stock, including checkouts a crash
left half-made (reserved but without orders or payment); and retries refunds that failed."""

from __future__ import annotations

from datetime import timedelta

from smartgrocer.adapters.mongo import db
from smartgrocer.domain.orders import abandon_checkout, now, refund_order

STALE_BUILD = timedelta(minutes=2)  # a checkout still "reserving" after this was interrupted
BATCH = 200


def sweep() -> dict:
    at = now()
    expired = released = 0
    stale = db().checkouts.find({"$or": [
        {"status": "pending_payment", "expires_at": {"$lt": at}},
        {"status": {"$in": ["reserving", "creating_payment"]}, "created_at": {"$lt": at - STALE_BUILD}},
    ]}).limit(BATCH)
    for checkout in stale:
        if abandon_checkout(checkout, reason="expired" if checkout["status"] == "pending_payment" else "interrupted"):
            expired += 1
    closed = {"$in": ["cancelled", "payment_failed"]}  # a late payment into a failed checkout is refunded too
    for order in db().orders.find({"refund_pending": True, "status": closed}).limit(BATCH):
        released += int(refund_order(order))
    return {"expired_checkouts": expired, "refunds_retried": released}
