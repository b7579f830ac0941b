"""The local payment provider: Stripe's PaymentIntent lifecycle with manual capture, kept in
MongoDB, no network.

Part of the local runtime only (never shipped in the layer). As on Stripe, an intent is created
awaiting a card (`requires_payment_method`); confirming it with a test card (the runner's
`/local/payments/confirm`) only authorises it (`requires_capture`, a declined card leaves it waiting
for another card); `capture` takes all or part of the hold (`succeeded`), `cancel` voids it
(`canceled`), and `refund` gives back captured money. Every transition raises a webhook event shaped
like Stripe's. Those raised inside a function (capture, cancel, refund) are only queued in
`local_payment_webhooks`; the runner delivers them, signed with Stripe's scheme, to the real webhook
route (`local.payments.deliver_pending`). Tests inject provider failures through
`local_payment_faults`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from smartgrocer.adapters.mongo import db
from smartgrocer.domain.payments import PaymentIntent, PaymentProviderError

INDEXES = [  # applied by the local runner next to the product's own (smartgrocer.indexes)
    IndexModel([("idempotency_key", ASCENDING)], unique=True, name="intent_idempotency"),
    IndexModel([("client_secret", ASCENDING)], name="intent_client_secret"),
]
WEBHOOK_INDEXES = [  # the runner's delivery loop: undelivered events, oldest first
    IndexModel([("delivered", ASCENDING), ("seq", ASCENDING)], name="webhook_pending"),
]
SUCCEEDING_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
DECLINE_MESSAGE = "Your card was declined."
CANCELLATION_REASON = "abandoned"  # the port's `cancel` gives no reason; Stripe's word for "not wanted any more"
API_VERSION = "2025-01-27"


def _intents(database: Database | None = None):
    return (database if database is not None else db()).local_payment_intents


def _webhooks(database: Database | None = None):
    return (database if database is not None else db()).local_payment_webhooks


def apply_indexes(database) -> None:
    database.local_payment_intents.create_indexes(INDEXES)
    database.local_payment_webhooks.create_indexes(WEBHOOK_INDEXES)


def _maybe_fail(operation: str) -> None:
    """Fault injection for tests: `local_payment_faults` holds {_id: operation, remaining: n}; the
    operations are create, retrieve, capture, cancel and refund. An injected failure changes nothing."""
    fault = db().local_payment_faults.find_one_and_update(
        {"_id": operation, "remaining": {"$gt": 0}}, {"$inc": {"remaining": -1}}
    )
    if fault:
        raise PaymentProviderError(f"local provider: injected {operation} failure")


def _positive_cents(amount_cents: object, operation: str) -> int:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise PaymentProviderError(f"local provider: {operation} amount must be a positive integer of cents")
    return amount_cents


def _key_id(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


class LocalPaymentGateway:
    provider = "local"
    publishable_key = None

    def create_payment_intent(
        self, amount_cents: int, currency: str, checkout_id: str, idempotency_key: str
    ) -> PaymentIntent:
        _maybe_fail("create")
        existing = _intents().find_one({"idempotency_key": idempotency_key})
        if existing:  # the same idempotency key returns the same intent, as on Stripe
            return PaymentIntent(existing["_id"], existing["client_secret"])
        intent_id = "pi_local_" + secrets.token_hex(12)
        doc = {
            "_id": intent_id,
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "idempotency_key": idempotency_key,
            "amount": amount_cents,
            "currency": currency,
            "metadata": {"checkout_id": checkout_id},
            "status": "requires_payment_method",
            "capture_method": "manual",
            "amount_capturable": 0,
            "amount_received": 0,
            "amount_refunded": 0,
            "last_payment_error": None,
            "cancellation_reason": None,
            "latest_charge": None,
            "capture_key": None,
            "refunds": {},
            "created": int(time.time()),
        }
        try:
            _intents().insert_one(doc)
        except DuplicateKeyError:
            existing = _intents().find_one({"idempotency_key": idempotency_key})
            return PaymentIntent(existing["_id"], existing["client_secret"])
        return PaymentIntent(doc["_id"], doc["client_secret"])

    def capture(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> None:
        _maybe_fail("capture")
        for _ in range(2):  # a second look only when a concurrent call moved the intent on meanwhile
            intent = _intent(payment_intent_id)
            if intent["status"] == "succeeded" and intent.get("capture_key") == idempotency_key:
                queue_event(intent, "payment_intent.succeeded", idempotency_key)  # a replay: no second event
                return
            if intent["status"] != "requires_capture":
                raise PaymentProviderError(
                    f"local provider: PaymentIntent {payment_intent_id} cannot be captured: its status is "
                    f"{intent['status']} (only an authorised one, requires_capture, can be)"
                )
            amount = _positive_cents(amount_cents, "capture")
            if amount > intent.get("amount_capturable", 0):
                raise PaymentProviderError(
                    f"local provider: cannot capture {amount} of PaymentIntent {payment_intent_id}: only "
                    f"{intent.get('amount_capturable', 0)} is authorised"
                )
            captured = _intents().find_one_and_update(
                {"_id": payment_intent_id, "status": "requires_capture"},
                {
                    "$set": {
                        "status": "succeeded",
                        "amount_received": amount,
                        "amount_capturable": 0,
                        "capture_key": idempotency_key,
                        "captured_at": time.time(),
                    }
                },
                return_document=ReturnDocument.AFTER,
            )
            if captured is not None:
                queue_event(captured, "payment_intent.succeeded", idempotency_key)
                return
        raise PaymentProviderError(f"local provider: PaymentIntent {payment_intent_id} changed while capturing")

    def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        _maybe_fail("refund")
        refund_id = _key_id("re_local_", idempotency_key)
        for _ in range(20):  # compare-and-set on amount_refunded: concurrent refunds never exceed what was received
            intent = _intent(payment_intent_id)
            if refund_id in (intent.get("refunds") or {}):  # the same key again: the same refund, as on Stripe
                queue_event(intent, "charge.refunded", idempotency_key)
                return refund_id
            amount = _positive_cents(amount_cents, "refund")
            received, refunded = _received(intent), intent.get("amount_refunded", 0)
            if refunded + amount > received:
                raise PaymentProviderError(
                    f"local provider: cannot refund {amount} of PaymentIntent {payment_intent_id}: "
                    f"{received} was captured and {refunded} already refunded"
                )
            refunded_now = _intents().find_one_and_update(
                {"_id": payment_intent_id, "amount_refunded": refunded, f"refunds.{refund_id}": {"$exists": False}},
                {"$inc": {"amount_refunded": amount}, "$set": {f"refunds.{refund_id}": amount}},
                return_document=ReturnDocument.AFTER,
            )
            if refunded_now is not None:
                queue_event(refunded_now, "charge.refunded", idempotency_key)
                return refund_id
        raise PaymentProviderError(f"local provider: PaymentIntent {payment_intent_id} is too busy to refund")

    def cancel(self, payment_intent_id: str) -> None:
        _maybe_fail("cancel")
        canceled = _intents().find_one_and_update(
            {"_id": payment_intent_id, "status": {"$in": ["requires_payment_method", "requires_capture"]}},
            {
                "$set": {
                    "status": "canceled",
                    "amount_capturable": 0,
                    "cancellation_reason": CANCELLATION_REASON,
                    "canceled_at": time.time(),
                }
            },
            return_document=ReturnDocument.AFTER,
        )
        if canceled is None:
            intent = _intent(payment_intent_id)  # an unknown intent is an error, as on Stripe
            if intent["status"] == "canceled":  # cancelled already: harmless (the event is not lost)
                queue_event(intent, "payment_intent.canceled")
            return  # captured: harmless too, captured money is refunded instead
        queue_event(canceled, "payment_intent.canceled")

    def client_secret(self, payment_intent_id: str) -> str:
        _maybe_fail("retrieve")
        intent = _intents().find_one({"_id": payment_intent_id}, {"client_secret": 1})
        if intent is None:
            raise PaymentProviderError(f"local provider: no intent {payment_intent_id}")
        return intent["client_secret"]


def _received(intent: dict) -> int:
    """What was captured (an intent stored before manual capture has no `amount_received`)."""
    return intent.get("amount_received", intent["amount"] if intent["status"] == "succeeded" else 0)


def _intent(payment_intent_id: str) -> dict:
    intent = _intents().find_one({"_id": payment_intent_id})
    if intent is None:
        raise PaymentProviderError(f"local provider: no such PaymentIntent {payment_intent_id}")
    return intent


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def intent_object(intent: dict, event_type: str | None = None) -> dict:
    """The PaymentIntent as Stripe shows it in an event. Missing fields (hand-made intents in tests)
    take the values Stripe's lifecycle implies for the intent's status."""
    status, amount = intent["status"], intent["amount"]
    error = intent.get("last_payment_error")
    if error is None and event_type == "payment_intent.payment_failed":
        error = {"code": "card_declined", "message": DECLINE_MESSAGE}
    return {
        "id": intent["_id"],
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": intent.get("amount_capturable", amount if status == "requires_capture" else 0),
        "amount_received": _received(intent),
        "capture_method": intent.get("capture_method", "manual"),
        "cancellation_reason": intent.get("cancellation_reason"),
        "currency": intent["currency"],
        "last_payment_error": error,
        "latest_charge": intent.get("latest_charge"),
        "metadata": intent["metadata"],
        "status": status,
    }


def charge_object(intent: dict) -> dict:
    """The intent's charge as Stripe shows it in `charge.*` events."""
    received = _received(intent)
    refunded = intent.get("amount_refunded", 0)
    return {
        "id": intent.get("latest_charge") or "ch_local_" + intent["_id"].removeprefix("pi_local_"),
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": received,
        "amount_refunded": refunded,
        "captured": received > 0,
        "currency": intent["currency"],
        "metadata": intent["metadata"],
        "paid": True,
        "payment_intent": intent["_id"],
        "refunded": received > 0 and refunded >= received,
        "status": "succeeded",
    }


def payment_event(
    intent: dict, event_type: str, idempotency_key: str | None = None, event_id: str | None = None
) -> dict:
    """A Stripe event about `intent`: `charge.*` events carry the charge, the others the PaymentIntent."""
    return {
        "id": event_id or "evt_local_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": idempotency_key},
        "data": {
            "object": charge_object(intent) if event_type.startswith("charge.") else intent_object(intent, event_type)
        },
    }


def serialize_event(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"))


def queue_event(
    intent: dict, event_type: str, idempotency_key: str | None = None, database: Database | None = None
) -> dict:
    """Record a webhook event for the runner to deliver (`local.payments.deliver_pending`); never an HTTP
    call, since this runs inside a function that the runner may be serving right now.

    Events of a transition made with an idempotency key get an id derived from it, so a replayed call
    re-queues the same event (a no-op) instead of losing it or raising a second one."""
    event_id = None
    if idempotency_key is not None or event_type == "payment_intent.canceled":
        event_id = _key_id("evt_local_", intent["_id"], event_type, idempotency_key or "")
    event = payment_event(intent, event_type, idempotency_key, event_id)
    with contextlib.suppress(DuplicateKeyError):  # queued already (a replayed call)
        _webhooks(database).insert_one(
            {
                "_id": event["id"],
                "type": event_type,
                "payment_intent": intent["_id"],
                "payload": serialize_event(event),
                "delivered": False,
                "attempts": 0,
                "next_attempt_at": 0.0,
                "created": datetime.now(UTC),
                "seq": time.time_ns(),
            }
        )
    return event


def confirm(client_secret: str, card_number: str, database: Database | None = None) -> tuple[dict, dict]:
    """Confirm an intent with a test card: 4242... authorises it (`requires_capture`), 4000...0002 is
    declined (it stays `requires_payment_method`). Returns (intent, its event, already queued)."""
    card = "".join(ch for ch in card_number if ch.isdigit())
    if card not in {SUCCEEDING_CARD, DECLINED_CARD}:
        raise ValueError(f"use test card {SUCCEEDING_CARD} (authorised) or {DECLINED_CARD} (declined)")
    found = _intents(database).find_one({"client_secret": client_secret})
    if found is None or found["status"] != "requires_payment_method":
        raise LookupError("no payment awaiting confirmation for this client secret")
    if card == SUCCEEDING_CARD:
        change = {
            "status": "requires_capture",
            "amount_capturable": found["amount"],
            "last_payment_error": None,
            "latest_charge": "ch_local_" + secrets.token_hex(12),
        }
        event_type = "payment_intent.amount_capturable_updated"
    else:
        change = {"last_payment_error": {"code": "card_declined", "message": DECLINE_MESSAGE}}
        event_type = "payment_intent.payment_failed"
    intent = _intents(database).find_one_and_update(
        {"_id": found["_id"], "status": "requires_payment_method"},
        {"$set": {**change, "confirmed_at": time.time()}},
        return_document=ReturnDocument.AFTER,
    )
    if intent is None:
        raise LookupError("no payment awaiting confirmation for this client secret")
    return intent, queue_event(intent, event_type, database=database)
