"""POST /api/payments/webhook: Stripe signatures on the raw body, duplicates and out-of-order events."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.orders_support import (
    checkout_doc,
    db,
    deliver,
    drain,
    event_for,
    expire_now,
    intent_for,
    mail,
    order_doc,
    pay,
    place,
    product,
    product_doc,
    set_status,
    stock_of,
    sweep,
    wait_for_mail,
    webhook_url,
)


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

    return serialize_event(event_for(placed["checkout_id"], "payment_intent.succeeded"))


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
    tampered = payload.replace('"amount":400', '"amount":1')
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


def test_signed_with_the_right_secret_pays_the_order(runtime, api, seller, pending):
    status, body = deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded"))
    assert (status, body["outcome"]) == (200, "paid")
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "paid" and order["payment_status"] == "paid"
    assert checkout_doc(pending["checkout_id"])["status"] == "paid"
    item = pending["orders"][0]["items"][0]["product_id"]
    assert stock_of(item) == 3 and not product_doc(item).get("reservations")  # the sale stands


# -- duplicates and ordering -----------------------------------------------------------------------


def test_a_duplicate_event_has_one_effect(runtime, api, seller, shopper, pending):
    event = event_for(pending["checkout_id"], "payment_intent.succeeded")
    assert deliver(runtime, event) == (200, {"received": True, "duplicate": False, "outcome": "paid"})
    first = order_doc(pending["orders"][0]["id"])
    wait_for_mail(api, shopper.email, "Your SmartGrocer order is confirmed")
    wait_for_mail(api, seller.email, "New paid order to pack")
    status, body = deliver(runtime, event)
    assert status == 200 and body["duplicate"] is True
    assert db().payment_events.count_documents({"_id": event["id"]}) == 1
    again = order_doc(pending["orders"][0]["id"])
    assert again["history"] == first["history"] and again["status"] == "paid"
    drain(api)  # every notification the deliveries caused has been sent
    assert len(mail(api, shopper.email, "Your SmartGrocer order is confirmed")) == 1
    assert len(mail(api, seller.email, "New paid order to pack")) == 1


def test_the_same_success_under_a_new_event_id_changes_nothing(runtime, api, shopper, pending):
    deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded"))
    first = order_doc(pending["orders"][0]["id"])
    wait_for_mail(api, shopper.email, "Your SmartGrocer order is confirmed")
    status, body = deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded"))
    assert (status, body["outcome"]) == (200, "already_settled")
    assert order_doc(pending["orders"][0]["id"])["history"] == first["history"]
    assert intent_for(pending["checkout_id"])["amount_refunded"] == 0
    drain(api)
    assert len(mail(api, shopper.email, "Your SmartGrocer order is confirmed")) == 1


def test_concurrent_duplicate_deliveries_have_one_effect(runtime, api, shopper, pending):
    event = event_for(pending["checkout_id"], "payment_intent.succeeded")
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: deliver(runtime, event), range(6)))
    assert {status for status, _ in results} == {200}
    # Which twin reports the effect is a race; that at most one did, and that it happened once, is not.
    assert sum(1 for _, body in results if body.get("outcome") == "paid") <= 1
    assert all(body.get("duplicate") or body.get("outcome") in {"paid", "already_settled"} for _, body in results)
    assert db().payment_events.count_documents({"_id": event["id"]}) == 1
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "paid" and order["payment_status"] == "paid"
    assert intent_for(pending["checkout_id"])["amount_refunded"] == 0
    wait_for_mail(api, shopper.email, "Your SmartGrocer order is confirmed")
    drain(api)
    assert len(mail(api, shopper.email, "Your SmartGrocer order is confirmed")) == 1


def test_failure_after_success_leaves_the_order_paid(runtime, pending):
    deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded"))
    status, body = deliver(runtime, event_for(pending["checkout_id"], "payment_intent.payment_failed"))
    assert (status, body["outcome"]) == (200, "already_settled")
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "paid" and order["payment_status"] == "paid"
    item = pending["orders"][0]["items"][0]["product_id"]
    assert stock_of(item) == 3


def test_declined_card_keeps_the_checkout_open_and_another_card_pays(runtime, api, shopper, pending):
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
    pay(api, pending)  # a good card on the same payment
    order = api.get(f"/api/orders/{pending['orders'][0]['id']}", shopper).json()
    assert order["status"] == "paid" and order["payment_status"] == "paid" and order["payment_error"] is None
    assert stock_of(item) == 3 and not product_doc(item).get("reservations")
    assert api.get(f"/api/checkouts/{pending['checkout_id']}", shopper).json()["payment"] is None


def test_checkout_is_only_its_buyers(api, seller, pending):
    assert api.get(f"/api/checkouts/{pending['checkout_id']}", seller).status_code == 404
    assert api.get("/api/checkouts/nope", seller).status_code == 404


def test_decline_arriving_after_success_changes_nothing_and_success_after_decline_pays(runtime, pending):
    """Out of order: the decline of a first card attempt arrives, then the success of a second one."""
    deliver(runtime, event_for(pending["checkout_id"], "payment_intent.payment_failed"))
    order_id = pending["orders"][0]["id"]
    assert order_doc(order_id)["status"] == "pending_payment"
    status, body = deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded"))
    assert (status, body["outcome"]) == (200, "paid")
    order = order_doc(order_id)
    assert order["status"] == "paid" and order["payment_status"] == "paid"
    assert intent_for(pending["checkout_id"])["amount_refunded"] == 0


def test_expiry_after_declines_marks_the_orders_payment_failed(runtime, pending):
    deliver(runtime, event_for(pending["checkout_id"], "payment_intent.payment_failed"))
    expire_now(pending["checkout_id"])
    sweep()
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "payment_failed" and order["payment_status"] == "failed"
    assert stock_of(pending["orders"][0]["items"][0]["product_id"]) == 5
    assert intent_for(pending["checkout_id"])["status"] == "canceled"


def test_late_payment_for_an_expired_checkout_is_refunded(runtime, pending):
    item = pending["orders"][0]["items"][0]["product_id"]
    expire_now(pending["checkout_id"])
    sweep()
    order_id = pending["orders"][0]["id"]
    assert order_doc(order_id)["status"] == "cancelled" and stock_of(item) == 5
    status, body = deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded"))
    assert (status, body["outcome"]) == (200, "late_payment_refunded")
    order = order_doc(order_id)
    assert order["status"] == "cancelled" and order["payment_status"] == "refunded"
    assert not order["refund_pending"]
    assert intent_for(pending["checkout_id"])["amount_refunded"] == 400
    assert stock_of(item) == 5  # not sold, not restocked twice
    # Delivered again: nothing more is refunded.
    deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded"))
    assert intent_for(pending["checkout_id"])["amount_refunded"] == 400


def test_payment_for_a_partly_cancelled_checkout_refunds_the_cancelled_order(
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
    assert order_doc(kept["id"])["status"] == "paid"
    assert order_doc(cancelled["id"])["payment_status"] == "refunded"
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 100
    assert stock_of(a["id"]) == 5 and stock_of(b["id"]) == 4


def test_amount_mismatch_is_refunded_and_alarmed(runtime, pending):
    item = pending["orders"][0]["items"][0]["product_id"]
    status, body = deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded", amount=1))
    assert (status, body["outcome"]) == (200, "amount_mismatch_refunded")
    order = order_doc(pending["orders"][0]["id"])
    assert order["status"] == "cancelled" and order["payment_status"] == "refunded"
    assert intent_for(pending["checkout_id"])["amount_refunded"] == 1  # all of what arrived goes back
    assert stock_of(item) == 5 and not product_doc(item).get("reservations")
    assert checkout_doc(pending["checkout_id"])["close_reason"] == "amount_mismatch"


def test_currency_mismatch_is_refunded(runtime, pending):
    status, body = deliver(runtime, event_for(pending["checkout_id"], "payment_intent.succeeded", currency="eur"))
    assert (status, body["outcome"]) == (200, "amount_mismatch_refunded")
    assert order_doc(pending["orders"][0]["id"])["status"] == "cancelled"
    assert intent_for(pending["checkout_id"])["amount_refunded"] == 400


def test_event_for_an_unknown_intent_changes_nothing(runtime, pending):
    before = _snapshot(pending)
    status, body = deliver(
        runtime, event_for(pending["checkout_id"], "payment_intent.succeeded", _id="pi_local_forged")
    )
    assert (status, body["outcome"]) == (200, "unknown_checkout")
    assert _snapshot(pending)[:3] == before[:3]


def test_unhandled_event_types_are_acknowledged_and_ignored(runtime, pending):
    before = _snapshot(pending)
    status, body = deliver(runtime, event_for(pending["checkout_id"], "charge.refunded"))
    assert (status, body["outcome"]) == (200, "ignored")
    assert _snapshot(pending)[:3] == before[:3]


def test_payment_racing_a_cancellation_returns_the_cancelled_goods(runtime, api, seller, other_seller, shopper):
    """The buyer cancels one unpaid order while the payment lands. Whichever wins, the cancelled goods
    return to stock and its money goes back, once."""
    a = product(api, seller, stock=5, price="2.50")
    b = product(api, other_seller, stock=5, price="1.00")
    placed = place(api, shopper, (a, 2), (b, 1))
    cancelled = next(o for o in placed["orders"] if o["seller_id"] == seller.user_id)
    kept = next(o for o in placed["orders"] if o["seller_id"] == other_seller.user_id)
    with ThreadPoolExecutor(2) as pool:
        cancel = pool.submit(set_status, api, shopper, cancelled["id"], "cancelled")
        paid = pool.submit(deliver, runtime, event_for(placed["checkout_id"], "payment_intent.succeeded"))
        assert cancel.result().status_code == 200 and paid.result()[0] == 200
    sweep()
    assert stock_of(a["id"]) == 5 and not product_doc(a["id"]).get("reservations")
    assert stock_of(b["id"]) == 4 and not product_doc(b["id"]).get("reservations")
    assert order_doc(kept["id"])["status"] == "paid"
    assert order_doc(cancelled["id"])["payment_status"] == "refunded"
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 500
