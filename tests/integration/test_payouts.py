"""Sellers get paid (DESIGN.md section 11), end to end over HTTP with the local payment provider:
commission and transfers after capture, refunds that reverse the seller's share, failed transfers
and reversals retried by the reconciler, and where every cent went (the provider's balances and
the checkout's ledger)."""

from __future__ import annotations

import uuid

import pytest

from local import payment_provider
from smartgrocer.domain import checkout_machine as machine
from smartgrocer.domain.pricing import commission
from tests.integration.helpers import assert_error
from tests.integration.orders_support import (
    cents,
    checkout_doc,
    clear_faults,
    flush_webhooks,
    line_for,
    mail_text,
    order_for,
    pack,
    packing,
    place_confirmed,
    product,
    subject,
    sweep,
    wait_for_mail,
    weighed_product,
)


@pytest.fixture(autouse=True)
def _no_faults():
    clear_faults()
    yield
    clear_faults()


def account_of(checkout_id: str, order_id: str) -> str:
    return checkout_doc(checkout_id)["orders"][order_id]["payee_account"]


def balances() -> dict[str, int]:
    return payment_provider.balances()


def assert_money_adds_up(checkout_id: str) -> None:
    state = checkout_doc(checkout_id)
    assert not state.get("outbox"), state.get("outbox")
    assert machine.ledger_problems(state) == []


def refund(api, account, order_id: str, amount: str, reason: str = "Bruised pears", key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(
        f"/api/orders/{order_id}/refunds", account, json={"amount": amount, "reason": reason}, headers=headers
    )


@pytest.fixture
def two_seller_checkout(api, shopper, seller, other_seller):
    """Cheese by weight (28.50/kg, 500 g ordered, 520 g packed) and a loaf from the first seller, two
    pints of milk from the second: authorised, packed, captured."""
    cheese = weighed_product(api, seller, price="28.50", stock=5000)
    loaf = product(api, seller, price="3.25", stock=10)
    milk = product(api, other_seller, price="1.10", stock=10)
    placed = place_confirmed(api, shopper, (cheese, "500g"), (loaf, 1), (milk, 2))
    farm, dairy = order_for(placed, seller), order_for(placed, other_seller)
    response = pack(api, seller, farm["id"], packing(line_for(farm, cheese), 520), packing(line_for(farm, loaf), 1))
    assert response.status_code == 200, response.text
    before = balances()
    response = pack(api, other_seller, dairy["id"])
    assert response.status_code == 200, response.text
    flush_webhooks(api)
    return {"placed": placed, "farm": farm, "dairy": dairy, "before": before}


def test_a_captured_two_seller_checkout_pays_each_seller_its_net(
    api, shopper, seller, other_seller, two_seller_checkout
):
    placed, farm, dairy, before = (two_seller_checkout[k] for k in ("placed", "farm", "dairy", "before"))
    checkout_id = placed["checkout_id"]
    farm_final = 1482 + 325  # 520 g x 28.50/kg = 14.82, and the loaf
    dairy_final = 220
    farm_view = api.get(f"/api/orders/{farm['id']}", seller).json()
    assert cents(farm_view["final_total"]) == farm_final
    farm_fee, dairy_fee = commission(farm_final, 1000), commission(dairy_final, 1000)
    assert farm_view["payout"] == {
        "gross": "18.07",
        "commission": f"{farm_fee / 100:.2f}",
        "commission_bps": 1000,
        "net": f"{(farm_final - farm_fee) / 100:.2f}",
        "reversed": "0.00",
        "status": "paid",
    }
    after = balances()
    farm_account, dairy_account = account_of(checkout_id, farm["id"]), account_of(checkout_id, dairy["id"])
    assert after[farm_account] - before.get(farm_account, 0) == farm_final - farm_fee
    assert after[dairy_account] - before.get(dairy_account, 0) == dairy_final - dairy_fee
    # the platform captured both finals and keeps exactly the commission
    assert after["platform"] - before.get("platform", 0) == farm_fee + dairy_fee
    assert_money_adds_up(checkout_id)
    from smartgrocer.domain.orders import now
    from smartgrocer.domain.payouts import ledger_violations

    sweep()  # the reconciler's own money check finds nothing wrong with this checkout (others in the
    # session may be alarmed on purpose, e.g. a payment with an unexpected amount)
    assert checkout_id not in {v["checkout_id"] for v in ledger_violations(now())}

    # the shopper sees no payout; each seller sees only their own
    assert api.get(f"/api/orders/{farm['id']}", shopper).json()["payout"] is None
    assert api.get(f"/api/orders/{farm['id']}", shopper).json()["refundable"] is None

    page = api.get("/api/seller/payouts", seller).json()
    row = next(r for r in page["items"] if r["order_id"] == farm["id"])
    assert (row["gross"], row["status"], row["reversed"], row["refunded"]) == ("18.07", "paid", "0.00", "0.00")
    assert cents(page["totals"]["net"]) >= farm_final - farm_fee
    assert all(r["order_id"] != dairy["id"] for r in page["items"])


def test_partial_then_full_refund_reverse_the_sellers_share_and_return_the_commission(api, seller, two_seller_checkout):
    placed, farm = two_seller_checkout["placed"], two_seller_checkout["farm"]
    checkout_id = placed["checkout_id"]
    account = account_of(checkout_id, farm["id"])
    before = balances()

    response = refund(api, seller, farm["id"], "5.00")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["payment_status"], body["refunded"], body["refundable"]) == ("partially_refunded", "5.00", "13.07")
    assert body["refunds"][0] | {"at": None} == {
        "number": 1,
        "amount": "5.00",
        "reason": "Bruised pears",
        "at": None,
        "status": "refunded",
    }
    assert body["payout"]["reversed"] == "4.50" and body["payout"]["status"] == "partially_reversed"
    after = balances()
    assert before[account] - after[account] == 450  # the seller's share of 5.00
    assert before["platform"] - after["platform"] == 500 - 450  # refund 5.00 out, reversal 4.50 back in
    assert_money_adds_up(checkout_id)

    # more than is left: refused, nothing moves
    assert_error(refund(api, seller, farm["id"], "13.08"), 422, "refund_too_large")
    assert balances() == after

    response = refund(api, seller, farm["id"], "13.07")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["payment_status"], body["refunded"], body["refundable"]) == ("refunded", "18.07", None)
    assert body["payout"]["reversed"] == body["payout"]["net"] and body["payout"]["status"] == "reversed"
    final = balances()
    assert before[account] - final[account] == cents(body["payout"]["net"])
    assert body["payout"]["commission"] == "0.00"  # the whole commission was given back
    assert before["platform"] - final["platform"] == commission(1807, 1000)
    assert_money_adds_up(checkout_id)
    assert_error(refund(api, seller, farm["id"], "0.01"), 409, "not_refundable")
    shopper_email = checkout_doc(checkout_id)["buyer_email"]
    (refunded,) = wait_for_mail(api, shopper_email, subject(farm, "refunded $5.00"))
    assert farm["number"] in mail_text(refunded) and f"/orders/{farm['id']}" in mail_text(refunded)


def test_the_same_refund_request_retried_refunds_once(api, seller, two_seller_checkout):
    farm = two_seller_checkout["farm"]
    key = str(uuid.uuid4())
    first = refund(api, seller, farm["id"], "2.00", key=key)
    again = refund(api, seller, farm["id"], "2.00", key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["refunded"] == "2.00"


def test_refunds_are_for_the_orders_seller_or_an_admin_only(
    api, shopper, seller, other_seller, admin, two_seller_checkout
):
    farm = two_seller_checkout["farm"]
    assert_error(refund(api, other_seller, farm["id"], "1.00"), 404, "not_found")  # not theirs: does not exist
    response = refund(api, admin, farm["id"], "1.00", reason="Goodwill")
    assert response.status_code == 201, response.text
    assert response.json()["refunded"] == "1.00"


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "abc", "reason": "x"},
        {"amount": "-1.00", "reason": "x"},
        {"amount": "1.005", "reason": "x"},
        {"amount": "1.00"},
        {"amount": "1.00", "reason": ""},
        {"amount": "1.00", "reason": "x" * 301},
        {"amount": "1.00", "reason": "x", "to": "someone-else"},
        [],
    ],
)
def test_malformed_refunds_are_refused_and_change_nothing(api, seller, two_seller_checkout, body):
    farm = two_seller_checkout["farm"]
    before = balances()
    response = api.post(f"/api/orders/{farm['id']}/refunds", seller, json=body)
    assert response.status_code in (400, 422), response.text
    assert balances() == before
    assert api.get(f"/api/orders/{farm['id']}", seller).json()["refunded"] == "0.00"


def test_an_order_not_yet_charged_cannot_be_refunded(api, shopper, seller):
    loaf = product(api, seller, price="3.25", stock=5)
    placed = place_confirmed(api, shopper, (loaf, 1))
    assert_error(refund(api, seller, placed["orders"][0]["id"], "1.00"), 409, "not_refundable")
    assert_error(refund(api, shopper, placed["orders"][0]["id"], "1.00"), 403, "wrong_role")


def test_a_transfer_that_fails_is_retried_by_the_reconciler(api, shopper, seller):
    loaf = product(api, seller, price="4.00", stock=5)
    placed = place_confirmed(api, shopper, (loaf, 2))
    order_id = placed["orders"][0]["id"]
    payment_provider.inject_fault("transfer", 1)
    assert pack(api, seller, order_id).status_code == 200
    state = checkout_doc(placed["checkout_id"])
    assert state["status"] == "captured" and f"transfer:{order_id}" in state["outbox"]
    assert api.get(f"/api/orders/{order_id}", seller).json()["payout"]["status"] == "pending"
    account = account_of(placed["checkout_id"], order_id)
    before = balances().get(account, 0)
    sweep()
    assert balances()[account] - before == 800 - 80
    assert api.get(f"/api/orders/{order_id}", seller).json()["payout"]["status"] == "paid"
    assert_money_adds_up(placed["checkout_id"])


def test_a_reversal_that_fails_is_retried_by_the_reconciler(api, shopper, seller):
    loaf = product(api, seller, price="4.00", stock=5)
    placed = place_confirmed(api, shopper, (loaf, 2))
    order_id = placed["orders"][0]["id"]
    assert pack(api, seller, order_id).status_code == 200
    account = account_of(placed["checkout_id"], order_id)
    before = balances()[account]
    # the request tries twice (once more after recording the refund); both fail: left for the reconciler
    payment_provider.inject_fault("reverse", 2)
    response = refund(api, seller, order_id, "8.00")
    assert response.status_code == 201, response.text
    assert response.json()["payment_status"] == "refunded"  # the shopper has the money back already
    assert balances()[account] == before and f"reverse:{order_id}:1" in checkout_doc(placed["checkout_id"])["outbox"]
    sweep()
    assert before - balances()[account] == 720
    assert_money_adds_up(placed["checkout_id"])


def test_finance_by_day_shows_todays_money_to_admins_only(api, admin, seller, shopper, two_seller_checkout):
    response = api.get("/api/admin/finance?days=7", admin)
    assert response.status_code == 200, response.text
    report = response.json()
    assert len(report["days"]) == 7
    today = report["days"][-1]
    assert cents(today["captured"]) >= 1807 + 220 and cents(today["transfers"]) > 0 and cents(today["commission"]) > 0
    for who in (seller, shopper):
        assert_error(api.get("/api/admin/finance", who), 403, "wrong_role")
    for bad in ("0", "91", "x"):
        assert api.get(f"/api/admin/finance?days={bad}", admin).status_code == 422


def test_a_sellers_payouts_are_theirs_alone(api, shopper, seller, admin):
    assert_error(api.get("/api/seller/payouts", shopper), 403, "wrong_role")
    assert_error(api.get("/api/seller/payouts", admin), 403, "wrong_role")
    assert_error(api.get("/api/seller/payouts?cursor=garbage", seller), 400, "invalid_cursor")
    empty = api.get("/api/seller/payouts", seller).json()
    assert empty["items"] == [] and empty["totals"]["orders"] == 0
