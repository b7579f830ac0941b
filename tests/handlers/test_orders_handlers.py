"""Order, payment, seller, admin and background handlers called in-process with API Gateway v2 events
(and EventBridge / schedule events for the background functions)."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from tests.handlers.helpers import assert_error
from tests.integration.orders_support import (
    ADDRESS,
    basket,
    clear_faults,
    db,
    event_for,
    intent_for,
    order_doc,
    product,
    set_fault,
    stock_of,
)


def _checkout(invoke, account, body, key: str | None = None, headers: dict | None = None):
    return invoke(
        "POST",
        "/api/orders",
        body=body,
        token=account.access_token,
        headers={**({"idempotency-key": key} if key else {}), **(headers or {})},
    )


def test_checkout_201_shape_and_money_strings(invoke, api, seller, shopper):
    item = product(api, seller, price="0.10", stock=3)
    response = _checkout(invoke, shopper, basket((item, 3)))
    assert response["statusCode"] == 201, response["body"]
    body = response["json"]
    assert set(body) == {"checkout_id", "orders", "payment"}
    (order,) = body["orders"]
    assert order["total"] == "0.30" and order["items"][0]["unit_price"] == "0.10"
    assert order["items"][0]["line_total"] == "0.30" and order["status"] == "pending_payment"
    assert order["expires_at"] and order["shipping_address"] == {**ADDRESS, "line2": None, "phone": None}
    assert body["payment"]["amount"] == "0.30" and body["payment"]["client_secret"].startswith("pi_local_")
    assert not {"total_cents", "buyer_email", "history", "k_created", "_id"} & set(order)
    assert response["headers"].get("X-Content-Type-Options") == "nosniff"
    assert stock_of(item["id"]) == 0


def test_checkout_idempotency_header_is_honoured_in_process(invoke, api, seller, shopper):
    item = product(api, seller, stock=5)
    key = uuid.uuid4().hex
    first = _checkout(invoke, shopper, basket((item, 1)), key)
    second = _checkout(invoke, shopper, basket((item, 1)), key)
    assert first["statusCode"] == second["statusCode"] == 201
    assert first["json"]["checkout_id"] == second["json"]["checkout_id"]
    assert stock_of(item["id"]) == 4
    long_key = _checkout(invoke, shopper, basket((item, 1)), "k" * 256)
    assert_error(long_key, 422)
    assert stock_of(item["id"]) == 4


def test_anonymous_checkout_is_401_before_validation(invoke):
    response = invoke("POST", "/api/orders", body={"items": [], "price": "0.01"})
    error = assert_error(response, 401, "missing_token")
    assert "items" not in json.dumps(error)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b.update(total="0.01"),
        lambda b: b.update(status="paid"),
        lambda b: b["items"][0].update(price="0.01"),
        lambda b: b["items"][0].update(seller_id="x"),
        lambda b: b["shipping_address"].update(user_id="x"),
    ],
)
def test_checkout_mass_assignment_is_422(invoke, api, seller, shopper, tamper):
    item = product(api, seller, stock=5)
    body = basket((item, 1))
    tamper(body)
    before = db().orders.count_documents({})
    assert_error(_checkout(invoke, shopper, body), 422, "validation_error")
    assert db().orders.count_documents({}) == before and stock_of(item["id"]) == 5


def test_checkout_malformed_and_oversized_bodies(invoke, shopper):
    response = invoke("POST", "/api/orders", raw_body='{"items": [', token=shopper.access_token)
    assert_error(response, 400, "malformed_json")
    huge = json.dumps({"items": [{"product_id": "x" * 60, "quantity": 1}] * 2000, "shipping_address": ADDRESS})
    assert_error(invoke("POST", "/api/orders", raw_body=huge, token=shopper.access_token), 413)


def test_checkout_provider_outage_is_503_with_retry_after(invoke, api, seller, shopper):
    item = product(api, seller, stock=2)
    clear_faults()
    set_fault("create", 1)
    try:
        response = _checkout(invoke, shopper, basket((item, 2)))
    finally:
        clear_faults()
    assert_error(response, 503, "payment_provider_unavailable")
    assert int(response["headers"]["Retry-After"]) >= 1
    assert stock_of(item["id"]) == 2


def test_get_order_404_is_identical_for_missing_and_foreign(invoke, api, seller, shopper, other_seller):
    item = product(api, seller, stock=5)
    order_id = _checkout(invoke, shopper, basket((item, 1)))["json"]["orders"][0]["id"]
    own = invoke("GET", f"/api/orders/{order_id}", token=shopper.access_token)
    assert own["statusCode"] == 200 and own["json"]["id"] == order_id
    foreign = invoke("GET", f"/api/orders/{order_id}", token=other_seller.access_token)
    missing = invoke("GET", "/api/orders/" + "0" * 24, token=other_seller.access_token)
    assert_error(foreign, 404, "not_found")
    assert foreign["json"] == missing["json"] and order_id not in foreign["body"]
    assert_error(invoke("GET", "/api/orders/" + "x" * 65, token=shopper.access_token), 422)


def test_status_update_handler(invoke, api, seller, shopper):
    item = product(api, seller, stock=5)
    order_id = _checkout(invoke, shopper, basket((item, 1)))["json"]["orders"][0]["id"]
    # Awaiting payment: not the seller's yet (404); the buyer cannot pack it (409).
    assert_error(
        invoke("PATCH", f"/api/orders/{order_id}/status", body={"status": "packed"}, token=seller.access_token),
        404,
        "not_found",
    )
    error = assert_error(
        invoke("PATCH", f"/api/orders/{order_id}/status", body={"status": "packed"}, token=shopper.access_token),
        409,
        "illegal_transition",
    )
    assert error["details"] == {"from": "pending_payment", "to": "packed"}
    assert_error(
        invoke("PATCH", f"/api/orders/{order_id}/status", body={"status": "bogus"}, token=seller.access_token), 422
    )
    done = invoke("PATCH", f"/api/orders/{order_id}/status", body={"status": "cancelled"}, token=shopper.access_token)
    assert done["statusCode"] == 200 and done["json"]["status"] == "cancelled"
    assert [h["status"] for h in done["json"]["status_history"]] == ["pending_payment", "cancelled"]
    assert stock_of(item["id"]) == 5


# -- webhook -----------------------------------------------------------------------------------------


def _webhook_event(runtime, payload: str, signature: str | None, base64_body: bool = False) -> dict:
    from local.apigw import http_event, match_route

    route, params, _ = match_route("POST", "/api/payments/webhook")
    headers = {"content-type": "application/json", **({"stripe-signature": signature} if signature else {})}
    event = http_event(route, "POST", "/api/payments/webhook", params, "", headers, payload)
    if base64_body:
        event["body"], event["isBase64Encoded"] = base64.b64encode(payload.encode()).decode(), True
    return event


def _webhook(runtime, event: dict) -> dict:
    from local.apigw import decode_body, lambda_context, load_handler

    response = load_handler("payments_webhook").lambda_handler(event, lambda_context("payments_webhook"))
    response["json"] = json.loads(decode_body(response) or b"null")
    return response


@pytest.mark.parametrize("base64_body", [False, True])
def test_webhook_verifies_the_raw_body_plain_or_base64(runtime, invoke, api, seller, shopper, base64_body):
    from local.payment_provider import serialize_event, stripe_signature

    item = product(api, seller, stock=5, price="1.00")
    placed = _checkout(invoke, shopper, basket((item, 2)))["json"]
    payload = serialize_event(event_for(placed["checkout_id"], "payment_intent.succeeded"))
    signature = stripe_signature(payload, runtime.env["STRIPE_WEBHOOK_SECRET"])
    response = _webhook(runtime, _webhook_event(runtime, payload, signature, base64_body))
    assert response["statusCode"] == 200 and response["json"]["outcome"] == "paid"
    assert order_doc(placed["orders"][0]["id"])["status"] == "paid"


def test_webhook_without_signature_is_400_and_changes_nothing(runtime, invoke, api, seller, shopper):
    from local.payment_provider import serialize_event

    item = product(api, seller, stock=5)
    placed = _checkout(invoke, shopper, basket((item, 1)))["json"]
    payload = serialize_event(event_for(placed["checkout_id"], "payment_intent.succeeded"))
    response = _webhook(runtime, _webhook_event(runtime, payload, None))
    assert_error(response, 400, "invalid_signature")
    assert order_doc(placed["orders"][0]["id"])["status"] == "pending_payment"
    assert db().payment_events.count_documents({"checkout_id": placed["checkout_id"]}) == 0
    assert intent_for(placed["checkout_id"])["status"] == "requires_payment_method"


# -- listings, seller, admin -------------------------------------------------------------------------


def test_my_orders_and_seller_orders_handlers(invoke, api, seller, shopper):
    item = product(api, seller, stock=5)
    order_id = _checkout(invoke, shopper, basket((item, 1)))["json"]["orders"][0]["id"]
    mine = invoke("GET", "/api/orders/my-orders", token=shopper.access_token, query="limit=5")
    assert [o["id"] for o in mine["json"]["items"]] == [order_id]
    assert mine["json"]["items"][0]["allowed_transitions"] == ["cancelled"]
    incoming = invoke("GET", "/api/seller/orders", token=seller.access_token, query="status=pending_payment")
    assert incoming["statusCode"] == 200 and incoming["json"]["items"] == []  # unpaid: not shown to sellers
    assert_error(invoke("GET", "/api/seller/orders", token=shopper.access_token), 403, "wrong_role")
    analytics = invoke("GET", "/api/seller/analytics", token=seller.access_token)
    assert analytics["statusCode"] == 200 and len(analytics["json"]["revenue_by_day"]) == 30
    assert analytics["json"]["low_stock"] == [{"product_id": item["id"], "name": item["name"], "stock": 4}]


def test_admin_handlers(invoke, admin, shopper):
    listed = invoke("GET", "/api/admin/users", token=admin.access_token, query=f"q={shopper.email}")
    assert [u["id"] for u in listed["json"]["items"]] == [shopper.user_id]
    assert "password_hash" not in listed["body"]
    assert_error(invoke("GET", "/api/admin/users", token=shopper.access_token), 403, "wrong_role")
    off = invoke("PATCH", f"/api/admin/users/{shopper.user_id}", body={"is_active": False}, token=admin.access_token)
    assert off["statusCode"] == 200 and off["json"]["is_active"] is False
    assert_error(invoke("GET", "/api/auth/me", token=shopper.access_token), 401, "inactive_account")
    assert_error(
        invoke("PATCH", f"/api/admin/users/{admin.user_id}", body={"is_active": False}, token=admin.access_token),
        409,
        "self_deactivation",
    )


# -- background functions ----------------------------------------------------------------------------


def test_orders_expire_handler(invoke, api, seller, shopper):
    from local.apigw import lambda_context, load_handler
    from tests.integration.orders_support import expire_now

    item = product(api, seller, stock=2)
    placed = _checkout(invoke, shopper, basket((item, 2)))["json"]
    expire_now(placed["checkout_id"])
    result = load_handler("orders_expire").lambda_handler(
        {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}, lambda_context("orders_expire")
    )
    assert result["expired_checkouts"] >= 1 and result["stock_violations"] == 0
    assert stock_of(item["id"]) == 2 and order_doc(placed["orders"][0]["id"])["status"] == "cancelled"


def test_notifier_handler_sends_and_reports(runtime, unique_email):
    from local.apigw import lambda_context, load_handler
    from local.mail import sent_messages

    email = unique_email("notified")
    event = {
        "source": "smartgrocer.accounts",
        "detail-type": "UserSignedUp",
        "detail": {"user_id": "u1", "email": email, "full_name": "Nora <b>Notified</b>"},
    }
    result = load_handler("notifier").lambda_handler(event, lambda_context("notifier"))
    (sent,) = result["sent"]
    assert sent["to"] == email and sent["subject"] == "Welcome to SmartGrocer" and sent["message_id"]
    (message,) = [m for m in sent_messages(runtime.env["AWS_ENDPOINT_URL"]) if email in m["to"]]
    assert "Nora &lt;b&gt;Notified&lt;/b&gt;" in str(message["body"])
    # An order event for an order that does not exist sends nothing (and does not crash).
    nothing = load_handler("notifier").lambda_handler(
        {"detail-type": "OrderPaid", "detail": {"order_id": "0" * 24}}, lambda_context("notifier")
    )
    assert nothing["sent"] == []
