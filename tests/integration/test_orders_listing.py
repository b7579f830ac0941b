"""GET /api/orders/my-orders: newest first, keyset pages, every order exactly once, only mine."""

from __future__ import annotations

from datetime import datetime

from tests.integration.helpers import assert_error
from tests.integration.orders_support import place, product


def _all_pages(api, account, path: str, limit: int) -> tuple[list[dict], int]:
    items, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, account, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return items, pages
        assert pages < 50


def test_my_orders_newest_first_paginated_each_once(api, seller, other_seller, shopper, unique_email):
    a = product(api, seller, stock=100)
    b = product(api, other_seller, stock=100)
    placed_ids = []
    for i in range(5):  # 5 checkouts; the odd ones split over two sellers: 7 orders
        lines = [(a, 1)] + ([(b, 1)] if i % 2 else [])
        placed_ids.append([o["id"] for o in place(api, shopper, *lines)["orders"]])
    stranger = api.signup(unique_email("stranger"))
    place(api, stranger, (a, 1))

    items, pages = _all_pages(api, shopper, "/api/orders/my-orders", limit=3)
    ids = [o["id"] for o in items]
    assert len(ids) == len(set(ids)) == 7 and pages == 3
    assert set(ids) == {i for group in placed_ids for i in group}
    assert {o["user_id"] for o in items} == {shopper.user_id}
    # compared as instants: RFC 3339 text drops the fraction on a whole second, so strings do not sort
    created = [datetime.fromisoformat(o["created_at"].replace("Z", "+00:00")) for o in items]
    assert created == sorted(created, reverse=True)
    # Checkout order: the newest checkout's orders come first.
    checkout_rank = [next(n for n, group in enumerate(placed_ids) if i in group) for i in ids]
    assert checkout_rank == sorted(checkout_rank, reverse=True)

    single, _ = _all_pages(api, shopper, "/api/orders/my-orders", limit=100)
    assert [o["id"] for o in single] == ids


def test_my_orders_empty_and_bad_cursor(api, shopper, seller):
    response = api.get("/api/orders/my-orders", shopper)
    assert response.status_code == 200 and response.json() == {"items": [], "next_cursor": None}
    assert_error(api.get("/api/orders/my-orders", shopper, params={"cursor": "not-a-cursor"}), 400, "invalid_cursor")
    # A cursor from another listing is refused too.
    item = product(api, seller, stock=10)
    for _ in range(2):
        place(api, shopper, (item, 1))
    cursor = api.get("/api/orders/my-orders", shopper, params={"limit": 1}).json()["next_cursor"]
    assert cursor
    assert_error(api.get("/api/seller/orders", seller, params={"cursor": cursor}), 400, "invalid_cursor")
    for limit in (0, 101):
        assert_error(api.get("/api/orders/my-orders", shopper, params={"limit": limit}), 422)


def test_my_orders_requires_sign_in(api):
    assert_error(api.get("/api/orders/my-orders"), 401)
