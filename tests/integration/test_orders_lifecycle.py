"""Order lifecycle over HTTP: the seller flow, who may cancel when, the card hold voided before
capture, capture once every order is packed or cancelled, refunds after capture, expiry releasing
stock, and the capture, void and refund retries when the provider fails."""

from __future__ import annotations

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import (
    checkout_doc,
    clear_faults,
    db,
    expire_now,
    intent_for,
    order_doc,
    pack,
    pay,
    place,
    place_captured,
    place_confirmed,
    product,
    product_doc,
    set_fault,
    set_status,
    stock_of,
    sweep,
)


@pytest.fixture
def clean_faults(runtime):
    clear_faults()
    yield
    clear_faults()


def _history(order: dict) -> list[str]:
    return [h["status"] for h in order["status_history"]]


def test_seller_moves_a_confirmed_order_to_delivered(api, seller, shopper):
    item = product(api, seller, stock=5, price="4.00")
    placed = place_confirmed(api, shopper, (item, 2))
    order_id = placed["orders"][0]["id"]
    assert intent_for(placed["checkout_id"])["status"] == "requires_capture"  # held, not charged
    for target in ("packed", "out_for_delivery", "delivered"):
        response = set_status(api, seller, order_id, target)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
    fetched = api.get(f"/api/orders/{order_id}", shopper).json()
    assert fetched["status"] == "delivered" and fetched["payment_status"] == "captured"
    # PATCH "packed" is packing exactly as ordered: the final total is the estimate, nothing is released.
    assert (fetched["final_total"], fetched["total"], fetched["released"]) == ("8.00", "8.00", "0.00")
    assert [(i["packed_quantity"], i["final_total"]) for i in fetched["items"]] == [(2, "8.00")]
    assert _history(fetched) == ["pending_payment", "confirmed", "packed", "out_for_delivery", "delivered"]
    assert [h["by"] for h in fetched["status_history"]][2:] == [seller.user_id] * 3
    assert stock_of(item["id"]) == 3 and not product_doc(item["id"]).get("reservations")
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"], intent["amount_refunded"]) == ("succeeded", 800, 0)
    assert checkout_doc(placed["checkout_id"])["status"] == "captured"
    # Delivered is final.
    for target in ("cancelled", "packed", "confirmed", "pending_payment"):
        assert_error(set_status(api, seller, order_id, target), 409, "illegal_transition")
    assert order_doc(order_id)["status"] == "delivered"


@pytest.mark.parametrize(
    "actor,start,target",
    [
        ("admin", "pending_payment", "packed"),
        ("admin", "pending_payment", "confirmed"),
        ("buyer", "pending_payment", "confirmed"),
        ("seller", "confirmed", "out_for_delivery"),
        ("seller", "confirmed", "delivered"),
        ("buyer", "confirmed", "packed"),
        ("seller", "confirmed", "pending_payment"),
        ("seller", "confirmed", "payment_failed"),
        ("buyer", "packed", "cancelled"),
        ("seller", "packed", "cancelled"),
        ("buyer", "packed", "out_for_delivery"),
        ("seller", "packed", "confirmed"),
        ("admin", "delivered", "cancelled"),
    ],
)
def test_illegal_transitions_are_409_and_change_nothing(api, seller, shopper, admin, actor, start, target):
    item = product(api, seller, stock=5)
    placed = place_confirmed(api, shopper, (item, 1)) if start != "pending_payment" else place(api, shopper, (item, 1))
    order_id = placed["orders"][0]["id"]
    path = {"confirmed": [], "packed": ["packed"], "delivered": ["packed", "out_for_delivery", "delivered"]}
    for step in path.get(start, []):
        assert set_status(api, seller, order_id, step).status_code == 200
    before, intent_before = order_doc(order_id), intent_for(placed["checkout_id"])
    account = {"seller": seller, "buyer": shopper, "admin": admin}[actor]
    error = assert_error(set_status(api, account, order_id, target), 409, "illegal_transition")
    assert error["details"] == {"from": start, "to": target}
    after, intent_after = order_doc(order_id), intent_for(placed["checkout_id"])
    assert after["status"] == start and after["payment_status"] == before["payment_status"]
    assert after["history"] == before["history"]
    money = ("status", "amount_capturable", "amount_received", "amount_refunded")
    assert [intent_after[k] for k in money] == [intent_before[k] for k in money]


def test_seller_does_not_see_an_order_until_it_is_confirmed(api, seller, shopper):
    item = product(api, seller, stock=5)
    placed = place(api, shopper, (item, 1))
    order_id = placed["orders"][0]["id"]
    for target in ("packed", "cancelled"):
        assert_error(set_status(api, seller, order_id, target), 404, "not_found")
    assert_error(pack(api, seller, order_id, {"line_id": "1", "packed_quantity": 1}), 404, "not_found")
    assert api.get(f"/api/orders/{order_id}", seller).status_code == 404
    assert order_id not in {o["id"] for o in api.get("/api/seller/orders", seller).json()["items"]}
    assert order_doc(order_id)["status"] == "pending_payment"
    pay(api, placed)
    assert api.get(f"/api/orders/{order_id}", seller).json()["allowed_transitions"] == ["packed", "cancelled"]
    assert order_id in {o["id"] for o in api.get("/api/seller/orders", seller).json()["items"]}


def test_another_seller_cannot_touch_the_order(api, seller, other_seller, shopper):
    item = product(api, seller, stock=5)
    order_id = place_confirmed(api, shopper, (item, 1))["orders"][0]["id"]
    for target in ("packed", "cancelled"):
        error = assert_error(set_status(api, other_seller, order_id, target), 404, "not_found")
        assert order_id not in str(error)
    error = assert_error(pack(api, other_seller, order_id, {"line_id": "1", "packed_quantity": 1}), 404, "not_found")
    assert order_id not in str(error)
    assert order_doc(order_id)["status"] == "confirmed"


def test_unknown_status_value_is_422(api, seller, shopper):
    item = product(api, seller, stock=5)
    order_id = place_confirmed(api, shopper, (item, 1))["orders"][0]["id"]
    for status in ("shipped", "paid"):  # "paid" is no longer a status: it is "confirmed" now
        assert_error(set_status(api, seller, order_id, status), 422, "validation_error")
    response = api.patch(f"/api/orders/{order_id}/status", seller, json={"status": "packed", "paid": True})
    assert_error(response, 422, "validation_error")
    assert order_doc(order_id)["status"] == "confirmed"


# -- cancelling before capture: the hold is voided, nothing is refunded -------------------------------


def test_buyer_cancels_a_confirmed_order_its_hold_is_voided_and_nothing_refunded(api, seller, shopper):
    item = product(api, seller, stock=6, price="19.99")
    placed = place_confirmed(api, shopper, (item, 3))
    order_id = placed["orders"][0]["id"]
    assert stock_of(item["id"]) == 3
    response = set_status(api, shopper, order_id, "cancelled")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["payment_status"], body["released"]) == ("cancelled", "voided", "59.97")
    doc = order_doc(order_id)
    assert doc["payment_status"] == "voided" and not doc["refund_pending"] and doc["refund_id"] is None
    assert doc["cancel_reason"] == "cancelled_by_buyer"
    # Its only order is cancelled: the whole authorisation is released at the provider, nothing charged.
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_capturable"]) == ("canceled", 0)
    assert (intent["amount_received"], intent["amount_refunded"]) == (0, 0)
    assert checkout_doc(placed["checkout_id"])["status"] == "voided"
    assert stock_of(item["id"]) == 6 and not product_doc(item["id"]).get("reservations")
    # A second cancel is refused and changes nothing.
    assert_error(set_status(api, shopper, order_id, "cancelled"), 409, "illegal_transition")
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 0 and stock_of(item["id"]) == 6


def test_cancelling_one_order_of_a_split_checkout_voids_only_its_share(api, seller, other_seller, shopper):
    a = product(api, seller, stock=5, price="2.00")
    b = product(api, other_seller, stock=5, price="3.00")
    placed = place_confirmed(api, shopper, (a, 1), (b, 1))
    mine = next(o for o in placed["orders"] if o["seller_id"] == seller.user_id)
    other = next(o for o in placed["orders"] if o["seller_id"] == other_seller.user_id)
    response = set_status(api, seller, mine["id"], "cancelled")
    assert response.status_code == 200 and response.json()["payment_status"] == "voided"
    assert order_doc(mine["id"])["cancel_reason"] == "cancelled_by_seller"
    assert order_doc(other["id"])["status"] == "confirmed"
    assert order_doc(other["id"])["payment_status"] == "authorized"
    assert stock_of(a["id"]) == 5 and stock_of(b["id"]) == 4
    # The hold stays until the other order is packed; then only that order's total is captured.
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"], intent["amount_refunded"]) == ("requires_capture", 0, 0)
    assert checkout_doc(placed["checkout_id"])["status"] == "authorized"
    assert pack(api, other_seller, other["id"]).status_code == 200
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"], intent["amount_refunded"]) == ("succeeded", 300, 0)
    assert order_doc(other["id"])["payment_status"] == "captured"
    assert order_doc(mine["id"])["payment_status"] == "voided"


def test_cancelling_every_order_of_a_split_checkout_voids_the_whole_authorisation(
    api, seller, other_seller, shopper, admin
):
    a = product(api, seller, stock=5, price="2.00")
    b = product(api, other_seller, stock=5, price="3.00")
    placed = place_confirmed(api, shopper, (a, 1), (b, 2))
    first, second = placed["orders"]
    assert set_status(api, shopper, first["id"], "cancelled").status_code == 200
    assert intent_for(placed["checkout_id"])["status"] == "requires_capture"  # the other order still holds
    assert set_status(api, admin, second["id"], "cancelled").status_code == 200
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"], intent["amount_refunded"]) == ("canceled", 0, 0)
    assert checkout_doc(placed["checkout_id"])["status"] == "voided"
    assert {order_doc(o["id"])["payment_status"] for o in placed["orders"]} == {"voided"}
    assert order_doc(second["id"])["cancel_reason"] == "cancelled_by_admin"
    assert stock_of(a["id"]) == 5 and stock_of(b["id"]) == 5


def test_seller_cancels_before_packing_but_not_after(api, seller, shopper):
    item = product(api, seller, stock=5)
    first = place_confirmed(api, shopper, (item, 1))["orders"][0]["id"]
    assert set_status(api, seller, first, "cancelled").json()["payment_status"] == "voided"
    second = place_confirmed(api, shopper, (item, 1))["orders"][0]["id"]
    assert set_status(api, seller, second, "packed").status_code == 200
    assert_error(set_status(api, seller, second, "cancelled"), 409, "illegal_transition")
    assert_error(set_status(api, shopper, second, "cancelled"), 409, "illegal_transition")
    assert order_doc(second)["status"] == "packed" and stock_of(item["id"]) == 4


# -- capture: once every order of the checkout is packed or cancelled -------------------------------


def test_capture_waits_for_every_order_and_takes_the_packed_totals(api, seller, other_seller, shopper):
    a = product(api, seller, stock=5, price="2.00")
    b = product(api, other_seller, stock=5, price="3.00")
    placed = place_confirmed(api, shopper, (a, 3), (b, 1))
    mine = next(o for o in placed["orders"] if o["seller_id"] == seller.user_id)
    other = next(o for o in placed["orders"] if o["seller_id"] == other_seller.user_id)
    # Packed short: 2 of the 3 ordered; the third goes back on the shelf at once.
    response = pack(api, seller, mine["id"], {"line_id": "1", "packed_quantity": 2})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["final_total"], body["payment_status"]) == ("packed", "4.00", "authorized")
    assert stock_of(a["id"]) == 3
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_capturable"], intent["amount_received"]) == ("requires_capture", 900, 0)
    assert checkout_doc(placed["checkout_id"])["status"] == "authorized"
    assert pack(api, other_seller, other["id"]).status_code == 200
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"], intent["amount_refunded"]) == ("succeeded", 700, 0)
    assert checkout_doc(placed["checkout_id"])["capture"]["amount_cents"] == 700
    checkout = api.get(f"/api/checkouts/{placed['checkout_id']}", shopper).json()
    assert (checkout["status"], checkout["amount"], checkout["captured"]) == ("captured", "9.00", "7.00")
    fetched = api.get(f"/api/orders/{mine['id']}", shopper).json()
    assert (fetched["payment_status"], fetched["final_total"], fetched["released"]) == ("captured", "4.00", "2.00")
    assert stock_of(a["id"]) == 3 and stock_of(b["id"]) == 4


# -- after capture: an admin cancels, the final total is refunded -----------------------------------


def test_admin_cancels_a_captured_order_and_it_is_refunded(api, seller, shopper, admin):
    item = product(api, seller, stock=6, price="19.99")
    placed = place_captured(api, shopper, seller, (item, 3))
    order_id = placed["orders"][0]["id"]
    assert stock_of(item["id"]) == 3
    assert intent_for(placed["checkout_id"])["amount_received"] == 5997
    response = set_status(api, admin, order_id, "cancelled")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled" and response.json()["payment_status"] == "refunded"
    doc = order_doc(order_id)
    assert doc["payment_status"] == "refunded" and not doc["refund_pending"] and doc["refund_id"]
    assert doc["cancel_reason"] == "cancelled_by_admin"
    intent = intent_for(placed["checkout_id"])
    assert intent["amount_refunded"] == doc["final_cents"] == 5997
    assert stock_of(item["id"]) == 6
    # A second cancel is refused and refunds nothing more.
    assert_error(set_status(api, admin, order_id, "cancelled"), 409, "illegal_transition")
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 5997 and stock_of(item["id"]) == 6


def test_admin_cancelling_one_captured_order_of_a_split_checkout_refunds_only_it(
    api, seller, other_seller, shopper, admin
):
    a = product(api, seller, stock=5, price="2.00")
    b = product(api, other_seller, stock=5, price="3.00")
    placed = place_confirmed(api, shopper, (a, 1), (b, 1))
    mine = next(o for o in placed["orders"] if o["seller_id"] == seller.user_id)
    other = next(o for o in placed["orders"] if o["seller_id"] == other_seller.user_id)
    assert pack(api, seller, mine["id"]).status_code == 200
    assert pack(api, other_seller, other["id"]).status_code == 200
    assert intent_for(placed["checkout_id"])["amount_received"] == 500
    assert set_status(api, admin, mine["id"], "cancelled").json()["payment_status"] == "refunded"
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 200
    assert order_doc(other["id"])["status"] == "packed" and order_doc(other["id"])["payment_status"] == "captured"
    assert stock_of(a["id"]) == 5 and stock_of(b["id"]) == 4


def test_admin_cancels_out_for_delivery_with_refund(api, seller, shopper, admin):
    item = product(api, seller, stock=5, price="1.00")
    placed = place_confirmed(api, shopper, (item, 2))
    order_id = placed["orders"][0]["id"]
    for step in ("packed", "out_for_delivery"):
        assert set_status(api, seller, order_id, step).status_code == 200
    response = set_status(api, admin, order_id, "cancelled")
    assert response.status_code == 200 and response.json()["payment_status"] == "refunded"
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 200
    assert stock_of(item["id"]) == 5


def test_admin_cancelling_a_short_packed_order_refunds_what_was_charged_and_restocks_what_was_packed(
    api, seller, shopper, admin
):
    item = product(api, seller, stock=5, price="1.50")
    placed = place_confirmed(api, shopper, (item, 3))
    order_id = placed["orders"][0]["id"]
    assert pack(api, seller, order_id, {"line_id": "1", "packed_quantity": 1}).status_code == 200
    assert stock_of(item["id"]) == 4  # the two not packed went back at packing
    assert intent_for(placed["checkout_id"])["amount_received"] == 150
    response = set_status(api, admin, order_id, "cancelled")
    assert response.status_code == 200 and response.json()["payment_status"] == "refunded"
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 150
    assert stock_of(item["id"]) == 5 and not product_doc(item["id"]).get("reservations")


def test_buyer_cancels_an_unpaid_order_and_stock_returns(api, seller, shopper):
    item = product(api, seller, stock=5)
    placed = place(api, shopper, (item, 4))
    assert stock_of(item["id"]) == 1
    response = set_status(api, shopper, placed["orders"][0]["id"], "cancelled")
    assert response.status_code == 200
    assert response.json()["payment_status"] == "unpaid"
    assert stock_of(item["id"]) == 5 and not product_doc(item["id"]).get("reservations")
    assert checkout_doc(placed["checkout_id"])["status"] == "closed"
    assert checkout_doc(placed["checkout_id"])["close_reason"] == "cancelled"
    assert intent_for(placed["checkout_id"])["status"] == "canceled"
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 0


def test_expiry_releases_stock_and_cancels(runtime, api, seller, shopper):
    item = product(api, seller, stock=5)
    placed = place(api, shopper, (item, 5))
    assert stock_of(item["id"]) == 0
    fresh = place(api, shopper, (product(api, seller, stock=1), 1))  # not yet due: left alone
    expire_now(placed["checkout_id"])
    result = sweep()
    assert result["expired_checkouts"] >= 1
    assert stock_of(item["id"]) == 5 and not product_doc(item["id"]).get("reservations")
    order = api.get(f"/api/orders/{placed['orders'][0]['id']}", shopper).json()
    assert order["status"] == "cancelled" and order["payment_status"] == "unpaid"
    assert order["expires_at"] is None
    assert order_doc(order["id"])["cancel_reason"] == "expired"
    assert (checkout_doc(placed["checkout_id"])["status"], checkout_doc(placed["checkout_id"])["close_reason"]) == (
        "closed",
        "expired",
    )
    assert intent_for(placed["checkout_id"])["status"] == "canceled"
    assert checkout_doc(fresh["checkout_id"])["status"] == "pending_payment"
    # Sweeping again changes nothing; the released stock can be bought again.
    sweep()
    assert stock_of(item["id"]) == 5
    assert place(api, shopper, (item, 5))["orders"][0]["status"] == "pending_payment"


def test_scheduled_expire_function_runs_the_sweep(runtime, api, seller, shopper):
    item = product(api, seller, stock=3)
    placed = place(api, shopper, (item, 3))
    expire_now(placed["checkout_id"])
    result = runtime.pool.invoke(
        "orders_expire", {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    )
    assert result["expired_checkouts"] >= 1
    assert stock_of(item["id"]) == 3
    assert order_doc(placed["orders"][0]["id"])["status"] == "cancelled"


def test_expiry_does_not_touch_confirmed_checkouts(api, seller, shopper):
    item = product(api, seller, stock=3)
    placed = place_confirmed(api, shopper, (item, 2))
    expire_now(placed["checkout_id"])
    sweep()
    assert order_doc(placed["orders"][0]["id"])["status"] == "confirmed"
    assert checkout_doc(placed["checkout_id"])["status"] == "authorized"
    assert intent_for(placed["checkout_id"])["status"] == "requires_capture"
    assert stock_of(item["id"]) == 1


def test_interrupted_checkout_is_cleaned_up_by_the_sweep(api, seller, shopper):
    """A crash between reserving and creating the orders leaves a `reserving` checkout; the sweep undoes it."""
    from datetime import timedelta

    from smartgrocer.domain import checkout_machine, ports
    from smartgrocer.domain.checkout_ports import StockRepository
    from smartgrocer.domain.orders import now

    item = product(api, seller, stock=4)
    checkout_id = "crashed" + item["id"]
    stock = ports.resolve(StockRepository)
    at = now() - timedelta(minutes=5)
    db().checkouts.insert_one(
        checkout_machine.new_checkout(
            checkout_id=checkout_id,
            order_ids=["o" + checkout_id],
            user_id=shopper.user_id,
            buyer_email=shopper.email,
            lines=[{"product_id": item["id"], "quantity": 3}],
            products=stock.active_products([item["id"]]),
            shipping_address={},
            currency="usd",
            at=at,
            expires_at=at,
        )
    )
    assert stock.reserve(item["id"], 3, checkout_id) and stock_of(item["id"]) == 1
    sweep()
    assert stock_of(item["id"]) == 4 and not product_doc(item["id"]).get("reservations")
    assert (checkout_doc(checkout_id)["status"], checkout_doc(checkout_id)["close_reason"]) == ("closed", "interrupted")
    assert order_doc("o" + checkout_id) is None  # never reached payment: never shown


def test_refund_failure_leaves_refund_pending_and_the_sweep_finishes_it(api, seller, shopper, admin, clean_faults):
    item = product(api, seller, stock=5, price="0.33")
    placed = place_captured(api, shopper, seller, (item, 3))
    order_id = placed["orders"][0]["id"]
    set_fault("refund", 2)  # the request tries twice (again once the reversal is recorded): both fail
    response = set_status(api, admin, order_id, "cancelled")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled" and body["payment_status"] == "captured"
    doc = order_doc(order_id)
    assert doc["refund_pending"] and doc["payment_status"] == "captured"
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 0
    assert stock_of(item["id"]) == 5  # the goods are back even though the money is not yet

    result = sweep()
    assert result["effects_applied"] >= 1
    doc = order_doc(order_id)
    assert doc["payment_status"] == "refunded" and not doc["refund_pending"]
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 99
    sweep()  # nothing left to do: no double refund, no double restock
    assert intent_for(placed["checkout_id"])["amount_refunded"] == 99 and stock_of(item["id"]) == 5


def test_capture_failure_leaves_the_checkout_capturing_and_the_sweep_finishes_it(api, seller, shopper, clean_faults):
    item = product(api, seller, stock=5, price="1.10")
    placed = place_confirmed(api, shopper, (item, 3))
    order_id = placed["orders"][0]["id"]
    set_fault("capture", 1)
    response = pack(api, seller, order_id, {"line_id": "1", "packed_quantity": 2})
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["payment_status"]) == ("packed", "authorized")
    assert checkout_doc(placed["checkout_id"])["status"] == "capturing"
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"]) == ("requires_capture", 0)

    result = sweep()
    assert result["effects_applied"] >= 1
    assert checkout_doc(placed["checkout_id"])["status"] == "captured"
    assert order_doc(order_id)["payment_status"] == "captured"
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 220)
    sweep()  # captured once
    assert intent_for(placed["checkout_id"])["amount_received"] == 220 and stock_of(item["id"]) == 3


def test_void_failure_is_retried_by_the_sweep(api, seller, shopper, clean_faults):
    item = product(api, seller, stock=5, price="1.00")
    placed = place_confirmed(api, shopper, (item, 2))
    order_id = placed["orders"][0]["id"]
    set_fault("cancel", 1)
    response = set_status(api, shopper, order_id, "cancelled")
    assert response.status_code == 200, response.text
    assert response.json()["payment_status"] == "voided"
    assert stock_of(item["id"]) == 5
    assert intent_for(placed["checkout_id"])["status"] == "requires_capture"  # the provider did not answer

    assert sweep()["effects_applied"] >= 1
    intent = intent_for(placed["checkout_id"])
    assert (intent["status"], intent["amount_capturable"], intent["amount_received"]) == ("canceled", 0, 0)
    assert not checkout_doc(placed["checkout_id"])["outbox"]
