"""POST /api/payments/webhook: Stripe signatures on the raw body, duplicates and out-of-order events,
and the manual-capture lifecycle's events (authorised, captured, failed, cancelled)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.orders_support import (
    authorized_event,
    checkout_doc,
    clear_faults,
    db,
    deliver,
    drain,
    event_for,
    expire_now,
    flush_webhooks,
    intent_for,
    mail,
    order_doc,
    pack,
    pay,
    place,
    place_captured,
    place_confirmed,
    product,
    product_doc,
    provider,
    set_fault,
    set_status,
    stock_of,
    subject,
    sweep,
    wait_for_mail,
    webhook_url,
)
from tests.support import ApiClient


def _post(runtime, payload: str, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        webhook_url(runtime),
        data=payload.encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _snapshot(placed: dict) -> tuple:
    return (
        tuple(order_doc(o["id"])["status"] for o in placed["orders"]),
        tuple(order_doc(o["id"])["payment_status"] for o in placed["orders"]),
        checkout_doc(placed["checkout_id"])["status"],
        db().payment_events.count_documents({"checkout_id": placed["checkout_id"]}),
        tuple(product_doc(i["product_id"])["stock"] for o in placed["orders"] for i in o["items"]),
    )


def _events(checkout_id: str) -> dict[str, str]:
    return {e["type"]: e["outcome"] for e in db().payment_events.find({"checkout_id": checkout_id})}


@pytest.fixture
def clean_faults(runtime):
    clear_faults()
    yield
    clear_faults()


@pytest.fixture
def pending(api, seller, shopper):
    item = product(api, seller, stock=5, price="2.00")
    return place(api, shopper, (item, 2))


# -- signatures ------------------------------------------------------------------------------------


def _signed(runtime, payload: str, secret: str | None = None, timestamp: int | None = None) -> str:
    from local.payment_provider import stripe_signature

    return stripe_signature(payload, secret or runtime.env["STRIPE_WEBHOOK_SECRET"], timestamp)


def _payload(placed) -> str:
    from local.payment_provider import serialize_event

    return serialize_event(authorized_event(placed["checkout_id"]))


def test_forged_signature_is_rejected(runtime, pending):
    before = _snapshot(pending)
    status, body = deliver(runtime, _payload(pending), secret="whsec_" + "0" * 48)
    assert status == 400 and body["error"]["code"] == "invalid_signature"
    assert _snapshot(pending) == before


def test_stale_timestamp_is_rejected_even_when_correctly_signed(runtime, pending):
    before = _snapshot(pending)
    payload = _payload(pending)
    status, body = _post(
        runtime, payload, {"Stripe-Signature": _signed(runtime, payload, timestamp=int(time.time()) - 301)}
    )
    assert status == 400 and body["error"]["code"] == "invalid_signature"
    assert _snapshot(pending) == before


def test_body_mutated_after_signing_is_rejected(runtime, pending):
    before = _snapshot(pending)
    payload = _payload(pending)
    signature = _signed(runtime, payload)
    tampered = payload.replace('"amount_capturable":400', '"amount_capturable":1')
    assert tampered != payload
    status, body = _post(runtime, tampered, {"Stripe-Signature": signature})
    assert status == 400 and body["error"]["code"] == "invalid_signature"
    # Whitespace counts too: the signature covers the exact bytes.
    status, _ = _post(runtime, payload + " ", {"Stripe-Signature": signature})
    assert status == 400
    assert _snapshot(pending) == before


@pytest.mark.parametrize("header", [None, "", "garbage", "t=123", "v1=abc"])
def test_missing_or_malformed_signature_header_is_rejected(runtime, pending, header):
    before = _snapshot(pending)
    status, body = _post(runtime, _payload(pending), {} if header is None else {"Stripe-Signature": header})
    assert status == 400 and body["error"]["code"] == "invalid_signature"
    assert _snapshot(pending) == before


def test_correctly_signed_non_json_is_400(runtime):
    status, body = deliver(runtime, "not json at all")
    assert status == 400 and body["error"]["code"] == "malformed_json"


def test_signed_with_the_right_secret_confirms_the_order(runtime, api, seller, pending):
    status, body = deliver(runtime, authorized_event(pending["checkout_id"]))
    assert (status, body["outcome"]) == (200, "authorized")
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "confirmed" and order["payment_status"] == "authorized"
    assert order["seller_visible"] is True
    checkout = checkout_doc(pending["checkout_id"])
    assert checkout["status"] == "authorized" and checkout["capture"] is None
    item = pending["orders"][0]["items"][0]["product_id"]
    assert stock_of(item) == 3 and not product_doc(item).get("reservations")  # the sale stands
    assert intent_for(pending["checkout_id"])["amount_received"] == 0  # an authorisation charges nothing


# -- duplicates and ordering -----------------------------------------------------------------------


def test_a_duplicate_event_has_one_effect(runtime, api, seller, shopper, pending):
    event = authorized_event(pending["checkout_id"])
    assert deliver(runtime, event) == (200, {"received": True, "duplicate": False, "outcome": "authorized"})
    first = order_doc(pending["orders"][0]["id"])
    wait_for_mail(api, shopper.email, subject(pending["orders"][0], "confirmed"))
    wait_for_mail(api, seller.email, subject(pending["orders"][0], "new order to pack"))
    status, body = deliver(runtime, event)
    assert status == 200 and body["duplicate"] is True
    assert db().payment_events.count_documents({"_id": event["id"]}) == 1
    again = order_doc(pending["orders"][0]["id"])
    assert again["history"] == first["history"] and again["status"] == "confirmed"
    drain(api)  # every notification the deliveries caused has been sent
    assert len(mail(api, shopper.email, subject(pending["orders"][0], "confirmed"))) == 1
    assert len(mail(api, seller.email, subject(pending["orders"][0], "new order to pack"))) == 1


def test_the_same_authorisation_under_a_new_event_id_changes_nothing(runtime, api, shopper, pending):
    deliver(runtime, authorized_event(pending["checkout_id"]))
    first = order_doc(pending["orders"][0]["id"])
    wait_for_mail(api, shopper.email, subject(pending["orders"][0], "confirmed"))
    status, body = deliver(runtime, authorized_event(pending["checkout_id"]))
    assert (status, body["outcome"]) == (200, "already_settled")
    assert order_doc(pending["orders"][0]["id"])["history"] == first["history"]
    assert stock_of(pending["orders"][0]["items"][0]["product_id"]) == 3  # committed once
    drain(api)
    assert len(mail(api, shopper.email, subject(pending["orders"][0], "confirmed"))) == 1


def test_concurrent_duplicate_deliveries_have_one_effect(runtime, api, shopper, pending):
    event = authorized_event(pending["checkout_id"])
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: deliver(runtime, event), range(6)))
    assert {status for status, _ in results} == {200}
    # Which twin reports the effect is a race; that at most one did, and that it happened once, is not.
    assert sum(1 for _, body in results if body.get("outcome") == "authorized") <= 1
    assert all(body.get("duplicate") or body.get("outcome") in {"authorized", "already_settled"} for _, body in results)
    assert db().payment_events.count_documents({"_id": event["id"]}) == 1
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "confirmed" and order["payment_status"] == "authorized"
    assert stock_of(pending["orders"][0]["items"][0]["product_id"]) == 3
    wait_for_mail(api, shopper.email, subject(pending["orders"][0], "confirmed"))
    drain(api)
    assert len(mail(api, shopper.email, subject(pending["orders"][0], "confirmed"))) == 1


def test_failure_after_authorisation_leaves_the_order_confirmed(runtime, pending):
    deliver(runtime, authorized_event(pending["checkout_id"]))
    status, body = deliver(runtime, event_for(pending["checkout_id"], "payment_intent.payment_failed"))
    assert (status, body["outcome"]) == (200, "already_settled")
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "confirmed" and order["payment_status"] == "authorized"
    item = pending["orders"][0]["items"][0]["product_id"]
    assert stock_of(item) == 3


def test_declined_card_keeps_the_checkout_open_and_another_card_authorises(runtime, api, shopper, pending):
    item = pending["orders"][0]["items"][0]["product_id"]
    assert stock_of(item) == 3
    result = pay(api, pending, card="4000000000000002")
    assert result["status"] == "failed"
    order = api.get(f"/api/orders/{pending['orders'][0]['id']}", shopper).json()
    assert order["status"] == "pending_payment" and order["payment_status"] == "unpaid"
    assert order["payment_error"] == "Your card was declined."
    assert stock_of(item) == 3  # still held for the shopper
    resumed = api.get(f"/api/checkouts/{pending['checkout_id']}", shopper).json()
    assert resumed["status"] == "pending_payment" and resumed["payment_error"] == "Your card was declined."
    assert resumed["payment"]["client_secret"] == pending["payment"]["client_secret"]
    assert pay(api, pending)["status"] == "authorized"  # a good card on the same payment
    order = api.get(f"/api/orders/{pending['orders'][0]['id']}", shopper).json()
    assert order["status"] == "confirmed" and order["payment_status"] == "authorized"
    assert order["payment_error"] is None
    assert stock_of(item) == 3 and not product_doc(item).get("reservations")
    checkout = api.get(f"/api/checkouts/{pending['checkout_id']}", shopper).json()
    assert (checkout["status"], checkout["payment"], checkout["captured"]) == ("authorized", None, None)
    intent = intent_for(pending["checkout_id"])
    assert (intent["status"], intent["amount_capturable"], intent["amount_received"]) == ("requires_capture", 400, 0)


def test_checkout_is_only_its_buyers(api, seller, pending):
    assert api.get(f"/api/checkouts/{pending['checkout_id']}", seller).status_code == 404
    assert api.get("/api/checkouts/nope", seller).status_code == 404


def test_decline_then_authorisation_confirms(runtime, pending):
    """Out of order: the decline of a first card attempt arrives, then the authorisation of a second one."""
    deliver(runtime, event_for(pending["checkout_id"], "payment_intent.payment_failed"))
    order_id = pending["orders"][0]["id"]
    assert order_doc(order_id)["status"] == "pending_payment"
    status, body = deliver(runtime, authorized_event(pending["checkout_id"]))
    assert (status, body["outcome"]) == (200, "authorized")
    order = order_doc(order_id)
    assert order["status"] == "confirmed" and order["payment_status"] == "authorized"
    assert checkout_doc(pending["checkout_id"])["decline"]["message"] == "Your card was declined."


def test_expiry_after_declines_marks_the_orders_payment_failed(runtime, pending):
    deliver(runtime, event_for(pending["checkout_id"], "payment_intent.payment_failed"))
    expire_now(pending["checkout_id"])
    sweep()
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "payment_failed" and order["payment_status"] == "failed"
    assert stock_of(pending["orders"][0]["items"][0]["product_id"]) == 5
    assert intent_for(pending["checkout_id"])["status"] == "canceled"


def test_late_authorisation_for_an_expired_checkout_is_voided_not_charged(runtime, pending):
    item = pending["orders"][0]["items"][0]["product_id"]
    expire_now(pending["checkout_id"])
    sweep()
    order_id = pending["orders"][0]["id"]
    assert order_doc(order_id)["status"] == "cancelled" and stock_of(item) == 5
    # The card was authorised at the provider just before the expiry cancelled the intent.
    db().local_payment_intents.update_one(
        {"metadata.checkout_id": pending["checkout_id"]},
        {"$set": {"status": "requires_capture", "amount_capturable": 400}},
    )
    status, body = deliver(runtime, authorized_event(pending["checkout_id"]))
    assert (status, body["outcome"]) == (200, "late_authorization_voided")
    order = order_doc(order_id)
    assert order["status"] == "cancelled" and order["payment_status"] == "unpaid"
    intent = intent_for(pending["checkout_id"])
    assert (intent["status"], intent["amount_capturable"]) == ("canceled", 0)
    assert (intent["amount_received"], intent["amount_refunded"]) == (0, 0)
    assert stock_of(item) == 5  # not sold, not restocked twice
    # Delivered again: still nothing taken, nothing sold.
    deliver(runtime, authorized_event(pending["checkout_id"]))
    assert intent_for(pending["checkout_id"])["amount_received"] == 0 and stock_of(item) == 5


def test_authorisation_for_a_partly_cancelled_checkout_voids_the_cancelled_share(
    runtime, api, seller, other_seller, shopper
):
    a = product(api, seller, stock=5, price="1.00")
    b = product(api, other_seller, stock=5, price="2.00")
    placed = place(api, shopper, (a, 1), (b, 1))
    cancelled = next(o for o in placed["orders"] if o["seller_id"] == seller.user_id)
    kept = next(o for o in placed["orders"] if o["seller_id"] == other_seller.user_id)
    assert set_status(api, shopper, cancelled["id"], "cancelled").status_code == 200
    assert stock_of(a["id"]) == 5
    pay(api, placed)
    assert order_doc(kept["id"])["status"] == "confirmed"
    assert order_doc(cancelled["id"])["payment_status"] == "voided"
    assert stock_of(a["id"]) == 5 and stock_of(b["id"]) == 4
    # Only the kept order's total is ever captured; nothing has to be refunded.
    assert pack(api, other_seller, kept["id"]).status_code == 200
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"], intent["amount_refunded"]) == ("succeeded", 200, 0)
    assert order_doc(cancelled["id"])["payment_status"] == "voided"


def test_amount_mismatch_at_authorisation_is_voided_and_alarmed(runtime, api, pending):
    item = pending["orders"][0]["items"][0]["product_id"]
    # The provider authorises another amount than the checkout asked for.
    db().local_payment_intents.update_one({"metadata.checkout_id": pending["checkout_id"]}, {"$set": {"amount": 1}})
    pay(api, pending)
    assert _events(pending["checkout_id"])["payment_intent.amount_capturable_updated"] == "amount_mismatch_voided"
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "cancelled" and order["payment_status"] in ("unpaid", "voided")
    intent = intent_for(pending["checkout_id"])
    assert (intent["status"], intent["amount_capturable"]) == ("canceled", 0)  # the hold is released
    assert (intent["amount_received"], intent["amount_refunded"]) == (0, 0)  # voided, not refunded
    assert stock_of(item) == 5 and not product_doc(item).get("reservations")
    checkout = checkout_doc(pending["checkout_id"])
    assert (checkout["status"], checkout["close_reason"]) == ("closed", "amount_mismatch")


def test_currency_mismatch_is_voided(runtime, pending):
    status, body = deliver(runtime, authorized_event(pending["checkout_id"], currency="eur"))
    assert (status, body["outcome"]) == (200, "amount_mismatch_voided")
    assert order_doc(pending["orders"][0]["id"])["status"] == "cancelled"
    intent = intent_for(pending["checkout_id"])
    assert (intent["status"], intent["amount_refunded"]) == ("canceled", 0)


def test_event_for_an_unknown_intent_changes_nothing(runtime, pending):
    before = _snapshot(pending)
    status, body = deliver(runtime, authorized_event(pending["checkout_id"], _id="pi_local_forged"))
    assert (status, body["outcome"]) == (200, "unknown_checkout")
    assert _snapshot(pending)[:3] == before[:3]


def test_unhandled_event_types_are_acknowledged_and_ignored(runtime, pending):
    before = _snapshot(pending)
    status, body = deliver(runtime, event_for(pending["checkout_id"], "charge.refunded"))
    assert (status, body["outcome"]) == (200, "ignored")
    assert _snapshot(pending)[:3] == before[:3]


def test_authorisation_racing_a_cancellation_returns_the_cancelled_goods(runtime, api, seller, other_seller, shopper):
    """The buyer cancels one unpaid order while the card is authorised. Whichever wins, the cancelled
    goods return to stock, its share of the hold is voided, and only the kept order is captured."""
    a = product(api, seller, stock=5, price="2.50")
    b = product(api, other_seller, stock=5, price="1.00")
    placed = place(api, shopper, (a, 2), (b, 1))
    cancelled = next(o for o in placed["orders"] if o["seller_id"] == seller.user_id)
    kept = next(o for o in placed["orders"] if o["seller_id"] == other_seller.user_id)
    with ThreadPoolExecutor(2) as pool:
        cancel = pool.submit(set_status, api, shopper, cancelled["id"], "cancelled")
        authorised = pool.submit(pay, ApiClient(runtime.base_url), placed)
        assert cancel.result().status_code == 200 and authorised.result()["status"] == "authorized"
    sweep()
    assert stock_of(a["id"]) == 5 and not product_doc(a["id"]).get("reservations")
    assert stock_of(b["id"]) == 4 and not product_doc(b["id"]).get("reservations")
    assert order_doc(kept["id"])["status"] == "confirmed"
    assert order_doc(cancelled["id"])["payment_status"] == "voided"
    assert pack(api, other_seller, kept["id"]).status_code == 200
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"], intent["amount_refunded"]) == ("succeeded", 100, 0)


# -- after authorisation: capture and void events --------------------------------------------------


def test_the_capture_event_after_our_capture_changes_nothing(runtime, api, seller, shopper):
    item = product(api, seller, stock=5, price="1.25")
    placed = place_captured(api, shopper, seller, (item, 2))
    before = order_doc(placed["orders"][0]["id"])
    assert flush_webhooks(api)["pending"] == 0
    assert _events(placed["checkout_id"])["payment_intent.succeeded"] == "already_settled"
    after = order_doc(placed["orders"][0]["id"])
    assert (after["payment_status"], after["v"], after["history"]) == ("captured", before["v"], before["history"])
    intent = intent_for(placed["checkout_id"])
    assert (intent["amount_received"], intent["amount_refunded"]) == (250, 0)
    assert checkout_doc(placed["checkout_id"])["refund"] is None


def test_the_void_event_after_every_order_is_cancelled_changes_nothing(runtime, api, seller, shopper):
    item = product(api, seller, stock=5)
    placed = place_confirmed(api, shopper, (item, 2))
    assert set_status(api, shopper, placed["orders"][0]["id"], "cancelled").status_code == 200
    assert flush_webhooks(api)["pending"] == 0
    assert _events(placed["checkout_id"])["payment_intent.canceled"] == "already_settled"
    assert checkout_doc(placed["checkout_id"])["status"] == "voided"
    assert order_doc(placed["orders"][0]["id"])["payment_status"] == "voided"
    assert stock_of(item["id"]) == 5


def test_a_capture_we_did_not_ask_for_is_refunded_and_alarmed(runtime, api, seller, shopper):
    """Money captured outside the checkout (the provider's dashboard, say): all of it goes back."""
    item = product(api, seller, stock=5, price="3.00")
    placed = place_confirmed(api, shopper, (item, 1))
    intent = intent_for(placed["checkout_id"])
    provider().capture(intent["_id"], 300, "captured-by-hand")
    flush_webhooks(api)
    assert _events(placed["checkout_id"])["payment_intent.succeeded"] == "amount_mismatch_refunded"
    intent = intent_for(placed["checkout_id"])
    assert (intent["amount_received"], intent["amount_refunded"]) == (300, 300)
    refund = checkout_doc(placed["checkout_id"])["refund"]
    assert refund["amount_cents"] == 300 and refund["refund_id"]


def test_our_capture_confirmed_by_its_event_after_the_capture_call_failed(runtime, api, seller, shopper, clean_faults):
    """The capture call fails on our side, but the provider captures the same amount under the same key:
    its `payment_intent.succeeded` settles the checkout, and the retried call captures nothing more."""
    item = product(api, seller, stock=5, price="2.00")
    placed = place_confirmed(api, shopper, (item, 2))
    set_fault("capture", 1)
    assert pack(api, seller, placed["orders"][0]["id"], {"line_id": "1", "packed_quantity": 1}).status_code == 200
    assert checkout_doc(placed["checkout_id"])["status"] == "capturing"
    provider().capture(intent_for(placed["checkout_id"])["_id"], 200, f"capture-{placed['checkout_id']}")
    flush_webhooks(api)
    assert _events(placed["checkout_id"])["payment_intent.succeeded"] == "captured"
    assert checkout_doc(placed["checkout_id"])["status"] == "captured"
    assert order_doc(placed["orders"][0]["id"])["payment_status"] == "captured"
    sweep()  # the pending capture effect is replayed: same key, no second capture
    checkout = checkout_doc(placed["checkout_id"])
    assert not checkout["outbox"] and checkout["refund"] is None
    intent = intent_for(placed["checkout_id"])
    assert (intent["amount_received"], intent["amount_refunded"]) == (200, 0)


def test_an_authorisation_voided_at_the_provider_cancels_the_orders(runtime, api, seller, other_seller, shopper):
    a = product(api, seller, stock=5, price="1.00")
    b = product(api, other_seller, stock=5, price="2.00")
    placed = place_confirmed(api, shopper, (a, 2), (b, 1))
    packed = next(o for o in placed["orders"] if o["seller_id"] == seller.user_id)
    waiting = next(o for o in placed["orders"] if o["seller_id"] == other_seller.user_id)
    assert pack(api, seller, packed["id"]).status_code == 200
    provider().cancel(intent_for(placed["checkout_id"])["_id"])  # the hold went away before we captured
    flush_webhooks(api)
    assert _events(placed["checkout_id"])["payment_intent.canceled"] == "authorization_lost"
    for order in (packed, waiting):
        doc = order_doc(order["id"])
        assert (doc["status"], doc["payment_status"]) == ("cancelled", "voided")
        assert doc["cancel_reason"] == "payment_authorization_lost"
    assert checkout_doc(placed["checkout_id"])["status"] == "voided"
    assert stock_of(a["id"]) == 5 and stock_of(b["id"]) == 5
    assert intent_for(placed["checkout_id"])["amount_received"] == 0
