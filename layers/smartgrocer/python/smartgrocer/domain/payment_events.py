"""Payment webhook effects. Verified events only; each event id is recorded once; every effect is a
conditional transition, so duplicates and out-of-order deliveries cannot move an order backwards."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from smartgrocer.adapters.mongo import db
from smartgrocer.domain.events import publish_safely
from smartgrocer.domain.orders import abandon_checkout, commit_stock, now, refund_order

HANDLED = {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"}


def handle_event(event: dict) -> dict:
    event_id, event_type = event.get("id"), event.get("type")
    if db().payment_events.find_one({"_id": event_id}, {"_id": 1}):
        return {"received": True, "duplicate": True}
    outcome = "ignored"
    if event_type in HANDLED:
        intent = (event.get("data") or {}).get("object") or {}
        checkout = db().checkouts.find_one({"_id": (intent.get("metadata") or {}).get("checkout_id"),
                                            "payment_intent_id": intent.get("id")})
        if checkout is None:
            outcome = "unknown_checkout"
        elif event_type == "payment_intent.succeeded":
            outcome = _payment_succeeded(checkout, intent)
        else:
            closed = abandon_checkout(checkout, reason="payment_failed", order_status="payment_failed")
            outcome = "released" if closed else "already_settled"
    try:  # recorded after the effect: a crash before this line means the retry redoes an idempotent effect
        db().payment_events.insert_one({"_id": event_id, "type": event_type, "outcome": outcome,
                                        "checkout_id": (((event.get("data") or {}).get("object") or {})
                                                        .get("metadata") or {}).get("checkout_id"),
                                        "received_at": now()})
    except DuplicateKeyError:
        return {"received": True, "duplicate": True}
    return {"received": True, "outcome": outcome}


def _payment_succeeded(checkout: dict, intent: dict) -> str:
    if intent.get("amount") != checkout.get("amount_cents"):
        return "amount_mismatch"
    claimed = db().checkouts.find_one_and_update(
        {"_id": checkout["_id"], "status": {"$in": ["creating_payment", "pending_payment"]}},
        {"$set": {"status": "paid", "paid_at": now()}})
    at = now()
    if claimed is not None:
        db().orders.update_many({"checkout_id": checkout["_id"], "status": "pending_payment"},
                                {"$set": {"status": "paid", "payment_status": "paid", "paid_at": at, "updated_at": at,
                                          "history.paid": {"at": at, "by": "payment"}}})
        paid = list(db().orders.find({"checkout_id": checkout["_id"], "status": "paid"}, {"items": 1}))
        # Only the paid orders' reservations become sales: an order cancelled meanwhile still has to give
        # its reservation back (its cancel releases it), so its marker must stay in place.
        sold = {item["product_id"] for order in paid for item in order["items"]}
        for line in checkout["lines"]:
            if line["product_id"] in sold:
                commit_stock(line["product_id"], checkout["_id"])
        for order in paid:
            publish_safely("smartgrocer.orders", "OrderPaid", {"order_id": order["_id"]})
    elif (db().checkouts.find_one({"_id": checkout["_id"]}, {"status": 1}) or {}).get("status") != "paid":
        # The checkout was closed first (expiry, cancellation), not paid by a twin delivery of this event.
        # Its sweep may not have cancelled the orders yet; do it here so none stays pending and the refund
        # below cannot miss them.
        db().orders.update_many({"checkout_id": checkout["_id"], "status": "pending_payment"},
                                {"$set": {"status": "cancelled", "cancel_reason": "closed_before_payment",
                                          "updated_at": at, "history.cancelled": {"at": at, "by": "system"}}})
    # Money arrived for orders that were closed before payment (cancelled, expired, or marked failed by
    # an earlier card attempt whose event arrived first): give it back.
    refunded = 0
    unpaid = {"$in": ["unpaid", "failed"]}
    for order in db().orders.find({"checkout_id": checkout["_id"], "status": {"$in": ["cancelled", "payment_failed"]},
                                   "payment_status": unpaid}):
        marked = db().orders.find_one_and_update(
            {"_id": order["_id"], "payment_status": unpaid},
            {"$set": {"payment_status": "paid", "refund_pending": True, "paid_at": at}})
        if marked is not None:
            refund_order({**order, "refund_pending": True})
            refunded += 1
    if claimed is None:
        return "late_payment_refunded" if refunded else "already_settled"
    return "paid"
