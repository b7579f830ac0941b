"""Order numbers: every order gets a short one at checkout, kept by retries, shown wherever the order is,
unique, found by admins however it is typed; orders placed before numbers get one from the backfill."""

from __future__ import annotations

import uuid

from smartgrocer.domain.order_numbers import is_number
from tests.integration.helpers import assert_error
from tests.integration.orders_support import (
    checkout,
    checkout_doc,
    db,
    order_doc,
    place,
    place_confirmed,
    product,
    set_status,
)


def _find(api, account, number: str):
    return api.get("/api/admin/orders", account, params={"number": number})


def test_checkout_numbers_every_order_and_a_retry_keeps_the_numbers(api, seller, other_seller, shopper):
    mine, theirs = product(api, seller), product(api, other_seller)
    key = uuid.uuid4().hex
    first = checkout(api, shopper, (mine, 1), (theirs, 2), key=key)
    assert first.status_code == 201, first.text
    numbers = {o["id"]: o["number"] for o in first.json()["orders"]}
    assert len(numbers) == 2 and all(is_number(n) for n in numbers.values()) and len(set(numbers.values())) == 2
    again = checkout(api, shopper, (mine, 1), (theirs, 2), key=key)  # the client's retry
    assert {o["id"]: o["number"] for o in again.json()["orders"]} == numbers
    for order_id, number in numbers.items():
        assert api.get(f"/api/orders/{order_id}", shopper).json()["number"] == number
        assert order_doc(order_id)["number"] == number
        assert db().order_numbers.find_one({"_id": number})["order_id"] == order_id  # claimed for it
    checkout_id = first.json()["checkout_id"]
    assert {oid: o["number"] for oid, o in checkout_doc(checkout_id)["orders"].items()} == numbers
    shown = api.get("/api/orders/my-orders", shopper).json()["items"]
    assert {o["id"]: o["number"] for o in shown} == numbers
    assert {o["number"] for o in api.get(f"/api/checkouts/{checkout_id}", shopper).json()["orders"]} == set(
        numbers.values()
    )


def test_the_seller_sees_the_number_in_their_orders(api, seller, shopper):
    placed = place_confirmed(api, shopper, (product(api, seller), 1))
    number = placed["orders"][0]["number"]
    listed = api.get("/api/seller/orders", seller).json()["items"]
    assert [o["number"] for o in listed if o["id"] == placed["orders"][0]["id"]] == [number]


def test_numbers_are_unique_across_orders(api, seller, shopper):
    item = product(api, seller, stock=50)
    numbers = [place(api, shopper, (item, 1))["orders"][0]["number"] for _ in range(8)]
    assert len(set(numbers)) == 8
    stored = [d["number"] for d in db().orders.find({"number": {"$in": numbers}}, {"number": 1})]
    assert sorted(stored) == sorted(numbers)


def test_admin_finds_an_order_by_its_number_however_it_is_typed(api, seller, shopper, admin):
    placed = place(api, shopper, (product(api, seller), 1))
    order = placed["orders"][0]
    number = order["number"]
    compact = number.replace("-", "")
    for typed in (number, number.lower(), compact, compact.lower(), compact[2:], f" {number} "):
        response = _find(api, admin, typed)
        assert response.status_code == 200, (typed, response.text)
        found = response.json()["items"]
        assert [(o["id"], o["number"]) for o in found] == [(order["id"], number)], typed
    assert found[0]["allowed_transitions"] == ["cancelled"]  # the admin's own view: they may cancel it


def test_admin_search_for_an_unknown_or_malformed_number(api, admin):
    unknown = "SG-ZZZZ-ZZ"
    if db().orders.find_one({"number": unknown}):  # one in a billion: pick another that nobody has
        unknown = "SG-ZZZZ-ZY"
    response = _find(api, admin, unknown)
    assert response.status_code == 200 and response.json() == {"items": [], "next_cursor": None}
    error = assert_error(_find(api, admin, "SG-12"), 422, "invalid_order_number")
    assert "SG-7K3F-92" in error["message"]
    assert_error(_find(api, admin, "SG-UUUU-UU"), 422, "invalid_order_number")  # U is not in the alphabet
    assert_error(api.get("/api/admin/orders", admin), 422)  # the number is required
    assert_error(_find(api, admin, "S" * 33), 422)  # oversized


def test_only_admins_search_orders_by_number(api, seller, shopper):
    placed = place(api, shopper, (product(api, seller), 1))
    number = placed["orders"][0]["number"]
    assert_error(_find(api, shopper, number), 403)  # not even the order's own shopper
    assert_error(_find(api, seller, number), 403)
    assert_error(_find(api, None, number), 401)


def test_the_backfill_numbers_orders_placed_before_numbers_once(api, seller, shopper):
    from smartgrocer.indexes import backfill_order_numbers

    placed = place(api, shopper, (product(api, seller), 1))
    order_id, checkout_id = placed["orders"][0]["id"], placed["checkout_id"]
    old = placed["orders"][0]["number"]
    # as stored before order numbers: no number anywhere
    version = checkout_doc(checkout_id)["version"]
    db().checkouts.update_one({"_id": checkout_id}, {"$unset": {f"orders.{order_id}.number": "", "numbered": ""}})
    db().orders.update_one({"_id": order_id}, {"$unset": {"number": ""}})
    db().order_numbers.delete_one({"_id": old})
    assert api.get(f"/api/orders/{order_id}", shopper).json()["number"] == ""

    assert backfill_order_numbers(db()) >= 1
    number = order_doc(order_id)["number"]
    stored = checkout_doc(checkout_id)
    assert is_number(number) and stored["orders"][order_id]["number"] == number and stored["numbered"]
    assert stored["version"] == version + 1  # moved on: a change decided on the unnumbered state must decide again
    assert db().order_numbers.find_one({"_id": number})["order_id"] == order_id
    assert api.get(f"/api/orders/{order_id}", shopper).json()["number"] == number
    # run again: nothing to do, the number stays
    backfill_order_numbers(db())
    assert order_doc(order_id)["number"] == number and checkout_doc(checkout_id)["version"] == version + 1
    # the order moves on as usual afterwards (the machine decides on the numbered state), number kept
    cancelled = set_status(api, shopper, order_id, "cancelled")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["number"] == number and order_doc(order_id)["number"] == number


def test_the_backfill_finishes_a_projection_a_crash_left_without_its_number(api, seller, shopper):
    from smartgrocer.indexes import backfill_order_numbers

    placed = place(api, shopper, (product(api, seller), 1))
    order_id = placed["orders"][0]["id"]
    number = placed["orders"][0]["number"]
    db().orders.update_one({"_id": order_id}, {"$unset": {"number": ""}})
    backfill_order_numbers(db())
    assert order_doc(order_id)["number"] == number  # from its checkout, not a new one
