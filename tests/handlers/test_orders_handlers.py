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
    checkout_doc,
    clear_faults,
    db,
    event_for,
    intent_for,
    order_doc,
    pay,
    product,
    set_fault,
    stock_of,
)

AUTHORISED = "payment_intent.amount_capturable_updated"


def authorised_event(checkout_id: str) -> dict:
    """The provider's event for the checkout's card being authorised for the whole amount."""
    amount = intent_for(checkout_id)["amount"]
    return event_for(checkout_id, AUTHORISED, status="requires_capture", amount_capturable=amount)


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
    payload = serialize_event(authorised_event(placed["checkout_id"]))
    signature = stripe_signature(payload, runtime.env["STRIPE_WEBHOOK_SECRET"])
    response = _webhook(runtime, _webhook_event(runtime, payload, signature, base64_body))
    assert response["statusCode"] == 200 and response["json"]["outcome"] == "authorized"
    order = order_doc(placed["orders"][0]["id"])
    assert (order["status"], order["payment_status"]) == ("confirmed", "authorized")


def test_webhook_without_signature_is_400_and_changes_nothing(runtime, invoke, api, seller, shopper):
    from local.payment_provider import serialize_event

    item = product(api, seller, stock=5)
    placed = _checkout(invoke, shopper, basket((item, 1)))["json"]
    payload = serialize_event(authorised_event(placed["checkout_id"]))
    response = _webhook(runtime, _webhook_event(runtime, payload, None))
    assert_error(response, 400, "invalid_signature")
    assert order_doc(placed["orders"][0]["id"])["status"] == "pending_payment"
    assert db().payment_events.count_documents({"checkout_id": placed["checkout_id"]}) == 0
    assert intent_for(placed["checkout_id"])["status"] == "requires_payment_method"


# -- packing -----------------------------------------------------------------------------------------


@pytest.fixture
def confirmed(invoke, api, seller, shopper):
    """A checkout of 3 x 1.50 from `seller`, its card authorised: the order waits to be packed."""
    item = product(api, seller, stock=5, price="1.50")
    placed = _checkout(invoke, shopper, basket((item, 3)))["json"]
    pay(api, placed)
    (order,) = placed["orders"]
    return {"item": item, "checkout_id": placed["checkout_id"], "order_id": order["id"], "line_id": "1"}


def _pack(invoke, account, order_id: str, body=None, raw_body=None):
    return invoke("POST", f"/api/orders/{order_id}/pack", body=body, raw_body=raw_body, token=account.access_token)


def _lines(line_id: str = "1", **fields) -> dict:
    return {"lines": [{"line_id": line_id, **fields}]}


def _unchanged(confirmed) -> None:
    """Nothing was packed, captured or moved in stock."""
    order = order_doc(confirmed["order_id"])
    assert (order["status"], order["payment_status"], order["final_cents"]) == ("confirmed", "authorized", None)
    assert intent_for(confirmed["checkout_id"])["amount_received"] == 0
    assert stock_of(confirmed["item"]["id"]) == 2


def test_pack_handler_captures_the_packed_total(invoke, seller, confirmed):
    response = _pack(invoke, seller, confirmed["order_id"], _lines(packed_quantity=2))  # one short
    assert response["statusCode"] == 200, response["body"]
    body = response["json"]
    assert (body["status"], body["payment_status"]) == ("packed", "captured")
    assert (body["total"], body["final_total"], body["authorized_amount"], body["released"]) == (
        "3.00",
        "3.00",
        "4.50",
        "1.50",
    )
    assert body["items"][0]["packed_quantity"] == 2 and body["items"][0]["final_total"] == "3.00"
    assert body["allowed_transitions"] == ["out_for_delivery"]
    intent = intent_for(confirmed["checkout_id"])
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 300)
    assert checkout_doc(confirmed["checkout_id"])["status"] == "captured"
    assert stock_of(confirmed["item"]["id"]) == 3  # the unit not packed is back on the shelf


def test_an_admin_may_pack_too(invoke, admin, confirmed):
    response = _pack(invoke, admin, confirmed["order_id"], _lines(packed_quantity=3))
    assert response["statusCode"] == 200 and response["json"]["status"] == "packed", response["body"]


def test_pack_refuses_the_wrong_role_and_foreign_orders(invoke, shopper, other_seller, confirmed):
    body = _lines(packed_quantity=3)
    assert_error(_pack(invoke, shopper, confirmed["order_id"], body), 403, "wrong_role")  # its own buyer
    foreign = _pack(invoke, other_seller, confirmed["order_id"], body)
    missing = _pack(invoke, other_seller, "0" * 24, body)
    assert_error(foreign, 404, "not_found")
    assert foreign["json"] == missing["json"] and confirmed["order_id"] not in foreign["body"]
    assert_error(_pack(invoke, other_seller, "x" * 65, body), 422)
    _unchanged(confirmed)


def test_an_order_awaiting_payment_is_not_packable(invoke, api, seller, shopper, admin):
    item = product(api, seller, stock=5)
    order_id = _checkout(invoke, shopper, basket((item, 1)))["json"]["orders"][0]["id"]
    assert_error(_pack(invoke, seller, order_id, _lines(packed_quantity=1)), 404, "not_found")  # not shown yet
    error = assert_error(_pack(invoke, admin, order_id, _lines(packed_quantity=1)), 409, "illegal_transition")
    assert error["details"] == {"from": "pending_payment", "to": "packed"}
    assert order_doc(order_id)["status"] == "pending_payment"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"lines": []},
        {"lines": "1"},
        {"lines": [{"packed_quantity": 3}]},
        {"lines": [{"line_id": "", "packed_quantity": 3}]},
        {"lines": [{"line_id": "1"}]},
        {"lines": [{"line_id": "1", "packed_quantity": 3, "packed_weight_g": 300}]},
        {"lines": [{"line_id": "1", "packed_quantity": "3"}]},
        {"lines": [{"line_id": "1", "packed_quantity": 3.0}]},
        {"lines": [{"line_id": "1", "packed_quantity": True}]},
        {"lines": [{"line_id": "1", "packed_quantity": -1}]},
        {"lines": [{"line_id": "1", "packed_quantity": 3, "final_total": "0.01"}]},
        {"lines": [{"line_id": "1", "packed_quantity": 3}], "status": "delivered"},
        {"lines": [{"line_id": "1", "packed_quantity": 2, "substitute": {"product_id": "p"}}]},
    ],
)
def test_pack_malformed_bodies_are_422(invoke, seller, confirmed, body):
    assert_error(_pack(invoke, seller, confirmed["order_id"], body), 422, "validation_error")
    _unchanged(confirmed)


def test_pack_malformed_json_and_oversized_bodies(invoke, seller, confirmed):
    from smartgrocer import settings

    assert_error(_pack(invoke, seller, confirmed["order_id"], raw_body='{"lines": ['), 400, "malformed_json")
    padded = json.dumps({**_lines(packed_quantity=3), "pad": "x" * settings.MAX_BODY_BYTES})
    assert_error(_pack(invoke, seller, confirmed["order_id"], raw_body=padded), 413, "payload_too_large")
    _unchanged(confirmed)


@pytest.mark.parametrize(
    "lines, line_id",
    [
        ([{"line_id": "9", "packed_quantity": 3}], "9"),  # no such line
        ([{"line_id": "1", "packed_quantity": 3}, {"line_id": "1", "packed_quantity": 3}], "1"),  # listed twice
        ([{"line_id": "1", "packed_quantity": 4}], "1"),  # more than was ordered
        ([{"line_id": "1", "packed_weight_g": 300}], "1"),  # grams for a unit line
        ([{"line_id": "1", "packed_quantity": 2, "substitute": {"product_id": "0" * 24, "quantity": 1}}], "1"),
    ],
)
def test_pack_lists_that_do_not_fit_the_order_are_422(invoke, seller, confirmed, lines, line_id):
    error = assert_error(_pack(invoke, seller, confirmed["order_id"], {"lines": lines}), 422, "invalid_packing")
    assert line_id in [problem["line_id"] for problem in error["details"]], error
    _unchanged(confirmed)


def test_packing_twice_or_after_a_cancellation_is_409(invoke, api, seller, shopper, confirmed):
    first = _pack(invoke, seller, confirmed["order_id"], _lines(packed_quantity=3))
    assert first["statusCode"] == 200, first["body"]
    error = assert_error(_pack(invoke, seller, confirmed["order_id"], _lines(packed_quantity=1)), 409)
    assert error["code"] == "illegal_transition" and error["details"] == {"from": "packed", "to": "packed"}
    assert order_doc(confirmed["order_id"])["final_cents"] == 450
    assert intent_for(confirmed["checkout_id"])["amount_received"] == 450  # captured once, as first packed

    item = product(api, seller, stock=2)
    placed = _checkout(invoke, shopper, basket((item, 1)))["json"]
    pay(api, placed)
    order_id = placed["orders"][0]["id"]
    cancel = invoke("PATCH", f"/api/orders/{order_id}/status", body={"status": "cancelled"}, token=shopper.access_token)
    assert cancel["statusCode"] == 200 and cancel["json"]["payment_status"] == "voided", cancel["body"]
    error = assert_error(_pack(invoke, seller, order_id, _lines(packed_quantity=1)), 409, "illegal_transition")
    assert error["details"] == {"from": "cancelled", "to": "packed"}
    assert intent_for(placed["checkout_id"])["status"] == "canceled" and stock_of(item["id"]) == 2


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
    assert analytics["json"]["low_stock"] == [
        {"product_id": item["id"], "name": item["name"], "stock": 4, "sold_by": "unit"}
    ]


def test_admin_handlers(invoke, admin, shopper):
    listed = invoke("GET", "/api/admin/users", token=admin.access_token, query=f"q={shopper.email}")
    assert [u["id"] for u in listed["json"]["items"]] == [shopper.user_id]
    assert "password_hash" not in listed["body"]
    assert_error(invoke("GET", "/api/admin/users", token=shopper.access_token), 403, "wrong_role")
    off = invoke(
        "PATCH",
        f"/api/admin/users/{shopper.user_id}",
        body={"is_active": False, "reason": "Handler test"},
        token=admin.access_token,
    )
    assert off["statusCode"] == 200 and off["json"]["is_active"] is False
    assert_error(invoke("GET", "/api/auth/me", token=shopper.access_token), 401, "inactive_account")
    assert_error(
        invoke(
            "PATCH",
            f"/api/admin/users/{admin.user_id}",
            body={"is_active": False, "reason": "Handler test"},
            token=admin.access_token,
        ),
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
        {"detail-type": "OrderConfirmed", "detail": {"order_id": "0" * 24}}, lambda_context("notifier")
    )
    assert nothing["sent"] == []
    # Nor does the receipt of a checkout that does not exist.
    no_receipt = load_handler("notifier").lambda_handler(
        {"detail-type": "CheckoutSettled", "detail": {"order_id": "0" * 24, "status": "captured"}},
        lambda_context("notifier"),
    )
    assert no_receipt["sent"] == []
