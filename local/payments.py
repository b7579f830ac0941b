"""The local payment provider's "card form" backend: confirm a PaymentIntent with a test card and
deliver the resulting webhook event, signed as Stripe signs it, to the real webhook route."""

from __future__ import annotations

import os
import urllib.error
import urllib.request


def deliver_webhook(payload: str, url: str | None = None, secret: str | None = None) -> tuple[int, str]:
    from local.payment_provider import stripe_signature

    request = urllib.request.Request(
        url or os.environ["LOCAL_PAYMENTS_WEBHOOK_URL"],
        data=payload.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_signature(payload, secret or os.environ["STRIPE_WEBHOOK_SECRET"]),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def confirm_payment(body: dict) -> tuple[int, dict]:
    from local.payment_provider import confirm, serialize_event

    client_secret, card = body.get("client_secret"), str(body.get("card_number", ""))
    if not isinstance(client_secret, str) or not client_secret:
        return 400, {"error": {"code": "bad_request", "message": "client_secret is required."}}
    try:
        intent, event = confirm(client_secret, card)
    except ValueError as error:
        return 422, {"error": {"code": "card_declined", "message": str(error)}}
    except LookupError as error:
        return 404, {"error": {"code": "not_found", "message": str(error)}}
    status, _ = deliver_webhook(serialize_event(event))
    return 200, {
        "status": "succeeded" if intent["status"] == "succeeded" else "failed",
        "payment_intent": intent["_id"],
        "webhook_status": status,
    }
