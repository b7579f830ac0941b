"""Checkout with delivery windows, pickup, fees and minimum orders (DESIGN.md section 12), over HTTP:
each seller's window is checked and a place in it taken with the stock; the fee is authorised and
captured with the order and goes to the seller whole; a cancelled or expired order gives its place
back; 50 shoppers racing for the last 5 places get exactly 5 orders."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import (
    ADDRESS,
    basket_line,
    cents,
    checkout_doc,
    db,
    expire_now,
    order_for,
    pack,
    pay,
    product,
    set_status,
    sweep,
)

EVERY_DAY = [{"weekday": day, "start": "00:00", "end": "23:59", "capacity": 20} for day in range(7)]


def settings(delivery: dict | None = None, pickup: dict | None = None, capacity: int = 20) -> dict:
    slots = [{**slot, "capacity": capacity} for slot in EVERY_DAY]
    return {
        "timezone": "UTC",
        "delivery": {
            "enabled": True,
            "fee": "4.00",
            "free_over": "40.00",
            "min_order": "5.00",
            "cutoff_hours": 0,
            "slots": slots,
            **(delivery or {}),
        },
        "pickup": {"enabled": True, "address": "1 Mill Lane", "cutoff_hours": 0, "slots": slots, **(pickup or {})},
    }


def set_up(api, seller, **kw) -> None:
    response = api.put("/api/seller/fulfilment", seller, json=settings(**kw))
    assert response.status_code == 200, response.text


def windows(api, seller, method: str = "delivery") -> list[dict]:
    response = api.get(f"/api/sellers/{seller.user_id}/slots?days=6")
    assert response.status_code == 200, response.text
    return [w for w in response.json()["items"] if w["method"] == method]


def body(*lines, fulfilment: dict | None = None) -> dict:
    return {
        "items": [basket_line(p, q) for p, q in lines],
        "shipping_address": dict(ADDRESS),
        "fulfilment": fulfilment or {},
    }


def choose(seller, window: dict) -> dict:
    return {seller.user_id: {"method": window["method"], "slot_id": window["slot_id"]}}


def window_problems(seller, window: dict) -> list[dict]:
    """What the reconciler's capacity check says about this window (other tests' windows are theirs)."""
    from smartgrocer.domain.reconciler import window_violations

    sweep()
    return [v for v in window_violations() if v["window"] == f"{seller.user_id}:{window['slot_id']}"]


def taken(seller, window: dict) -> int:
    doc = db().windows.find_one({"_id": f"{seller.user_id}:{window['slot_id']}"})
    return int(doc["taken"]) if doc else 0


def test_the_delivery_fee_is_authorised_captured_and_paid_to_the_seller(api, shopper, seller, other_seller):
    set_up(api, seller)
    loaf = product(api, seller, price="6.00", stock=20)
    milk = product(api, other_seller, price="1.10", stock=20)  # the other seller arranges delivery themselves
    window = windows(api, seller)[0]
    response = api.post("/api/orders", shopper, json=body((loaf, 2), (milk, 1), fulfilment=choose(seller, window)))
    assert response.status_code == 201, response.text
    placed = response.json()
    farm = order_for(placed, seller)
    assert (farm["delivery_fee"], farm["estimated_total"], farm["fulfilment"]["slot_id"]) == (
        "4.00",
        "16.00",
        window["slot_id"],
    )
    assert order_for(placed, other_seller)["fulfilment"] is None
    assert cents(placed["payment"]["amount"]) == 1600 + 110
    assert taken(seller, window) == 1
    pay(api, placed)
    for who, order in ((seller, farm), (other_seller, order_for(placed, other_seller))):
        assert pack(api, who, order["id"]).status_code == 200
    packed = api.get(f"/api/orders/{farm['id']}", seller).json()
    assert (packed["final_total"], packed["payout"]["commission"], packed["payout"]["net"]) == (
        "16.00",
        "1.20",
        "14.80",
    )
    assert checkout_doc(placed["checkout_id"])["capture"]["amount_cents"] == 1600 + 110


def test_free_delivery_over_the_threshold_and_pickup_is_free(api, shopper, seller):
    set_up(api, seller)
    cheese = product(api, seller, price="20.00", stock=20)
    delivery = windows(api, seller)[0]
    placed = api.post("/api/orders", shopper, json=body((cheese, 2), fulfilment=choose(seller, delivery))).json()
    assert placed["orders"][0]["delivery_fee"] == "0.00"  # 40.00 reaches the threshold
    pickup = windows(api, seller, "pickup")[0]
    response = api.post("/api/orders", shopper, json=body((cheese, 1), fulfilment=choose(seller, pickup)))
    order = response.json()["orders"][0]
    assert (order["delivery_fee"], order["fulfilment"]["method"], order["fulfilment"]["address"]) == (
        "0.00",
        "pickup",
        "1 Mill Lane",
    )


def test_every_unhappy_choice_names_the_seller_and_takes_nothing(api, shopper, seller, other_seller):
    set_up(api, seller, pickup={"enabled": False, "slots": []})
    loaf = product(api, seller, price="6.00", stock=5)
    cheap = product(api, seller, price="1.00", stock=5)
    window = windows(api, seller)[0]
    before = taken(seller, window)
    cases = [
        (body((loaf, 1)), 422, "fulfilment_required"),
        (body((cheap, 1), fulfilment=choose(seller, window)), 422, "below_minimum_order"),
        (
            body((loaf, 1), fulfilment={seller.user_id: {"method": "pickup", "slot_id": "pickup-2026-12-01-09:00"}}),
            422,
            "method_not_offered",
        ),
        (
            body(
                (loaf, 1), fulfilment={seller.user_id: {"method": "delivery", "slot_id": "delivery-2020-01-01-09:00"}}
            ),
            422,
            "window_closed",
        ),
        (body((loaf, 1), fulfilment={seller.user_id: {"method": "delivery", "slot_id": "delivery-nope"}}), 422, None),
        (
            body(
                (loaf, 1),
                fulfilment={
                    **choose(seller, window),
                    other_seller.user_id: {"method": "delivery", "slot_id": window["slot_id"]},
                },
            ),
            422,
            "invalid_fulfilment",
        ),
    ]
    for request, status, code in cases:
        response = api.post("/api/orders", shopper, json=request)
        error = assert_error(response, status, code)
        if code in ("fulfilment_required", "below_minimum_order", "method_not_offered", "window_closed"):
            assert "Test User" in error["message"] or seller.user_id in str(error["details"]), error
    assert taken(seller, window) == before
    assert api.get(f"/api/products/{loaf['id']}").json()["stock"] == 5


def test_a_full_window_is_a_409_and_nothing_is_held(api, shopper, seller):
    set_up(api, seller, capacity=1)
    loaf = product(api, seller, price="6.00", stock=5)
    window = windows(api, seller)[0]
    assert api.post("/api/orders", shopper, json=body((loaf, 1), fulfilment=choose(seller, window))).status_code == 201
    assert windows(api, seller)[0]["remaining"] == 0 or windows(api, seller)[0]["slot_id"] != window["slot_id"]
    response = api.post("/api/orders", shopper, json=body((loaf, 1), fulfilment=choose(seller, window)))
    assert_error(response, 409, "window_full")
    assert api.get(f"/api/products/{loaf['id']}").json()["stock"] == 4  # the first order's only
    assert taken(seller, window) == 1


def test_cancelled_and_expired_orders_give_their_place_back(api, shopper, seller):
    set_up(api, seller, capacity=5)
    loaf = product(api, seller, price="6.00", stock=10)
    window = windows(api, seller)[0]
    first = api.post("/api/orders", shopper, json=body((loaf, 1), fulfilment=choose(seller, window))).json()
    second = api.post("/api/orders", shopper, json=body((loaf, 1), fulfilment=choose(seller, window))).json()
    assert taken(seller, window) == 2
    assert set_status(api, shopper, first["orders"][0]["id"], "cancelled").status_code == 200
    assert taken(seller, window) == 1
    expire_now(second["checkout_id"])
    sweep()
    assert taken(seller, window) == 0
    assert not window_problems(seller, window)


def test_fifty_shoppers_racing_for_the_last_five_places_get_exactly_five(api, seller, unique_email):
    set_up(api, seller, capacity=5)
    loaf = product(api, seller, price="6.00", stock=100)
    window = windows(api, seller)[0]
    shoppers = [api.signup(unique_email("racer")) for _ in range(50)]

    def attempt(account):
        return api.post(
            "/api/orders",
            account,
            json=body((loaf, 1), fulfilment=choose(seller, window)),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(attempt, shoppers))
    assert statuses.count(201) == 5, statuses
    assert set(statuses) == {201, 409}
    assert taken(seller, window) == 5
    assert api.get(f"/api/products/{loaf['id']}").json()["stock"] == 95  # the losers held nothing
    assert not window_problems(seller, window)


@pytest.mark.parametrize(
    "bad", [{"x": {"method": "delivery", "slot_id": "delivery-2026-12-01-09:00"}}, {"s": {"method": "boat"}}, []]
)
def test_malformed_fulfilment_is_refused(api, shopper, seller, bad):
    loaf = product(api, seller, price="6.00", stock=5)
    response = api.post("/api/orders", shopper, json={**body((loaf, 1)), "fulfilment": bad})
    assert response.status_code == 422, response.text
    assert api.get(f"/api/products/{loaf['id']}").json()["stock"] == 5
