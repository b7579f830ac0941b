"""The local payment provider: Stripe's PaymentIntent lifecycle kept in MongoDB, no network.

Part of the local runtime only (never shipped in the layer). The local runner confirms payments
(`/local/payments/confirm`, test cards as on Stripe: a declined card leaves the intent waiting for
another card) and delivers `payment_intent.*` webhook events signed with Stripe's scheme to the real
webhook route. Tests inject provider failures through `local_payment_faults`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from smartgrocer.adapters.mongo import db
from smartgrocer.domain.payments import PaymentIntent, PaymentProviderError

INDEXES = [  # applied by the local runner next to the product's own (smartgrocer.indexes)
    IndexModel([("idempotency_key", ASCENDING)], unique=True, name="intent_idempotency"),
    IndexModel([("client_secret", ASCENDING)], name="intent_client_secret"),
]
SUCCEEDING_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


def _intents():
    return db().local_payment_intents


def apply_indexes(database) -> None:
    database.local_payment_intents.create_indexes(INDEXES)


def _maybe_fail(operation: str) -> None:
    """Fault injection for tests: `local_payment_faults` holds {_id: operation, remaining: n}."""
    fault = db().local_payment_faults.find_one_and_update(
        {"_id": operation, "remaining": {"$gt": 0}}, {"$inc": {"remaining": -1}}
    )
    if fault:
        raise PaymentProviderError(f"local provider: injected {operation} failure")


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
            "amount_refunded": 0,
            "created": int(time.time()),
        }
        try:
            _intents().insert_one(doc)
        except DuplicateKeyError:
            existing = _intents().find_one({"idempotency_key": idempotency_key})
            return PaymentIntent(existing["_id"], existing["client_secret"])
        return PaymentIntent(doc["_id"], doc["client_secret"])

    def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        _maybe_fail("refund")
        refund_id = "re_local_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        _intents().update_one(
            {"_id": payment_intent_id, f"refunds.{refund_id}": {"$exists": False}},
            {"$inc": {"amount_refunded": amount_cents}, "$set": {f"refunds.{refund_id}": amount_cents}},
        )
        return refund_id

    def cancel(self, payment_intent_id: str) -> None:
        _maybe_fail("cancel")
        _intents().update_one(
            {"_id": payment_intent_id, "status": "requires_payment_method"}, {"$set": {"status": "canceled"}}
        )

    def client_secret(self, payment_intent_id: str) -> str:
        _maybe_fail("retrieve")
        intent = _intents().find_one({"_id": payment_intent_id}, {"client_secret": 1})
        if intent is None:
            raise PaymentProviderError(f"local provider: no intent {payment_intent_id}")
        return intent["client_secret"]


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


DECLINE_MESSAGE = "Your card was declined."


def payment_event(intent: dict, event_type: str) -> dict:
    declined = event_type == "payment_intent.payment_failed"
    return {
        "id": "evt_local_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "api_version": "2025-01-27",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {
            "object": {
                "id": intent["_id"],
                "object": "payment_intent",
                "amount": intent["amount"],
                "currency": intent["currency"],
                "metadata": intent["metadata"],
                "status": intent["status"],
                "last_payment_error": {"code": "card_declined", "message": DECLINE_MESSAGE} if declined else None,
            }
        },
    }


def confirm(client_secret: str, card_number: str) -> tuple[dict, dict]:
    """Confirm an intent with a test card; returns (intent, event to deliver)."""
    card = "".join(ch for ch in card_number if ch.isdigit())
    if card not in {SUCCEEDING_CARD, DECLINED_CARD}:
        raise ValueError(f"use test card {SUCCEEDING_CARD} (succeeds) or {DECLINED_CARD} (declined)")
    status = "succeeded" if card == SUCCEEDING_CARD else "requires_payment_method"
    intent = _intents().find_one_and_update(
        {"client_secret": client_secret, "status": "requires_payment_method"},
        {"$set": {"status": status, "confirmed_at": datetime.now(UTC)}},
        return_document=True,
    )
    if intent is None:
        raise LookupError("no payment awaiting confirmation for this client secret")
    event_type = "payment_intent.succeeded" if status == "succeeded" else "payment_intent.payment_failed"
    return intent, payment_event(intent, event_type)


def serialize_event(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"))
