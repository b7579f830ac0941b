"""Shared by the security, fuzz and fault suites: HTTP from a chosen loopback address, checkout
payloads, signed webhook deliveries, forged tokens and response walking."""

from __future__ import annotations

import json
import time
import uuid

ADDRESS = {
    "full_name": "Sam Shopper",
    "line1": "1 High Street",
    "city": "Springfield",
    "postal_code": "SP1 2AB",
    "country": "GB",
}

# Keys that are storage or secrets: never in any response body, at any depth.
INTERNAL_KEYS = {
    "password_hash",
    "_id",
    "k_price",
    "k_newest",
    "k_name",
    "k_created",
    "terms",
    "reservations",
    "restocks",
    "price_cents",
    "total_cents",
    "unit_price_cents",
    "line_total_cents",
    "amount_cents",
    "buyer_email",
    "refund_pending",
    "history",
    "payment_intent_id",
    "family_id",
    "idempotency_key",
    "fingerprint",
    "revoked_at",
    "failures",
    # the money core's own bookkeeping (the API shows amounts as decimal strings)
    "estimated_cents",
    "authorized_cents",
    "final_cents",
    "released_cents",
    "cents",
    "packed",
    "capture_by",
    "outbox",
    "sold_lines",
    "seller_visible",
    "decline",
}


def checkout_body(*lines: tuple[str, int], address: dict | None = None) -> dict:
    return {
        "items": [{"product_id": pid, "quantity": qty} for pid, qty in lines],
        "shipping_address": dict(address or ADDRESS),
    }


def checkout(api, account, *lines: tuple[str, int], key: str | None = None, **extra):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post("/api/orders", account, json=checkout_body(*lines), headers=headers, **extra)


def authorise(api, client_secret: str, card: str = "4242424242424242") -> dict:
    """Confirm a checkout's payment through the local provider: the card is authorised (nothing is
    captured until the sellers have packed) and the webhook is delivered before this returns."""
    response = api.post("/local/payments/confirm", json={"client_secret": client_secret, "card_number": card})
    assert response.status_code == 200, response.text
    assert response.json()["webhook_status"] == 200, response.json()
    return response.json()


def as_ordered(order: dict) -> dict:
    """A packing list (the body of POST /api/orders/{id}/pack): every line of the API's order as ordered."""
    return {
        "lines": [
            {"line_id": i["line_id"], "packed_weight_g": i["weight_g"]}
            if i["sold_by"] == "weight"
            else {"line_id": i["line_id"], "packed_quantity": i["quantity"]}
            for i in order["items"]
        ]
    }


def walk_keys(value) -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            keys |= walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            keys |= walk_keys(item)
    return keys


def walk_strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in walk_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in walk_strings(item)]
    return [value] if isinstance(value, str) else []


AUTHORISED = "payment_intent.amount_capturable_updated"
CAPTURED = "payment_intent.succeeded"
INTENT_STATUS = {
    AUTHORISED: "requires_capture",
    CAPTURED: "succeeded",
    "payment_intent.canceled": "canceled",
}


def payment_intent_event(
    checkout_id: str,
    intent_id: str,
    amount_cents: int,
    event_id: str | None = None,
    event_type: str = AUTHORISED,
) -> dict:
    """A Stripe PaymentIntent event (manual capture) for `amount_cents`: held when authorised
    (`amount_capturable`), taken when captured (`amount_received`)."""
    status = INTENT_STATUS.get(event_type, "requires_payment_method")
    return {
        "id": event_id or f"evt_test_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": event_type,
        "api_version": "2025-01-27",
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount_cents,
                "amount_capturable": amount_cents if status == "requires_capture" else 0,
                "amount_received": amount_cents if status == "succeeded" else 0,
                "capture_method": "manual",
                "currency": "usd",
                "metadata": {"checkout_id": checkout_id},
                "status": status,
            }
        },
    }


def signed_headers(payload: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    from local.payment_provider import stripe_signature

    return {"Content-Type": "application/json", "Stripe-Signature": stripe_signature(payload, secret, timestamp)}


def deliver(api, event: dict | str, secret: str, timestamp: int | None = None):
    payload = event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))
    return api.post("/api/payments/webhook", data=payload.encode(), headers=signed_headers(payload, secret, timestamp))
