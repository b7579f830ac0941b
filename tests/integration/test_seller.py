"""The seller's side: incoming orders (status filter, pagination) and sales analytics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import (
    db,
    flush_webhooks,
    pack,
    place,
    place_captured,
    place_confirmed,
    product,
    set_status,
)


def _seller_orders(api, seller, **params) -> list[dict]:
    items, cursor = [], None
    for _ in range(50):
        response = api.get("/api/seller/orders", seller, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("pagination does not end")


def test_seller_orders_only_theirs_with_status_filter(api, seller, other_seller, shopper):
    mine = product(api, seller, stock=50, price="1.00")
    theirs = product(api, other_seller, stock=50, price="1.00")
    pending = place(api, shopper, (mine, 1), (theirs, 1))
    confirmed = place_confirmed(api, shopper, (mine, 2))
    packed = place_confirmed(api, shopper, (mine, 3))
    packed_id = packed["orders"][0]["id"]
    assert set_status(api, seller, packed_id, "packed").status_code == 200
    assert pending["orders"]  # awaiting payment: not the sellers' business yet

    everything = _seller_orders(api, seller, limit=1)
    assert [o["id"] for o in everything] == [packed_id, confirmed["orders"][0]["id"]]
    assert {o["seller_id"] for o in everything} == {seller.user_id}
    assert [o["id"] for o in _seller_orders(api, seller, status="confirmed")] == [confirmed["orders"][0]["id"]]
    assert [o["id"] for o in _seller_orders(api, seller, status="packed")] == [packed_id]
    assert _seller_orders(api, seller, status="pending_payment") == []
    assert _seller_orders(api, seller, status="delivered") == []
    assert _seller_orders(api, other_seller) == []
    assert_error(api.get("/api/seller/orders", seller, params={"status": "paid"}), 422)
    assert_error(api.get("/api/seller/orders", seller, params={"status": "shipped"}), 422)


def test_seller_orders_is_for_sellers_only(api, shopper, admin):
    assert_error(api.get("/api/seller/orders"), 401)
    assert_error(api.get("/api/seller/orders", shopper), 403, "wrong_role")
    assert_error(api.get("/api/seller/orders", admin), 403, "wrong_role")
    assert_error(api.get("/api/seller/analytics", shopper), 403, "wrong_role")
    assert_error(api.get("/api/seller/analytics"), 401)


def _analytics(api, seller) -> dict:
    response = api.get("/api/seller/analytics", seller)
    assert response.status_code == 200, response.text
    return response.json()


def test_new_seller_has_thirty_empty_days(api, seller):
    body = _analytics(api, seller)
    days = body["revenue_by_day"]
    assert len(days) == 30
    today = datetime.now(UTC).date()
    assert [d["date"] for d in days] == [(today - timedelta(days=29 - i)).isoformat() for i in range(30)]
    assert all(d["revenue"] == "0.00" and d["orders"] == 0 for d in days)
    assert body["total_revenue"] == "0.00" and body["top_products"] == [] and body["low_stock"] == []


def test_analytics_counts_captured_at_packed_amounts_not_refunded_authorised_or_unpaid(
    api, seller, other_seller, shopper, admin
):
    kale = product(api, seller, name="Kale", price="3.49", stock=100)
    figs = product(api, seller, name="Figs", price="0.33", stock=11)
    rare = product(api, seller, name="Truffle", price="50.00", stock=4)
    foreign = product(api, other_seller, name="Foreign Fig", price="9.99", stock=100)
    # Kale 2 (6.98) and Figs packed 2 of 3 (0.66): counted at 7.64, once the other seller has packed too.
    split = place_confirmed(api, shopper, (kale, 2), (figs, 3), (foreign, 1))
    mine = next(o for o in split["orders"] if o["seller_id"] == seller.user_id)
    theirs = next(o for o in split["orders"] if o["seller_id"] == other_seller.user_id)
    lines = {i["product_id"]: i["line_id"] for i in mine["items"]}
    packing = [
        {"line_id": lines[kale["id"]], "packed_quantity": 2},
        {"line_id": lines[figs["id"]], "packed_quantity": 2},
    ]
    assert pack(api, seller, mine["id"], *packing).status_code == 200
    assert _analytics(api, seller)["total_revenue"] == "0.00"  # packed, but not captured yet
    assert pack(api, other_seller, theirs["id"]).status_code == 200
    delivered = place_captured(api, shopper, seller, (kale, 1))["orders"][0]["id"]  # 3.49
    for step in ("out_for_delivery", "delivered"):
        assert set_status(api, seller, delivered, step).status_code == 200
    refunded = place_captured(api, shopper, seller, (rare, 2))["orders"][0]["id"]  # 100.00, then refunded
    assert set_status(api, admin, refunded, "cancelled").json()["payment_status"] == "refunded"
    voided = place_confirmed(api, shopper, (kale, 4))["orders"][0]["id"]  # authorised, then cancelled
    assert set_status(api, seller, voided, "cancelled").json()["payment_status"] == "voided"
    place_confirmed(api, shopper, (rare, 1))  # authorised, not packed: 50.00 not counted
    place(api, shopper, (rare, 1))  # unpaid: 50.00 not counted

    body = _analytics(api, seller)
    today = datetime.now(UTC).date().isoformat()
    assert len(body["revenue_by_day"]) == 30
    assert body["revenue_by_day"][-1] == {"date": today, "revenue": "11.13", "orders": 2}
    assert all(d["revenue"] == "0.00" for d in body["revenue_by_day"][:-1])
    assert body["total_revenue"] == "11.13"
    assert body["top_products"] == [
        {"product_id": kale["id"], "name": "Kale", "quantity": 3, "revenue": "10.47"},
        {"product_id": figs["id"], "name": "Figs", "quantity": 2, "revenue": "0.66"},
    ]
    # Low stock: Truffle 4 - 1 (authorised) - 1 (unpaid reservation) = 2; Figs 11 - 2 packed = 9; Kale 97.
    assert body["low_stock"] == [
        {"product_id": rare["id"], "name": "Truffle", "stock": 2, "sold_by": "unit"},
        {"product_id": figs["id"], "name": "Figs", "stock": 9, "sold_by": "unit"},
    ]


@pytest.mark.parametrize("days_ago,counted", [(0, True), (29, True), (30, False)])
def test_analytics_window_is_thirty_days(api, seller, shopper, days_ago, counted):
    item = product(api, seller, price="1.00", stock=50)
    order_id = place_captured(api, shopper, seller, (item, 1))["orders"][0]["id"]
    flush_webhooks(api)  # the capture's own event has come and gone: nothing re-projects the order after this
    doc = db().orders.find_one({"_id": order_id})
    captured_at = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    db().orders.replace_one({"_id": order_id}, {**doc, "captured_at": captured_at})
    body = _analytics(api, seller)
    assert body["total_revenue"] == ("1.00" if counted else "0.00")
    if counted:
        day = captured_at.date().isoformat()
        assert [d for d in body["revenue_by_day"] if d["date"] == day] == [
            {"date": day, "revenue": "1.00", "orders": 1}
        ]


def test_analytics_day_is_the_capture_day_not_the_order_day(api, seller, shopper):
    """An order placed and authorised days ago counts on the day its packing was captured."""
    item = product(api, seller, price="2.00", stock=50)
    order_id = place_captured(api, shopper, seller, (item, 1))["orders"][0]["id"]
    flush_webhooks(api)
    doc = db().orders.find_one({"_id": order_id})
    long_ago = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=40)
    db().orders.replace_one({"_id": order_id}, {**doc, "created_at": long_ago, "confirmed_at": long_ago})
    body = _analytics(api, seller)
    today = datetime.now(UTC).date().isoformat()
    assert body["total_revenue"] == "2.00"
    assert body["revenue_by_day"][-1] == {"date": today, "revenue": "2.00", "orders": 1}


# -- counts per status ---------------------------------------------------------------------------------


def _counts(api, seller, **params) -> dict:
    response = api.get("/api/seller/orders", seller, params={"limit": 1, **params})
    assert response.status_code == 200, response.text
    counts = response.json()["counts"]
    assert counts["limit"] == 1000
    return {row["status"]: row["count"] for row in counts["by_status"]}


def test_seller_order_counts_are_per_status_own_orders_only_and_follow_actions(api, seller, other_seller, shopper):
    mine = product(api, seller, stock=50, price="1.00")
    theirs = product(api, other_seller, stock=50, price="1.00")
    place(api, shopper, (mine, 1))  # awaiting payment: not the seller's business, not counted
    shared = place_confirmed(api, shopper, (mine, 1), (theirs, 1))  # one order each
    to_pack = [shared] + [place_confirmed(api, shopper, (mine, 1)) for _ in range(2)]
    ids = [next(o["id"] for o in p["orders"] if o["seller_id"] == seller.user_id) for p in to_pack]
    cancelled = place_confirmed(api, shopper, (mine, 1))["orders"][0]["id"]
    assert set_status(api, seller, cancelled, "cancelled").status_code == 200
    place_confirmed(api, shopper, (theirs, 2))  # another seller's: never in my counts

    zero = {"confirmed": 0, "packed": 0, "out_for_delivery": 0, "delivered": 0, "cancelled": 0}
    assert _counts(api, seller) == {**zero, "confirmed": 3, "cancelled": 1}
    assert _counts(api, other_seller) == {**zero, "confirmed": 2}
    # the counts do not depend on the tab shown
    assert _counts(api, seller, status="cancelled") == _counts(api, seller, status="confirmed")

    assert pack(api, seller, ids[0]).status_code == 200
    assert set_status(api, seller, ids[1], "packed").status_code == 200
    assert set_status(api, seller, ids[1], "out_for_delivery").status_code == 200
    assert _counts(api, seller) == {**zero, "confirmed": 1, "packed": 1, "out_for_delivery": 1, "cancelled": 1}
    assert set_status(api, seller, ids[1], "delivered").status_code == 200
    counts = _counts(api, seller)
    assert counts == {**zero, "confirmed": 1, "packed": 1, "delivered": 1, "cancelled": 1}
    # the counts agree with the listings they label
    for status, n in counts.items():
        assert len(_seller_orders(api, seller, status=status)) == n
    assert _counts(api, other_seller) == {**zero, "confirmed": 2}  # the shared checkout's other order untouched


def test_seller_order_counts_on_the_first_page_only_and_with_the_window_filter(api, seller, shopper):
    item = product(api, seller, stock=50, price="1.00")
    for _ in range(3):
        place_confirmed(api, shopper, (item, 1))
    first = api.get("/api/seller/orders", seller, params={"limit": 2}).json()
    assert first["counts"]["by_status"][0] == {"status": "confirmed", "count": 3} and first["next_cursor"]
    second = api.get("/api/seller/orders", seller, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert second["counts"] is None and len(second["items"]) == 1
    # these orders have no window: a day filter counts none of them, as it lists none
    on_a_day = api.get("/api/seller/orders", seller, params={"slot_date": "2031-01-06"}).json()
    assert on_a_day["items"] == [] and {row["count"] for row in on_a_day["counts"]["by_status"]} == {0}


def test_seller_order_counts_stop_at_the_limit(api, seller, shopper, monkeypatch):
    """The counts read at most `COUNT_LIMIT` index entries per status: in-process with a small limit."""
    from smartgrocer.domain import orders as orders_domain

    item = product(api, seller, stock=50, price="1.00")
    for _ in range(3):
        place_confirmed(api, shopper, (item, 1))
    monkeypatch.setattr(orders_domain, "COUNT_LIMIT", 2)
    counts = orders_domain.seller_order_counts(seller.user_id)
    assert counts["limit"] == 2
    assert {row["status"]: row["count"] for row in counts["by_status"]} == {
        "confirmed": 2,
        "packed": 0,
        "out_for_delivery": 0,
        "delivered": 0,
        "cancelled": 0,
    }
