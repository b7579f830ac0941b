"""Payouts in the money core, without a server: commission and refund arithmetic in integer cents,
transfers after capture, refunds that reverse the seller's share and give back the commission, and
the ledger that must add up. Same basket as `test_checkout_machine` (farm 10 %, bakery 15 %).

    farm, packed as ordered   19.99  commission 2.00 (1999 * 10 % = 199.9, half-up)  net 17.99
    bakery                     3.25  commission 0.49 (325 * 15 % = 48.75, half-up)   net  2.76
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartgrocer.domain import checkout_machine as m
from smartgrocer.domain.pricing import commission, refund_split
from smartgrocer.errors import Conflict, Forbidden, Invalid
from tests.unit.test_checkout_machine import ADMIN, AT, BUYER, SELLER, capturing, of, then

FARM_NET, BAKERY_NET = 1999 - 200, 325 - 49


# -- arithmetic --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goods", "bps", "expected"),
    [(1999, 1000, 200), (325, 1500, 49), (1, 1000, 0), (5, 1000, 1), (0, 1000, 0), (1000, 0, 0), (999, 10000, 999)],
)
def test_commission_is_rounded_half_up_once_per_order(goods, bps, expected):
    assert commission(goods, bps) == expected


@given(
    gross=st.integers(1, 10_000_000),
    bps=st.integers(0, 5000),
    parts=st.lists(st.integers(1, 1_000_000), min_size=1, max_size=8),
)
def test_refunds_always_split_exactly_and_a_full_refund_returns_everything(gross, bps, parts):
    fee = commission(gross, bps)
    refunded = reversed_total = returned = 0
    for part in parts:
        amount = min(part, gross - refunded)
        if amount == 0:
            break
        reversal, back = refund_split(gross, fee, refunded, amount)
        assert reversal >= 0 and back >= 0 and reversal + back == amount  # the parts are the whole
        refunded, reversed_total, returned = refunded + amount, reversed_total + reversal, returned + back
        assert reversed_total <= gross - fee and returned <= fee  # never more than was paid out or kept
    rest = gross - refunded
    if rest:
        reversal, back = refund_split(gross, fee, refunded, rest)
        reversed_total, returned = reversed_total + reversal, returned + back
    assert (reversed_total, returned) == (gross - fee, fee)


# -- transfers after capture -------------------------------------------------------------------------


def captured_with_charge() -> dict:
    state = capturing()
    return then(state, m.PaymentCaptured(state["capture"]["amount_cents"], "usd", "ch_1"))


def paid_out() -> dict:
    return then(captured_with_charge(), m.TransferMade("o-farm", "tr_farm"), m.TransferMade("o-bakery", "tr_bakery"))


def test_capture_fixes_commission_and_transfers_each_sellers_net_from_the_charge():
    decision = m.decide(capturing(), m.PaymentCaptured(1999 + 325, "usd", "ch_1"), AT)
    assert decision.state["charge_id"] == "ch_1"
    assert sorted(of(decision, m.Transfer), key=lambda t: t.order_id) == [
        m.Transfer("o-bakery", "acct_bakery", BAKERY_NET),
        m.Transfer("o-farm", "acct_farm", FARM_NET),
    ]
    farm = decision.state["orders"]["o-farm"]["payout"]
    assert (farm["gross_cents"], farm["commission_cents"], farm["net_cents"], farm["status"]) == (
        1999,
        200,
        FARM_NET,
        "pending",
    )
    totals = m.ledger_totals(decision.state)
    assert (totals["authorization"], totals["capture"], totals["release"], totals["commission"]) == (
        2504,
        2324,
        180,
        249,
    )
    assert m.ledger_problems(decision.state)  # the transfers are still to be made: it does not add up yet


def test_a_transfer_is_recorded_once_and_then_the_money_adds_up():
    state = captured_with_charge()
    made = m.decide(state, m.TransferMade("o-farm", "tr_farm"), AT)
    assert made.outcome == "transferred" and made.state["orders"]["o-farm"]["payout"]["status"] == "paid"
    assert not m.decide(made.state, m.TransferMade("o-farm", "tr_again"), AT).changed  # a repeated answer
    assert m.ledger_problems(paid_out()) == []


def test_the_capture_answer_after_its_webhook_still_brings_the_charge_id():
    state = capturing()
    by_webhook = then(state, m.PaymentCaptured(2324, "usd"))
    assert by_webhook["charge_id"] is None
    answered = m.decide(by_webhook, m.PaymentCaptured(2324, "usd", "ch_1"), AT)
    assert (answered.state["charge_id"], answered.outcome, answered.effects) == ("ch_1", "already_settled", [])


def test_a_seller_without_an_account_is_not_paid_and_an_alarm_says_so():
    state = capturing()
    state["orders"]["o-farm"]["payee_account"] = None
    decision = m.decide(state, m.PaymentCaptured(2324, "usd", "ch_1"), AT)
    assert [t.order_id for t in of(decision, m.Transfer)] == ["o-bakery"]
    assert [a.code for a in of(decision, m.Alarm)] == ["payout_account_missing"]
    assert decision.state["orders"]["o-farm"]["payout"]["status"] == "no_account"


# -- refunds after capture ---------------------------------------------------------------------------


def refund(amount: int, relations=SELLER, order="o-farm", request_id: str = "") -> m.RefundOrder:
    return m.RefundOrder(order, amount, "bruised", relations, "farm", request_id)


def test_a_partial_refund_reverses_the_sellers_share_and_gives_back_the_commission_on_it():
    decision = m.decide(paid_out(), refund(500), AT)
    assert decision.outcome == "refund_requested"
    assert of(decision, m.Refund) == [m.Refund("o-farm", 500, 1)]
    assert of(decision, m.ReverseTransfer) == [m.ReverseTransfer("o-farm", 1, 450)]  # 500 - 10 % of it
    state = then(decision.state, m.RefundIssued("o-farm", "re_1", 1), m.TransferReversed("o-farm", 1, "trr_1"))
    farm = state["orders"]["o-farm"]
    assert (farm["payment_status"], farm["refunded_cents"], farm["payout"]["status"]) == (
        "partially_refunded",
        500,
        "partially_reversed",
    )
    assert m.ledger_problems(state) == []
    assert [
        e.detail_type for e in of(m.decide(decision.state, m.RefundIssued("o-farm", "re_1", 1), AT), m.Publish)
    ] == ["OrderRefunded"]


def test_refunds_up_to_the_whole_order_reverse_the_whole_transfer_and_return_the_whole_commission():
    state = paid_out()
    for number, amount in enumerate((333, 1000, 666), start=1):  # 333 + 1000 + 666 = 1999
        state = then(
            state,
            refund(amount),
            m.RefundIssued("o-farm", f"re_{number}", number),
            m.TransferReversed("o-farm", number, f"trr_{number}"),
        )
    farm = state["orders"]["o-farm"]
    assert (farm["payment_status"], farm["payout"]["reversed_cents"], farm["payout"]["status"]) == (
        "refunded",
        FARM_NET,
        "reversed",
    )
    assert sum(r["commission_back_cents"] for r in farm["refunds"]) == 200
    assert m.ledger_problems(state) == []
    with pytest.raises(Conflict) as exc:
        m.decide(state, refund(1), AT)
    assert exc.value.code == "not_refundable"


@pytest.mark.parametrize(
    ("command", "error", "code"),
    [
        (refund(2000), Invalid, "refund_too_large"),  # one cent above the order's 19.99
        (refund(0), Invalid, "invalid_amount"),
        (refund(-5), Invalid, "invalid_amount"),
        (refund(100, relations=BUYER), Forbidden, "forbidden"),
    ],
)
def test_bad_refunds_are_refused_and_change_nothing(command, error, code):
    state = paid_out()
    with pytest.raises(error) as exc:
        m.decide(state, command, AT)
    assert exc.value.code == code


def test_an_order_not_yet_charged_cannot_be_refunded():
    with pytest.raises(Conflict) as exc:
        m.decide(then(capturing()), refund(100, relations=ADMIN), AT)
    assert exc.value.code == "not_refundable"


def test_the_same_refund_request_twice_refunds_once():
    once = then(paid_out(), refund(300, request_id="key-1"))
    again = m.decide(once, refund(300, request_id="key-1"), AT)
    assert (again.changed, again.outcome) == (False, "already_refunded")
    assert once["orders"]["o-farm"]["refunded_cents"] == 300


def test_a_refund_before_the_transfer_waits_for_it_and_the_ledger_still_adds_up():
    state = then(captured_with_charge(), refund(1999), m.RefundIssued("o-farm", "re_1", 1))
    assert m.ledger_problems(state)  # not yet: nothing transferred, nothing reversed
    state = then(state, m.TransferMade("o-farm", "tr_farm"), m.TransferMade("o-bakery", "tr_bakery"))
    state = then(state, m.TransferReversed("o-farm", 1, "trr_1"))
    assert m.ledger_problems(state) == []


def test_the_ledger_check_finds_money_that_does_not_add_up():
    state = paid_out()
    state["ledger"].append({"kind": "refund", "amount_cents": 1, "at": AT})
    assert any("captured" in p for p in m.ledger_problems(state))
