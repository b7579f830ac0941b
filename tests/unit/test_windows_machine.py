"""Delivery windows and fees in the money core (DESIGN.md section 12): the fee is part of the order's
estimate, authorisation and final total, goes to the seller whole (no commission on it), and a
cancelled or never-paid order gives its place in the window back. Same basket as
`test_checkout_machine`; the farm delivers for 4.00, the bakery's order is collected (no fee)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smartgrocer.domain import checkout_machine as m
from smartgrocer.errors import Invalid
from tests.unit.test_checkout_machine import (
    AMOUNT,
    AT,
    BUYER,
    DUE,
    ESTIMATE,
    PRODUCTS,
    SELLER,
    checkout,
    of,
    q,
    then,
    w,
)

FEE = 400
FARM_WINDOW = {
    "method": "delivery",
    "slot_id": "delivery-2026-05-05-09:00",
    "start": AT + timedelta(days=4),
    "end": AT + timedelta(days=4, hours=3),
    "local_date": "2026-05-05",
    "label": "Tuesday 5 May, 09:00-12:00",
    "address": None,
    "window_key": "farm:delivery-2026-05-05-09:00",
    "capacity": 20,
    "fee_cents": FEE,
}
BAKERY_WINDOW = {
    **FARM_WINDOW,
    "method": "pickup",
    "slot_id": "pickup-2026-05-02-07:00",
    "window_key": "bakery:pickup-2026-05-02-07:00",
    "address": "1 Mill Lane",
    "fee_cents": 0,
}


def checkout_with_windows(status: str = "pending_payment") -> dict:
    return checkout(status, fulfilment={"farm": FARM_WINDOW, "bakery": BAKERY_WINDOW})


def test_the_fee_is_part_of_the_estimate_and_the_authorisation():
    state = checkout_with_windows()
    farm = state["orders"]["o-farm"]
    assert (farm["fee_cents"], farm["estimated_cents"], farm["authorized_cents"]) == (FEE, 1999 + FEE, 2179 + FEE)
    assert (state["estimated_cents"], state["amount_cents"]) == (ESTIMATE + FEE, AMOUNT + FEE)
    assert "capacity" in farm["fulfilment"] and "fee_cents" not in farm["fulfilment"]
    assert m.window_keys(state) == ["bakery:pickup-2026-05-02-07:00", "farm:delivery-2026-05-05-09:00"]
    assert m.order_view(state, "o-farm")["fulfilment"]["label"] == "Tuesday 5 May, 09:00-12:00"


def test_the_packed_total_carries_the_fee_and_the_seller_keeps_it_whole():
    state = then(
        checkout_with_windows(),
        m.PaymentAuthorized(AMOUNT + FEE, "usd"),
        m.PackOrder("o-farm", (q("1", 4), w("2", 750)), PRODUCTS, SELLER, "farm"),
        m.AdvanceOrder("o-bakery", "packed", SELLER, "bakery"),
    )
    farm = state["orders"]["o-farm"]
    assert farm["final_cents"] == 1999 + FEE
    assert state["capture"]["amount_cents"] == ESTIMATE + FEE
    payout = farm["payout"]
    assert (payout["gross_cents"], payout["commission_cents"], payout["net_cents"]) == (
        1999 + FEE,
        200,  # 10 % of the goods (19.99) only
        1999 + FEE - 200,
    )


def test_a_packing_above_the_hold_counts_the_fee():
    state = then(checkout_with_windows(), m.PaymentAuthorized(AMOUNT + FEE, "usd"))
    # 900 g of cherries: 21.59 + 2.00 of apples + 4.00 fee = 27.59 > the farm's 25.79 share
    with pytest.raises(Invalid) as exc:
        m.decide(state, m.PackOrder("o-farm", (q("1", 4), w("2", 900)), PRODUCTS, SELLER, "farm"), AT)
    assert exc.value.code == "over_authorization"


@pytest.mark.parametrize(
    ("status", "command", "at", "released"),
    [
        ("pending_payment", m.CancelOrder("o-farm", BUYER, "buyer"), AT, ["farm:delivery-2026-05-05-09:00"]),
        ("pending_payment", m.Expire(), DUE, ["bakery:pickup-2026-05-02-07:00", "farm:delivery-2026-05-05-09:00"]),
        ("reserving", m.Abandon("rejected"), AT, ["bakery:pickup-2026-05-02-07:00", "farm:delivery-2026-05-05-09:00"]),
        (
            "pending_payment",
            m.PaymentCanceled(),
            AT,
            ["bakery:pickup-2026-05-02-07:00", "farm:delivery-2026-05-05-09:00"],
        ),
    ],
)
def test_an_order_that_will_not_be_delivered_gives_its_window_back(status, command, at, released):
    decision = m.decide(checkout_with_windows(status), command, at)
    assert sorted(e.window_key for e in of(decision, m.ReleaseWindow)) == released


def test_a_confirmed_order_cancelled_gives_its_window_back_and_a_delivered_one_keeps_it():
    authorized = then(checkout_with_windows(), m.PaymentAuthorized(AMOUNT + FEE, "usd"))
    decision = m.decide(authorized, m.CancelOrder("o-bakery", SELLER, "bakery"), AT)
    assert [e.window_key for e in of(decision, m.ReleaseWindow)] == ["bakery:pickup-2026-05-02-07:00"]
    packed = then(authorized, m.AdvanceOrder("o-bakery", "packed", SELLER, "bakery"))
    moving = m.decide(packed, m.AdvanceOrder("o-bakery", "out_for_delivery", SELLER, "bakery"), AT)
    assert not of(moving, m.ReleaseWindow)
