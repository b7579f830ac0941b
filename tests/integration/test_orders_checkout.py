"""Checkout over HTTP: atomic stock under contention, all-or-nothing baskets, mass assignment,
money to the cent, and the payment provider failing at checkout."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import (
    ADDRESS,
    basket,
    checkout,
    checkout_doc,
    clear_faults,
    db,
    intent_for,
    order_doc,
    place,
    product,
    product_doc,
    set_fault,
    stock_of,
)
from tests.support import ApiClient


@pytest.fixture
def clean_faults(runtime):
    clear_faults()
    yield
    clear_faults()


def _orders_of(user_id: str) -> int:
    return db().orders.count_documents({"user_id": user_id})


# -- contention ------------------------------------------------------------------------------------


def test_fifty_concurrent_checkouts_for_five_items_sell_exactly_five(runtime, api, seller, unique_email):
    hot = product(api, seller, name="Last Five Mangoes", price="1.25", stock=5)
    with ThreadPoolExecutor(16) as pool:
        shoppers = list(pool.map(lambda i: api.signup(unique_email(f"rush{i}")), range(50)))

    def attempt(account):
        client = ApiClient(runtime.base_url)  # one connection per thread
        return client.post(
            "/api/orders", account, json=basket((hot, 1)), headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=60
        )

    with ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(attempt, shoppers))

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 5, statuses
    assert statuses.count(409) == 45, statuses
    for response in responses:
        if response.status_code == 409:
            error = assert_error(response, 409, "out_of_stock")
            assert "Last Five Mangoes" in error["message"]
            assert error["details"][0]["product_id"] == hot["id"]
            assert error["details"][0]["name"] == "Last Five Mangoes"
            assert error["details"][0]["available"] == 0
    doc = product_doc(hot["id"])
    assert doc["stock"] == 0
    winners = [r.json() for r in responses if r.status_code == 201]
    # Exactly the five winning checkouts hold a reservation of one each; nobody else left a marker.
    assert sorted(doc.get("reservations", {})) == sorted(w["checkout_id"] for w in winners)
    assert set(doc["reservations"].values()) == {1}
    sold = list(db().orders.find({"items.product_id": hot["id"]}))
    assert len(sold) == 5 and {o["status"] for o in sold} == {"pending_payment"}
    assert sum(i["quantity"] for o in sold for i in o["items"]) == 5
    # Losers never got an order or a PaymentIntent.
    loser_ids = {s.user_id for s, r in zip(shoppers, responses, strict=True) if r.status_code == 409}
    assert db().orders.count_documents({"user_id": {"$in": list(loser_ids)}}) == 0


def test_concurrent_multi_unit_checkouts_never_oversell(runtime, api, seller, shopper):
    item = product(api, seller, stock=7)

    def attempt(_):
        return ApiClient(runtime.base_url).post(
            "/api/orders", shopper, json=basket((item, 2)), headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=60
        )

    with ThreadPoolExecutor(12) as pool:
        responses = list(pool.map(attempt, range(12)))
    assert [r.status_code for r in responses].count(201) == 3  # 3 x 2 = 6 <= 7 < 8
    assert stock_of(item["id"]) == 1


# -- all or nothing --------------------------------------------------------------------------------


def test_basket_with_short_last_line_changes_no_stock(api, seller, other_seller, shopper):
    a = product(api, seller, stock=10)
    b = product(api, other_seller, stock=10)
    short = product(api, seller, name="Scarce Saffron", stock=2)
    before_orders = _orders_of(shopper.user_id)
    before_intents = db().local_payment_intents.count_documents({})
    response = checkout(api, shopper, (a, 3), (b, 4), (short, 3))
    error = assert_error(response, 409, "out_of_stock")
    assert "Scarce Saffron" in error["message"]
    assert error["details"] == [
        {
            "product_id": short["id"],
            "name": "Scarce Saffron",
            "requested": 3,
            "available": 2,
            "reason": "insufficient_stock",
        }
    ]
    for p, stock in ((a, 10), (b, 10), (short, 2)):
        doc = product_doc(p["id"])
        assert doc["stock"] == stock
        assert not doc.get("reservations"), doc.get("reservations")
    assert _orders_of(shopper.user_id) == before_orders
    assert db().local_payment_intents.count_documents({}) == before_intents
    rejected = db().checkouts.find_one({"user_id": shopper.user_id}, sort=[("created_at", -1)])
    assert (rejected["status"], rejected["close_reason"]) == ("closed", "rejected")


def test_unknown_or_inactive_product_is_409_and_takes_nothing(api, seller, shopper):
    keep = product(api, seller, stock=5)
    gone = product(api, seller, stock=5)
    assert api.delete(f"/api/products/{gone['id']}", seller).status_code == 204
    for missing in (gone["id"], "f" * 24):
        response = checkout(api, shopper, (keep, 1), (missing, 1))
        error = assert_error(response, 409, "out_of_stock")
        assert [d["product_id"] for d in error["details"]] == [missing]
    assert stock_of(keep["id"]) == 5 and not product_doc(keep["id"]).get("reservations")


def test_duplicate_lines_are_merged_into_one_reservation(api, seller, shopper):
    item = product(api, seller, stock=5, price="1.00")
    placed = place(api, shopper, (item, 2), (item, 3))
    assert stock_of(item["id"]) == 0
    (order,) = placed["orders"]
    assert [(i["product_id"], i["quantity"], i["line_total"]) for i in order["items"]] == [(item["id"], 5, "5.00")]
    assert checkout(api, shopper, (item, 1)).status_code == 409


def test_checkout_splits_basket_per_seller(api, seller, other_seller, shopper):
    a = product(api, seller, price="1.00")
    b = product(api, other_seller, price="2.00")
    placed = place(api, shopper, (a, 1), (b, 2))
    assert {o["seller_id"]: o["total"] for o in placed["orders"]} == {
        seller.user_id: "1.00",
        other_seller.user_id: "4.00",
    }
    assert {o["checkout_id"] for o in placed["orders"]} == {placed["checkout_id"]}
    assert all(
        o["user_id"] == shopper.user_id
        and o["status"] == "pending_payment"
        and o["payment_status"] == "unpaid"
        and o["shipping_address"]["city"] == ADDRESS["city"]
        for o in placed["orders"]
    )
    # One payment for the whole basket, authorised now and captured once the sellers have packed.
    payment = placed["payment"]
    assert (payment["amount"], payment["estimated_total"], payment["capture"]) == ("5.00", "5.00", "manual")
    assert payment["provider"] == "local"
    assert {o["authorized_amount"] for o in placed["orders"]} == {"1.00", "4.00"}
    assert all(o["final_total"] is None and o["released"] is None for o in placed["orders"])
    assert checkout_doc(placed["checkout_id"])["status"] == "pending_payment"
    intent = intent_for(placed["checkout_id"])
    assert (intent["amount"], intent["capture_method"], intent["status"]) == (500, "manual", "requires_payment_method")
    assert (intent["amount_capturable"], intent["amount_received"]) == (0, 0)


# -- mass assignment -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where,field,value",
    [
        ("top", "total", "0.01"),
        ("top", "status", "confirmed"),
        ("top", "user_id", "someone"),
        ("top", "seller_id", "someone"),
        ("top", "price", "0.01"),
        ("top", "payment_status", "captured"),
        ("top", "amount", "0.01"),
        ("item", "price", "0.01"),
        ("item", "unit_price", "0.01"),
        ("item", "total", "0.01"),
        ("item", "seller_id", "someone"),
        ("item", "user_id", "someone"),
        ("item", "status", "confirmed"),
        ("item", "final_total", "0.01"),
        ("item", "packed_quantity", 1),
    ],
)
def test_checkout_rejects_mass_assignment(api, seller, shopper, where, field, value):
    item = product(api, seller, stock=5)
    body = basket((item, 1))
    if where == "top":
        body[field] = value
    else:
        body["items"][0][field] = value
    orders_before, checkouts_before = db().orders.count_documents({}), db().checkouts.count_documents({})
    error = assert_error(checkout(api, shopper, body=body), 422, "validation_error")
    assert any(field in d["loc"] for d in error["details"]), error
    assert db().orders.count_documents({}) == orders_before
    assert db().checkouts.count_documents({}) == checkouts_before
    assert stock_of(item["id"]) == 5


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"product_id": "x", "quantity": 0}],
        [{"product_id": "x", "quantity": -1}],
        [{"product_id": "x", "quantity": 101}],
        [{"product_id": "x"}],
    ],
)
def test_checkout_rejects_bad_lines(api, shopper, items):
    assert_error(checkout(api, shopper, body={"items": items, "shipping_address": ADDRESS}), 422, "validation_error")


def test_checkout_requires_a_signed_in_user(api, seller):
    item = product(api, seller, stock=1)
    assert_error(api.post("/api/orders", json=basket((item, 1))), 401)
    assert stock_of(item["id"]) == 1


# -- money -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines,expected_total,expected_cents",
    [
        ([("0.10", 1), ("0.20", 1)], "0.30", 30),
        ([("0.33", 3)], "0.99", 99),
        ([("19.99", 3)], "59.97", 5997),
        ([("0.10", 1), ("0.20", 1), ("0.33", 3), ("19.99", 3), ("0.01", 7)], "61.33", 6133),
        ([("0.29", 1), ("0.57", 3), ("1.15", 7)], "10.05", 1005),  # each goes wrong through a float
    ],
)
def test_totals_are_exact_to_the_cent(api, seller, shopper, lines, expected_total, expected_cents):
    products = [(product(api, seller, price=price, stock=10), qty) for price, qty in lines]
    placed = place(api, shopper, *products)
    (order,) = placed["orders"]
    assert order["total"] == expected_total
    assert placed["payment"]["amount"] == expected_total
    for (p, qty), line in zip(sorted(products, key=lambda x: x[0]["id"]), order["items"], strict=True):
        assert line["product_id"] == p["id"] and line["unit_price"] == p["price"]
        cents = int(p["price"].replace(".", "")) * qty
        assert line["line_total"] == f"{cents // 100}.{cents % 100:02d}"
    assert order_doc(order["id"])["total_cents"] == expected_cents
    assert checkout_doc(placed["checkout_id"])["amount_cents"] == expected_cents
    assert intent_for(placed["checkout_id"])["amount"] == expected_cents


def test_payment_amount_is_the_sum_over_sellers(api, seller, other_seller, shopper):
    a = product(api, seller, price="0.10")
    b = product(api, other_seller, price="0.20")
    c = product(api, other_seller, price="0.33")
    placed = place(api, shopper, (a, 1), (b, 1), (c, 3))
    assert sorted(o["total"] for o in placed["orders"]) == ["0.10", "1.19"]
    assert placed["payment"]["amount"] == "1.29"
    assert intent_for(placed["checkout_id"])["amount"] == 129


# -- the payment provider failing ------------------------------------------------------------------


def test_provider_down_at_checkout_is_503_and_releases_everything(api, seller, shopper, clean_faults):
    item = product(api, seller, stock=4, price="3.00")
    set_fault("create", 1)
    key = uuid.uuid4().hex
    response = checkout(api, shopper, (item, 3), key=key)
    error = assert_error(response, 503, "payment_provider_unavailable")
    assert int(response.headers["Retry-After"]) > 0
    assert "charged" in error["message"].lower()
    assert stock_of(item["id"]) == 4 and not product_doc(item["id"]).get("reservations")
    assert not list(db().orders.find({"user_id": shopper.user_id}))  # never reached payment: never shown
    closed = db().checkouts.find_one({"user_id": shopper.user_id})
    assert (closed["status"], closed["close_reason"]) == ("closed", "payment_provider_error")
    assert db().local_payment_faults.find_one({"_id": "create"})["remaining"] == 0

    retry = checkout(api, shopper, (item, 3), key=key)
    assert retry.status_code == 201, retry.text
    again = checkout(api, shopper, (item, 3), key=key)
    assert again.status_code == 201 and again.json()["checkout_id"] == retry.json()["checkout_id"]
    assert stock_of(item["id"]) == 1
    live = list(db().orders.find({"user_id": shopper.user_id, "status": "pending_payment"}))
    assert [o["checkout_id"] for o in live] == [retry.json()["checkout_id"]]
    assert db().local_payment_intents.count_documents({"metadata.checkout_id": retry.json()["checkout_id"]}) == 1
