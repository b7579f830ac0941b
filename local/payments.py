"""The local payment provider's "card form" backend and its webhook delivery.

`confirm_payment` confirms a PaymentIntent with a test card (it authorises; capture comes later) and
delivers the resulting event at once. Events the provider raises inside a function (capture, cancel,
refund) wait in `local_payment_webhooks`; `deliver_pending` delivers them oldest first, signed as
Stripe signs them, to the real webhook route: the runner calls it from a background loop and on
`POST /local/payments/deliver`. Like Stripe, a delivery that is not answered with a 2xx is retried
later (with backoff, at most MAX_ATTEMPTS times).
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request

MAX_ATTEMPTS = 8
BACKOFF_S = (0.5, 1, 2, 4, 8, 15, 30)  # before the 2nd, 3rd, ... attempt of the background loop


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


def _webhooks(database):
    if database is None:
        from smartgrocer.adapters.mongo import db

        database = db()
    return database.local_payment_webhooks


def _attempt(database, queued: dict, url: str | None, secret: str | None) -> int | None:
    """One signed delivery of a queued event, recorded on it. Returns the HTTP status (None: no answer)."""
    try:
        status: int | None = deliver_webhook(queued["payload"], url, secret)[0]
        error = None
    except (OSError, ValueError) as exc:  # refused, reset, timed out: Stripe retries those too
        status, error = None, f"{exc.__class__.__name__}: {exc}"
    attempts = queued.get("attempts", 0) + 1
    if status is not None and 200 <= status < 300:
        change = {"delivered": True, "delivered_at": time.time(), "last_status": status, "last_error": None}
    else:
        wait = BACKOFF_S[min(attempts - 1, len(BACKOFF_S) - 1)]
        change = {"next_attempt_at": time.time() + wait, "last_status": status, "last_error": error}
    # Times are epoch floats: nx-27017 would store a datetime given to `$set` as a string.
    _webhooks(database).update_one({"_id": queued["_id"]}, {"$set": {**change, "attempts": attempts}})
    return status


def _due(database, force: bool) -> dict:
    query: dict = {"delivered": False, "attempts": {"$lt": MAX_ATTEMPTS}}
    if not force:
        query["next_attempt_at"] = {"$lte": time.time()}
    return query


def pending_count(database=None) -> int:
    """Events still to be delivered (those that used up their attempts are not counted)."""
    return _webhooks(database).count_documents(_due(database, force=True))


def deliver_pending(
    database=None, url: str | None = None, secret: str | None = None, limit: int = 100, force: bool = False
) -> tuple[int, int]:
    """Deliver queued events, oldest first, each at most once per call, at most `limit` of them.
    `force` ignores the retry backoff: every event still pending is tried now (including events the
    deliveries themselves cause). Returns (delivered now, still pending)."""
    delivered, tried = 0, set()
    while len(tried) < limit:
        batch = [
            queued
            for queued in _webhooks(database).find(_due(database, force)).sort("seq", 1).limit(len(tried) + 20)
            if queued["_id"] not in tried
        ][: limit - len(tried)]
        if not batch:
            break
        for queued in batch:
            tried.add(queued["_id"])
            status = _attempt(database, queued, url, secret)
            delivered += status is not None and 200 <= status < 300
    return delivered, pending_count(database)


def deliver_event(event_id: str, database=None, url: str | None = None, secret: str | None = None) -> int | None:
    """Deliver one queued event now (unless it went out already); its HTTP status (None: no answer, or
    nothing to deliver). Not taken, it stays queued and is retried like any other."""
    queued = _webhooks(database).find_one({"_id": event_id, "delivered": False})
    return None if queued is None else _attempt(database, queued, url, secret)


def confirm_payment(body: dict, database=None, url: str | None = None, secret: str | None = None) -> tuple[int, dict]:
    """`POST /local/payments/confirm`: the card form. `status` is `authorized` (the amount is held,
    the intent awaits capture) or `failed` (declined: the intent awaits another card); the event is
    delivered before answering and `webhook_status` is the webhook's HTTP status (None: no answer).
    An event not taken (not a 2xx) stays queued and is retried like any other."""
    from local.payment_provider import confirm

    client_secret, card = body.get("client_secret"), str(body.get("card_number", ""))
    if not isinstance(client_secret, str) or not client_secret:
        return 400, {"error": {"code": "bad_request", "message": "client_secret is required."}}
    try:
        intent, event = confirm(client_secret, card, database)
    except ValueError as error:
        return 422, {"error": {"code": "card_declined", "message": str(error)}}
    except LookupError as error:
        return 404, {"error": {"code": "not_found", "message": str(error)}}
    queued = _webhooks(database).find_one({"_id": event["id"]})
    status = _attempt(database, queued, url, secret)
    return 200, {
        "status": "authorized" if intent["status"] == "requires_capture" else "failed",
        "payment_intent": intent["_id"],
        "webhook_status": status,
    }
