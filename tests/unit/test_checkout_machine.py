"""The money core without a server: the pure machine as tables (given state, when command, then
state, outcome, effects or error), and the shell over in-memory fakes of its ports.

The basket used throughout: 4 apples ($0.50 each, substitutes allowed) and 750 g of cherries
($23.99/kg, substitutes allowed) from the farm, one loaf ($3.25, no substitutes) from the bakery.

    farm    estimate 200 + 1799 = 1999   authorised 200 + ceil(1799 * 1.1) = 200 + 1979 = 2179
    bakery  estimate 325                 authorised 325
    checkout estimate 2324               authorised (the card hold) 2504
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from smartgrocer.domain import checkout_machine as m
from smartgrocer.errors import Conflict, Forbidden, Invalid, NotFound

AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DUE = AT + timedelta(minutes=31)  # past the payment window
DEADLINE = AT + m.CAPTURE_DEADLINE  # the capture deadline of a checkout authorised at AT


def product(pid: str, seller: str, price_cents: int, sold_by: str = "unit") -> dict:
    return {
        "_id": pid,
        "seller_id": seller,
        "seller_name": seller.title(),
        "name": pid.title(),
        "unit": "kg" if sold_by == "weight" else "each",
        "price_cents": price_cents,  # per item, or per kg when sold by weight
        "sold_by": sold_by,
    }


PRODUCTS = {
    p["_id"]: p
    for p in (
        product("apple", "farm", 50),
        product("pear", "farm", 40),  # cheaper than an apple
        product("quince", "farm", 90),  # dearer than an apple
        product("cherries", "farm", 2399, "weight"),
        product("grapes", "farm", 1200, "weight"),  # cheaper than cherries
        product("figs", "farm", 3000, "weight"),  # dearer than cherries
        product("bread", "bakery", 325),
        product("bun", "bakery", 30),
    )
}
LINES = [
    {"product_id": "cherries", "weight_g": 750, "substitution": "similar"},
    {"product_id": "bread", "quantity": 1},
    {"product_id": "apple", "quantity": 4, "substitution": "similar"},
]
FARM_ESTIMATE, FARM_AUTHORIZED, BAKERY = 1999, 2179, 325
ESTIMATE, AMOUNT = FARM_ESTIMATE + BAKERY, FARM_AUTHORIZED + BAKERY
PAYEES = {
    "farm": {"account_id": "acct_farm", "commission_bps": 1000},
    "bakery": {"account_id": "acct_bakery", "commission_bps": 1500},
}
BUYER, SELLER, ADMIN = frozenset({"buyer"}), frozenset({"seller"}), frozenset({"admin"})


def checkout(
    status: str = "pending_payment", lines: list[dict] = LINES, fulfilment: dict | None = None, **changes
) -> dict:
    state = m.new_checkout(
        checkout_id="c1",
        order_ids=["o-bakery", "o-farm"],
        user_id="buyer",
        buyer_email="b@example.com",
        lines=lines,
        products=PRODUCTS,
        shipping_address={},
        currency="usd",
        at=AT,
        expires_at=AT + timedelta(minutes=30),
        payees=PAYEES,
        fulfilment=fulfilment,
    )
    has_intent = status not in ("reserving", "creating_payment")
    state.update(status=status, payment_intent_id="pi_1" if has_intent else None, **changes)
    return state


def then(state: dict, *commands, at: datetime = AT) -> dict:
    for command in commands:
        state = m.decide(state, command, at).state
    return state


def q(line_id: str, count, substitute: dict | None = None) -> dict:
    line = {"line_id": line_id, "packed_quantity": count}
    return {**line, "substitute": substitute} if substitute else line


def w(line_id: str, grams, substitute: dict | None = None) -> dict:
    line = {"line_id": line_id, "packed_weight_g": grams}
    return {**line, "substitute": substitute} if substitute else line


def sub(product_id: str, **amount) -> dict:
    return {"product_id": product_id, **amount}


AS_ORDERED = (q("1", 4), w("2", 750))  # the farm order: line 1 apples, line 2 cherries


def pack_farm(*lines, relations=SELLER) -> m.PackOrder:
    return m.PackOrder("o-farm", tuple(lines or AS_ORDERED), PRODUCTS, relations, "farm")


PACK_BAKERY = m.AdvanceOrder("o-bakery", "packed", SELLER, "bakery")


def authorized() -> dict:
    return then(checkout(), m.PaymentAuthorized(AMOUNT, "usd"))


def capturing(*farm_lines) -> dict:
    return then(authorized(), pack_farm(*farm_lines), PACK_BAKERY)


def captured(*farm_lines) -> dict:
    state = capturing(*farm_lines)
    return then(state, m.PaymentCaptured(state["capture"]["amount_cents"], "usd"))


def outbox(decision) -> list:
    """The effects as the outbox stores them: one per key."""
    return list({e.key: e for e in decision.effects}.values())


def kinds(decision) -> list[str]:
    return sorted(type(e).__name__ for e in outbox(decision))


def of(decision, cls) -> list:
    return [e for e in outbox(decision) if isinstance(e, cls)]


def orders_of(state) -> dict[str, tuple[str, str]]:
    return {oid: (o["status"], o["payment_status"]) for oid, o in state["orders"].items()}


# -- building a checkout ---------------------------------------------------------------------------


def test_new_checkout_splits_per_seller_into_priced_lines():
    state = checkout("reserving")
    farm, bakery = state["orders"]["o-farm"], state["orders"]["o-bakery"]
    assert (farm["seller_id"], farm["seller_name"], bakery["seller_id"]) == ("farm", "Farm", "bakery")
    assert [
        (i["line_id"], i["product_id"], i["sold_by"], i["quantity"], i["weight_g"], i["substitution"])
        for i in farm["items"]
    ] == [("1", "apple", "unit", 4, None, "similar"), ("2", "cherries", "weight", None, 750, "similar")]
    assert [(i["line_id"], i["product_id"], i["substitution"]) for i in bakery["items"]] == [("1", "bread", "none")]
    assert [(i["unit_price_cents"], i["line_total_cents"]) for i in farm["items"]] == [(50, 200), (2399, 1799)]
    assert all(i["packed"] is None and i["substitute"] is None and i["final_cents"] is None for i in farm["items"])
    assert (farm["estimated_cents"], farm["authorized_cents"], farm["total_cents"]) == (1999, 2179, 1999)
    assert (bakery["estimated_cents"], bakery["authorized_cents"]) == (325, 325)
    assert (state["estimated_cents"], state["amount_cents"]) == (ESTIMATE, AMOUNT) == (2324, 2504)
    assert state["lines"] == [
        {"product_id": "bread", "quantity": 1},
        {"product_id": "apple", "quantity": 4},
        {"product_id": "cherries", "quantity": 750},  # grams: what the stock holds
    ]
    assert orders_of(state) == {"o-bakery": ("pending_payment", "unpaid"), "o-farm": ("pending_payment", "unpaid")}
    assert (state["status"], state["version"], state["outbox"], state["capture"]) == ("reserving", 1, {}, None)


def test_money_is_integer_cents_everywhere():
    state = captured(q("1", 2, sub("pear", quantity=2)), w("2", 800))
    money = [state["amount_cents"], state["estimated_cents"], state["capture"]["amount_cents"]]
    for order in state["orders"].values():
        money += [order[k] for k in ("estimated_cents", "authorized_cents", "final_cents", "total_cents")]
        for item in order["items"]:
            money += [item["unit_price_cents"], item["line_total_cents"], item["final_cents"], item["packed"]["cents"]]
            if item["substitute"]:
                money += [item["substitute"]["unit_price_cents"], item["substitute"]["cents"]]
    assert all(type(v) is int for v in money), money


@pytest.mark.parametrize(
    "lines,estimated,authorized",
    [
        ([{"product_id": "apple", "quantity": 3}], 150, 150),  # unit lines: no margin
        ([{"product_id": "grapes", "weight_g": 500}], 600, 660),  # 600 * 1.1 exactly
        ([{"product_id": "cherries", "weight_g": 750}], 1799, 1979),  # 1978.9 -> up
        ([{"product_id": "cherries", "weight_g": 250}], 600, 660),  # 599.75 -> 600, then the margin
        ([{"product_id": "grapes", "weight_g": 1}], 1, 2),  # 1.2 cents -> 1, 1.1 -> 2
        (
            [{"product_id": "apple", "quantity": 1}, {"product_id": "cherries", "weight_g": 333}],
            50 + 799,  # 333 g at $23.99/kg = $7.98867 -> $7.99
            50 + 879,  # 878.9 -> 879: only the weighed part carries the margin
        ),
    ],
)
def test_each_order_authorises_its_unit_lines_and_its_weighed_lines_with_the_margin(lines, estimated, authorized):
    state = m.new_checkout(
        checkout_id="c",
        order_ids=["o"],
        user_id="u",
        buyer_email="u@example.com",
        lines=lines,
        products=PRODUCTS,
        shipping_address={},
        currency="usd",
        at=AT,
        expires_at=AT,
    )
    order = state["orders"]["o"]
    assert (order["estimated_cents"], order["authorized_cents"]) == (estimated, authorized)
    assert (state["estimated_cents"], state["amount_cents"]) == (estimated, authorized)


def test_the_checkout_amount_is_the_sum_of_the_rounded_up_orders():
    lines = [{"product_id": "grapes", "weight_g": 1}, {"product_id": "bread", "quantity": 1}]
    state = checkout(lines=lines)  # farm: 1 -> 2, bakery 325
    assert [state["orders"][o]["authorized_cents"] for o in ("o-bakery", "o-farm")] == [325, 2]
    assert state["amount_cents"] == 327


def test_line_ids_follow_the_product_order_within_each_seller():
    lines = [{"product_id": p, "quantity": 1} for p in ("quince", "bun", "apple", "bread", "pear")]
    state = checkout(lines=lines)
    assert [(i["line_id"], i["product_id"]) for i in state["orders"]["o-farm"]["items"]] == [
        ("1", "apple"),
        ("2", "pear"),
        ("3", "quince"),
    ]
    assert [(i["line_id"], i["product_id"]) for i in state["orders"]["o-bakery"]["items"]] == [
        ("1", "bread"),
        ("2", "bun"),
    ]


# -- placement and payment -------------------------------------------------------------------------


def given(name: str) -> dict:
    if name == "closed":
        return then(checkout(), m.Expire(), at=DUE)
    if name == "authorized":
        return authorized()
    if name == "capturing":
        return capturing()
    if name == "captured":
        return captured()
    if name == "voided":
        return then(authorized(), m.CancelOrder("o-farm", BUYER, "b"), m.CancelOrder("o-bakery", BUYER, "b"))
    return checkout(name)


RELEASE_ALL = ["ReleaseStock"] * 3
PROJECT_ALL = ["ProjectOrder"] * 2


@pytest.mark.parametrize(
    "state,command,at,status,outcome,effects",
    [
        ("reserving", m.ReservationsTaken(), AT, "creating_payment", "reserved", []),
        ("creating_payment", m.ReservationsTaken(), AT, "creating_payment", "unchanged", []),
        ("creating_payment", m.PaymentRequested("pi_9"), AT, "pending_payment", "awaiting_payment", PROJECT_ALL),
        ("pending_payment", m.PaymentRequested("pi_9"), AT, "pending_payment", "unchanged", []),
        ("reserving", m.Abandon("interrupted"), AT, "closed", "abandoned", RELEASE_ALL),
        ("creating_payment", m.Abandon("payment_provider_error"), AT, "closed", "abandoned", RELEASE_ALL),
        ("pending_payment", m.Abandon("interrupted"), AT, "pending_payment", "unchanged", []),
        ("pending_payment", m.PaymentFailed("Your card was declined."), AT, "pending_payment", "declined", PROJECT_ALL),
        (
            "pending_payment",
            m.PaymentAuthorized(AMOUNT, "usd"),
            AT,
            "authorized",
            "authorized",
            ["CommitStock"] * 3 + PROJECT_ALL + ["Publish"] * 2,
        ),
        (
            "pending_payment",
            m.PaymentAuthorized(AMOUNT, "USD"),  # the provider's case does not matter
            AT,
            "authorized",
            "authorized",
            ["CommitStock"] * 3 + PROJECT_ALL + ["Publish"] * 2,
        ),
        (
            "pending_payment",
            m.PaymentAuthorized(AMOUNT - 1, "usd"),
            AT,
            "closed",
            "amount_mismatch_voided",
            ["Alarm", "CancelPayment", *PROJECT_ALL, *RELEASE_ALL],
        ),
        (
            "pending_payment",
            m.PaymentAuthorized(ESTIMATE, "usd"),  # the estimate is not the authorisation
            AT,
            "closed",
            "amount_mismatch_voided",
            ["Alarm", "CancelPayment", *PROJECT_ALL, *RELEASE_ALL],
        ),
        (
            "pending_payment",
            m.PaymentAuthorized(AMOUNT, "eur"),
            AT,
            "closed",
            "amount_mismatch_voided",
            ["Alarm", "CancelPayment", *PROJECT_ALL, *RELEASE_ALL],
        ),
        (
            "pending_payment",
            m.PaymentCanceled(),
            AT,
            "closed",
            "released",
            ["CancelPayment", *PROJECT_ALL, *RELEASE_ALL],
        ),
        ("pending_payment", m.Expire(), AT, "pending_payment", "unchanged", []),  # not yet due
        ("pending_payment", m.Expire(), DUE, "closed", "expired", ["CancelPayment", *PROJECT_ALL, *RELEASE_ALL]),
        ("closed", m.PaymentAuthorized(AMOUNT, "usd"), DUE, "closed", "late_authorization_voided", ["CancelPayment"]),
        ("closed", m.PaymentAuthorized(1, "usd"), DUE, "closed", "amount_mismatch_voided", ["Alarm", "CancelPayment"]),
        ("closed", m.PaymentFailed("x"), DUE, "closed", "already_settled", []),
        ("closed", m.PaymentCanceled(), DUE, "closed", "already_settled", []),
        ("closed", m.Expire(), DUE, "closed", "unchanged", []),
        ("authorized", m.PaymentAuthorized(AMOUNT, "usd"), AT, "authorized", "already_settled", []),
        ("authorized", m.PaymentAuthorized(1, "usd"), AT, "authorized", "already_settled", []),
        ("authorized", m.PaymentFailed("x"), AT, "authorized", "already_settled", []),
        (
            "authorized",
            m.PaymentCanceled(),
            AT,
            "voided",
            "authorization_lost",
            ["Alarm", *PROJECT_ALL, "Publish", "Publish", "Restock", "Restock", "Restock"],
        ),
        ("authorized", m.Expire(), DUE, "authorized", "unchanged", []),
        ("authorized", m.Abandon("interrupted"), DUE, "authorized", "unchanged", []),
        ("authorized", m.CaptureDeadline(), DEADLINE - timedelta(seconds=1), "authorized", "unchanged", []),
        (
            "authorized",
            m.CaptureDeadline(),
            DEADLINE,
            "voided",
            "deadline_settled",
            ["CancelPayment", *PROJECT_ALL, "Publish", "Publish", "Publish", "Restock", "Restock", "Restock"],
        ),
        (
            "capturing",
            m.PaymentCaptured(ESTIMATE, "usd"),
            AT,
            "captured",
            "captured",
            [*PROJECT_ALL, "Publish", "Transfer", "Transfer"],
        ),
        ("capturing", m.PaymentAuthorized(AMOUNT, "usd"), AT, "capturing", "already_settled", []),
        ("capturing", m.CaptureDeadline(), DEADLINE, "capturing", "unchanged", []),
        (
            "capturing",
            m.PaymentCanceled(),
            AT,
            "voided",
            "authorization_lost",
            ["Alarm", *PROJECT_ALL, "Publish", "Publish", "Restock", "Restock", "Restock"],
        ),
        ("captured", m.PaymentCaptured(ESTIMATE, "usd"), AT, "captured", "already_settled", []),
        ("captured", m.PaymentCanceled(), AT, "captured", "already_settled", []),
        ("captured", m.PaymentAuthorized(AMOUNT, "usd"), AT, "captured", "already_settled", []),
        ("voided", m.PaymentAuthorized(AMOUNT, "usd"), AT, "voided", "already_settled", []),
        ("voided", m.PaymentCanceled(), AT, "voided", "already_settled", []),
    ],
)
def test_transitions(state, command, at, status, outcome, effects):
    state = given(state)
    before = copy.deepcopy(state)
    decision = m.decide(state, command, at)
    assert state == before, "decide never mutates its input"
    assert (decision.state["status"], decision.outcome, kinds(decision)) == (status, outcome, effects)
    assert decision.changed == (decision.state != before or bool(decision.effects))  # effects are saved too


def test_the_exact_authorization_confirms_every_order_and_commits_every_line():
    decision = m.decide(checkout(), m.PaymentAuthorized(AMOUNT, "usd"), AT)
    state = decision.state
    assert orders_of(state) == {"o-bakery": ("confirmed", "authorized"), "o-farm": ("confirmed", "authorized")}
    assert of(decision, m.CommitStock) == [
        m.CommitStock("bread", 1),
        m.CommitStock("apple", 4),
        m.CommitStock("cherries", 750),  # grams
    ]
    assert of(decision, m.Publish) == [m.Publish("OrderConfirmed", "o-bakery"), m.Publish("OrderConfirmed", "o-farm")]
    assert (state["authorized_at"], state["capture_by"]) == (AT, AT + m.CAPTURE_DEADLINE)
    assert state["orders"]["o-farm"]["confirmed_at"] == AT
    assert state["orders"]["o-farm"]["history"]["confirmed"] == {"at": AT, "by": "payment"}
    assert state["capture"] is None and not of(decision, m.CapturePayment)


@pytest.mark.parametrize("amount,currency", [(AMOUNT - 1, "usd"), (AMOUNT + 1, "usd"), (AMOUNT, "eur")])
def test_a_mismatched_authorization_alarms_releases_and_closes(amount, currency):
    decision = m.decide(checkout(), m.PaymentAuthorized(amount, currency), AT)
    (alarm,) = of(decision, m.Alarm)
    assert alarm.code == "payment_amount_mismatch"
    assert (alarm.details["expected"], alarm.details["received"]) == ([AMOUNT, "usd"], [amount, currency])
    assert of(decision, m.CancelPayment) == [m.CancelPayment("pi_1")]
    assert sorted((e.product_id, e.quantity) for e in of(decision, m.ReleaseStock)) == [
        ("apple", 4),
        ("bread", 1),
        ("cherries", 750),
    ]
    assert (decision.state["status"], decision.state["close_reason"]) == ("closed", "amount_mismatch")
    assert {o["cancel_reason"] for o in decision.state["orders"].values()} == {"payment_mismatch"}
    assert set(orders_of(decision.state).values()) == {("cancelled", "unpaid")}
    assert not of(decision, m.CommitStock)


def test_an_authorization_after_expiry_is_voided_and_moves_nothing():
    expired = then(checkout(), m.Expire(), at=DUE)
    decision = m.decide(expired, m.PaymentAuthorized(AMOUNT, "usd"), DUE)
    assert decision.outcome == "late_authorization_voided"
    assert decision.effects == [m.CancelPayment("pi_1")]
    assert (
        orders_of(decision.state)
        == orders_of(expired)
        == {
            "o-bakery": ("cancelled", "unpaid"),
            "o-farm": ("cancelled", "unpaid"),
        }
    )


def test_a_duplicate_authorization_changes_nothing():
    state = authorized()
    decision = m.decide(state, m.PaymentAuthorized(AMOUNT, "usd"), AT + timedelta(hours=1))
    assert (decision.outcome, decision.changed, decision.effects, decision.state) == (
        "already_settled",
        False,
        [],
        state,
    )


def test_a_decline_keeps_the_orders_waiting_and_a_later_authorization_confirms_them():
    declined = then(checkout(), m.PaymentFailed("Your card was declined." + "!" * 400))
    assert orders_of(declined) == {"o-farm": ("pending_payment", "unpaid"), "o-bakery": ("pending_payment", "unpaid")}
    assert len(declined["decline"]["message"]) == 300 and declined["declines"] == 1
    assert m.order_view(declined, "o-farm")["payment_error"].startswith("Your card was declined.")
    later = then(declined, m.PaymentAuthorized(AMOUNT, "usd"))
    assert set(orders_of(later).values()) == {("confirmed", "authorized")}
    assert m.order_view(later, "o-farm")["payment_error"] is None


def test_expiry_after_declines_fails_the_orders_and_releases_the_stock():
    declined = then(checkout(), m.PaymentFailed("declined"))
    decision = m.decide(declined, m.Expire(), DUE)
    assert decision.state["close_reason"] == "expired"
    assert set(orders_of(decision.state).values()) == {("payment_failed", "failed")}
    assert sorted((e.product_id, e.quantity) for e in of(decision, m.ReleaseStock)) == [
        ("apple", 4),
        ("bread", 1),
        ("cherries", 750),
    ]


def test_expiry_without_a_decline_cancels_the_orders():
    decision = m.decide(checkout(), m.Expire(), DUE)
    assert set(orders_of(decision.state).values()) == {("cancelled", "unpaid")}
    assert {o["cancel_reason"] for o in decision.state["orders"].values()} == {"expired"}
    assert m.decide(checkout(), m.Expire(), AT + timedelta(minutes=30)).outcome == "expired"  # due at expires_at


def test_a_cancelled_payment_while_pending_releases_and_closes():
    decision = m.decide(checkout(), m.PaymentCanceled(), AT)
    assert (decision.state["close_reason"], decision.outcome) == ("payment_canceled", "released")
    assert {o["cancel_reason"] for o in decision.state["orders"].values()} == {"payment_canceled"}


def test_a_lost_authorization_cancels_the_orders_and_restocks_what_is_on_the_shelf():
    state = then(
        authorized(),
        pack_farm(q("1", 2, sub("pear", quantity=2)), w("2", 800)),
        PACK_BAKERY,  # now capturing
        m.AdvanceOrder("o-bakery", "out_for_delivery", SELLER, "bakery"),
    )
    decision = m.decide(state, m.PaymentCanceled(), AT)
    assert decision.outcome == "authorization_lost" and decision.state["status"] == "voided"
    assert [a.code for a in of(decision, m.Alarm)] == ["authorization_lost"]
    assert set(orders_of(decision.state).values()) == {("cancelled", "voided")}
    assert {o["cancel_reason"] for o in decision.state["orders"].values()} == {"payment_authorization_lost"}
    # as packed, substitute included; the bread on its way counts as back too, as when an admin cancels it
    assert sorted(of(decision, m.Restock), key=lambda r: r.product_id) == [
        m.Restock("o-farm", "apple", 2),
        m.Restock("o-bakery", "bread", 1),
        m.Restock("o-farm", "cherries", 800),
        m.Restock("o-farm", "pear", 2),
    ]
    assert m.Publish("OrderStatusChanged", "o-bakery", "cancelled", "out_for_delivery") in decision.effects


def test_authorization_after_one_order_was_cancelled_voids_its_share():
    cancelled = then(checkout(), m.CancelOrder("o-farm", BUYER, "buyer"))
    decision = m.decide(cancelled, m.PaymentAuthorized(AMOUNT, "usd"), AT)  # the hold is still the whole amount
    assert orders_of(decision.state) == {"o-bakery": ("confirmed", "authorized"), "o-farm": ("cancelled", "voided")}
    assert of(decision, m.CommitStock) == [m.CommitStock("bread", 1)]
    assert not of(decision, m.Refund) and decision.state["status"] == "authorized"
    assert m.order_view(decision.state, "o-farm")["released_cents"] == FARM_AUTHORIZED


def test_late_events_never_move_an_authorized_checkout_back():
    state = authorized()
    for command in (
        m.PaymentFailed("x"),
        m.PaymentAuthorized(AMOUNT, "usd"),
        m.Expire(),
        m.Abandon("interrupted"),
        m.ReservationsTaken(),
        m.PaymentRequested("pi_2"),
        m.RefundIssued("o-farm", "re_1"),
        m.RefundIssued("checkout", "re_1"),
    ):
        decision = m.decide(state, command, AT + timedelta(hours=1))
        assert not decision.changed and not decision.effects and decision.state == state, command


# -- packing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines,final,takes,returns",
    [
        pytest.param(AS_ORDERED, 1999, {}, {}, id="as-ordered"),
        pytest.param((q("1", 2), w("2", 750)), 100 + 1799, {}, {"apple": 2}, id="short-pick"),
        pytest.param((q("1", 0), w("2", 750)), 1799, {}, {"apple": 4}, id="unavailable"),
        pytest.param((q("1", 0), w("2", 0)), 0, {}, {"apple": 4, "cherries": 750}, id="nothing"),
        pytest.param((q("1", 4), w("2", 800)), 200 + 1919, {"cherries": 50}, {}, id="heavier"),
        pytest.param((q("1", 4), w("2", 700)), 200 + 1679, {}, {"cherries": 50}, id="lighter"),
        pytest.param((q("1", 4), w("2", 825)), 200 + 1979, {"cherries": 75}, {}, id="up-to-the-authorisation"),
        pytest.param(
            (q("1", 2, sub("pear", quantity=2)), w("2", 750)),
            100 + 2 * 40 + 1799,
            {"pear": 2},
            {"apple": 2},
            id="cheaper-substitute",
        ),
        pytest.param(
            (q("1", 1, sub("quince", quantity=3)), w("2", 750)),
            50 + 3 * 50 + 1799,  # the quince is charged at the apple's price
            {"quince": 3},
            {"apple": 3},
            id="dearer-substitute",
        ),
        pytest.param(
            (q("1", 4), w("2", 0, sub("grapes", weight_g=700))),
            200 + 840,
            {"grapes": 700},
            {"cherries": 750},
            id="cheaper-weighed-substitute",
        ),
        pytest.param(
            (q("1", 4), w("2", 300, sub("figs", weight_g=400))),
            200 + 720 + 960,  # 300 g cherries 719.7 -> 720; 400 g figs at the cherries' $23.99: 959.6 -> 960
            {"figs": 400},
            {"cherries": 450},
            id="dearer-weighed-substitute",
        ),
    ],
)
def test_packing(lines, final, takes, returns):
    state = authorized()
    plan = m.plan_packing(state["orders"]["o-farm"], lines, PRODUCTS)
    assert (plan.final_cents, plan.takes, plan.returns) == (final, takes, returns)
    decision = m.decide(state, pack_farm(*lines), AT)
    order = decision.state["orders"]["o-farm"]
    assert (order["status"], order["final_cents"], order["total_cents"], order["packed_at"]) == (
        "packed",
        final,
        final,
        AT,
    )
    assert order["estimated_cents"] == FARM_ESTIMATE and order["authorized_cents"] == FARM_AUTHORIZED
    assert sum(i["final_cents"] for i in order["items"]) == final
    assert of(decision, m.CommitStock) == [
        m.CommitStock(p, a, m.pack_holder("o-farm", "")) for p, a in sorted(takes.items())
    ]
    assert of(decision, m.Restock) == [m.Restock("o-farm", p, a, "pack") for p, a in sorted(returns.items())]
    assert m.Publish("OrderStatusChanged", "o-farm", "packed", "confirmed") in decision.effects
    assert decision.outcome == "packed"
    assert decision.state["status"] == "authorized" and not of(decision, m.CapturePayment)  # the bakery is not packed


def test_a_substitute_is_recorded_at_the_price_charged():
    cheaper = then(authorized(), pack_farm(q("1", 2, sub("pear", quantity=2)), w("2", 750)))
    apples = cheaper["orders"]["o-farm"]["items"][0]
    assert apples["packed"] == {"quantity": 2, "cents": 100}
    assert apples["substitute"] == {
        "product_id": "pear",
        "name": "Pear",
        "unit": "each",
        "sold_by": "unit",
        "unit_price_cents": 40,
        "quantity": 2,
        "cents": 80,
    }
    assert apples["final_cents"] == 180
    dearer = then(authorized(), pack_farm(q("1", 4), w("2", 300, sub("figs", weight_g=400))))
    cherries = dearer["orders"]["o-farm"]["items"][1]
    assert cherries["packed"] == {"weight_g": 300, "cents": 720}
    assert (cherries["substitute"]["unit_price_cents"], cherries["substitute"]["weight_g"]) == (2399, 400)
    assert cherries["substitute"]["cents"] == 960 and cherries["final_cents"] == 1680


@pytest.mark.parametrize(
    "order_id,lines,code",
    [
        pytest.param("o-farm", (q("1", 4), w("2", 826)), "over_authorization", id="too-heavy"),
        pytest.param(
            "o-farm",
            (q("1", 0, sub("pear", quantity=5)), w("2", 750)),
            "invalid_packing",
            id="more-substitutes-than-missing",
        ),
        pytest.param(
            "o-farm", (q("1", 4), w("2", 0, sub("grapes", weight_g=2000))), "invalid_packing", id="heavy-substitute"
        ),
        pytest.param("o-farm", (q("1", 4),), "invalid_packing", id="missing-line"),
        pytest.param("o-farm", (), "invalid_packing", id="no-lines"),
        pytest.param("o-farm", (*AS_ORDERED, q("9", 1)), "invalid_packing", id="unknown-line"),
        pytest.param("o-farm", (q("1", 4), q("1", 4), w("2", 750)), "invalid_packing", id="duplicate-line"),
        pytest.param("o-farm", ({"packed_quantity": 4}, w("2", 750)), "invalid_packing", id="no-line-id"),
        pytest.param("o-farm", (q("1", 5), w("2", 750)), "invalid_packing", id="more-than-ordered"),
        pytest.param("o-farm", (q("1", -1), w("2", 750)), "invalid_packing", id="negative"),
        pytest.param("o-farm", (q("1", True), w("2", 750)), "invalid_packing", id="bool"),
        pytest.param("o-farm", (q("1", "4"), w("2", 750)), "invalid_packing", id="string"),
        pytest.param("o-farm", (q("1", 4), w("2", 750.0)), "invalid_packing", id="float-grams"),
        pytest.param("o-farm", (q("1", 4), w("2", m.MAX_PACKED_WEIGHT_G + 1)), "invalid_packing", id="too-many-grams"),
        pytest.param("o-farm", (w("1", 4), w("2", 750)), "invalid_packing", id="grams-for-a-unit-line"),
        pytest.param("o-farm", ({**q("1", 4), "packed_weight_g": 4}, w("2", 750)), "invalid_packing", id="both"),
        pytest.param("o-farm", (q("1", 4), q("2", 1)), "invalid_packing", id="count-for-a-weighed-line"),
        pytest.param(
            "o-farm", (q("1", 4, sub("pear", quantity=1)), w("2", 750)), "invalid_packing", id="nothing-to-replace"
        ),
        pytest.param("o-bakery", (q("1", 0, sub("bun", quantity=1)),), "invalid_packing", id="no-substitutes-wanted"),
        pytest.param(
            "o-farm", (q("1", 2, sub("bun", quantity=2)), w("2", 750)), "invalid_packing", id="another-sellers"
        ),
        pytest.param("o-farm", (q("1", 2, sub("ghost", quantity=2)), w("2", 750)), "invalid_packing", id="not-on-sale"),
        pytest.param("o-farm", (q("1", 2, sub("apple", quantity=2)), w("2", 750)), "invalid_packing", id="same"),
        pytest.param(
            "o-farm", (q("1", 2, sub("grapes", weight_g=100)), w("2", 750)), "invalid_packing", id="weighed-for-unit"
        ),
        pytest.param(
            "o-farm", (q("1", 4), w("2", 0, sub("pear", quantity=2))), "invalid_packing", id="unit-for-weighed"
        ),
        pytest.param("o-farm", (q("1", 2, sub("pear")), w("2", 750)), "invalid_packing", id="no-amount"),
        pytest.param("o-farm", (q("1", 2, sub("pear", quantity=0)), w("2", 750)), "invalid_packing", id="zero"),
        pytest.param("o-farm", (q("1", 0, sub("pear", quantity=101)), w("2", 750)), "invalid_packing", id="over-100"),
    ],
)
def test_invalid_packings_are_refused_and_change_nothing(order_id, lines, code):
    state = authorized()
    before = copy.deepcopy(state)
    with pytest.raises(Invalid) as caught:
        m.decide(state, m.PackOrder(order_id, lines, PRODUCTS, SELLER, "seller"), AT)
    assert caught.value.code == code and caught.value.status == 422
    assert state == before


def test_over_authorization_names_both_amounts():
    with pytest.raises(Invalid) as caught:
        m.decide(authorized(), pack_farm(q("1", 4), w("2", 826)), AT)
    assert caught.value.details == {"final_total": "21.82", "authorized": "21.79"}


def test_an_invalid_packing_names_the_lines_at_fault():
    with pytest.raises(Invalid) as caught:
        m.decide(authorized(), pack_farm(q("1", 4), q("1", 3), q("7", 1), q("2", 1)), AT)
    assert sorted(p["line_id"] for p in caught.value.details) == ["1", "2", "7"]


@pytest.mark.parametrize(
    "state,command,error",
    [
        ("authorized", pack_farm(relations=BUYER), Forbidden),
        ("pending_payment", pack_farm(), Conflict),
        ("packed", pack_farm(), Conflict),
        ("authorized", m.PackOrder("o-nope", AS_ORDERED, {}, SELLER, "farm"), NotFound),
        ("pending_payment", m.AdvanceOrder("o-farm", "packed", SELLER, "farm"), Conflict),
        ("authorized", m.AdvanceOrder("o-farm", "delivered", SELLER, "farm"), Conflict),
        ("authorized", m.AdvanceOrder("o-farm", "packed", BUYER, "buyer"), Conflict),
        ("packed", m.AdvanceOrder("o-farm", "packed", SELLER, "farm"), Conflict),
        ("authorized", m.CancelOrder("o-nope", ADMIN, "admin"), NotFound),
        ("packed", m.CancelOrder("o-farm", BUYER | SELLER, "farm"), Conflict),
        ("voided", m.CancelOrder("o-farm", ADMIN, "admin"), Conflict),
    ],
)
def test_illegal_commands_raise_and_change_nothing(state, command, error):
    given_state = then(authorized(), pack_farm()) if state == "packed" else given(state)
    before = copy.deepcopy(given_state)
    with pytest.raises(error) as caught:
        m.decide(given_state, command, AT)
    assert given_state == before
    if error is Conflict:
        assert caught.value.code == "illegal_transition"


def test_packing_twice_is_a_conflict():
    packed = then(authorized(), pack_farm(q("1", 2), w("2", 700)))
    with pytest.raises(Conflict) as caught:
        m.decide(packed, pack_farm(), AT)
    assert caught.value.details == {"from": "packed", "to": "packed"}


def test_an_admin_may_pack():
    assert then(authorized(), pack_farm(relations=ADMIN))["orders"]["o-farm"]["status"] == "packed"


def test_advancing_to_packed_packs_exactly_as_ordered():
    decision = m.decide(authorized(), m.AdvanceOrder("o-farm", "packed", SELLER, "farm"), AT)
    order = decision.state["orders"]["o-farm"]
    assert order["status"] == "packed" and order["final_cents"] == FARM_ESTIMATE
    assert [(i["packed"], i["substitute"], i["final_cents"]) for i in order["items"]] == [
        ({"quantity": 4, "cents": 200}, None, 200),
        ({"weight_g": 750, "cents": 1799}, None, 1799),
    ]
    assert not of(decision, m.CommitStock) and not of(decision, m.Restock)
    assert list(m.as_ordered_packing(authorized()["orders"]["o-farm"])) == list(AS_ORDERED)


def test_the_seller_flow_after_packing():
    state = capturing()
    for target in ("out_for_delivery", "delivered"):
        decision = m.decide(state, m.AdvanceOrder("o-farm", target, SELLER, "farm"), AT)
        assert decision.outcome == target
        assert (
            m.Publish("OrderStatusChanged", "o-farm", target, state["orders"]["o-farm"]["status"]) in decision.effects
        )
        state = decision.state
    assert state["status"] == "capturing" and not of(decision, m.CapturePayment)


# -- settlement ------------------------------------------------------------------------------------


def test_the_last_packed_order_requests_one_capture_of_the_final_totals():
    farm = m.decide(authorized(), pack_farm(q("1", 2, sub("pear", quantity=2)), w("2", 800)), AT)
    assert farm.state["status"] == "authorized" and not of(farm, m.CapturePayment)
    bakery = m.decide(farm.state, PACK_BAKERY, AT)
    assert bakery.state["status"] == "capturing"
    assert of(bakery, m.CapturePayment) == [m.CapturePayment("pi_1", (100 + 80 + 1919) + 325)]
    assert bakery.state["capture"] == {"amount_cents": 2424, "requested_at": AT, "captured_at": None}
    later = m.decide(bakery.state, m.AdvanceOrder("o-bakery", "out_for_delivery", SELLER, "bakery"), AT)
    assert not of(later, m.CapturePayment)  # exactly one capture


@pytest.mark.parametrize("cancelled_by", [BUYER, SELLER, ADMIN])
def test_the_last_order_cancelled_requests_the_capture_of_the_packed_ones(cancelled_by):
    packed = then(authorized(), pack_farm(q("1", 3), w("2", 750)))
    decision = m.decide(packed, m.CancelOrder("o-bakery", cancelled_by, "someone"), AT)
    assert decision.state["status"] == "capturing"
    assert of(decision, m.CapturePayment) == [m.CapturePayment("pi_1", 150 + 1799)]
    assert orders_of(decision.state)["o-bakery"] == ("cancelled", "voided")
    assert decision.state["orders"]["o-bakery"]["cancel_reason"] == f"cancelled_by_{sorted(cancelled_by)[0]}"


def test_every_order_cancelled_voids_the_hold():
    first = m.decide(authorized(), m.CancelOrder("o-farm", BUYER, "buyer"), AT)
    assert first.state["status"] == "authorized" and not of(first, m.CancelPayment)
    decision = m.decide(first.state, m.CancelOrder("o-bakery", SELLER, "bakery"), AT)
    assert (decision.state["status"], decision.state["voided_at"]) == ("voided", AT)
    assert of(decision, m.CancelPayment) == [m.CancelPayment("pi_1")]
    assert m.Publish("CheckoutSettled", "c1", "voided") in decision.effects
    assert not of(decision, m.CapturePayment) and decision.state["capture"] is None
    assert set(orders_of(decision.state).values()) == {("cancelled", "voided")}


def test_packing_nothing_at_all_voids_the_hold():
    state = then(authorized(), m.CancelOrder("o-bakery", BUYER, "buyer"))
    decision = m.decide(state, pack_farm(q("1", 0), w("2", 0)), AT)
    assert decision.state["status"] == "voided" and of(decision, m.CancelPayment) == [m.CancelPayment("pi_1")]
    assert orders_of(decision.state) == {"o-bakery": ("cancelled", "voided"), "o-farm": ("packed", "voided")}


def test_the_requested_capture_settles_the_orders():
    state = capturing(q("1", 2, sub("pear", quantity=2)), w("2", 750))
    decision = m.decide(state, m.PaymentCaptured(1979 + 325, "usd"), AT + timedelta(hours=1))
    assert (decision.state["status"], decision.outcome) == ("captured", "captured")
    assert decision.state["capture"]["captured_at"] == AT + timedelta(hours=1)
    assert set(orders_of(decision.state).values()) == {("packed", "captured")}
    assert {o["captured_at"] for o in decision.state["orders"].values()} == {AT + timedelta(hours=1)}
    assert m.Publish("CheckoutSettled", "c1", "captured") in decision.effects
    assert not of(decision, m.Refund) and not of(decision, m.Alarm)
    again = m.decide(decision.state, m.PaymentCaptured(1979 + 325, "usd"), AT + timedelta(hours=2))
    assert (again.outcome, again.changed, again.effects) == ("already_settled", False, [])


def test_a_capture_above_the_request_alarms_and_refunds_the_excess():
    decision = m.decide(capturing(), m.PaymentCaptured(ESTIMATE + 76, "usd"), AT)
    (alarm,) = of(decision, m.Alarm)
    assert alarm.code == "payment_amount_mismatch" and alarm.details["received"] == [ESTIMATE + 76, "usd"]
    assert of(decision, m.Refund) == [m.Refund("checkout", 76)]
    assert decision.state["refund"] == {"amount_cents": 76, "refund_id": None}
    assert decision.state["status"] == "captured" and decision.outcome == "amount_mismatch_refunded"
    again = m.decide(decision.state, m.PaymentCaptured(ESTIMATE + 76, "usd"), AT)
    assert not of(again, m.Refund)  # the excess is given back once


def test_money_captured_that_was_never_requested_is_refunded_whole():
    decision = m.decide(authorized(), m.PaymentCaptured(AMOUNT, "usd"), AT)
    assert sorted(a.code for a in of(decision, m.Alarm)) == ["authorization_lost", "payment_amount_mismatch"]
    assert of(decision, m.Refund) == [m.Refund("checkout", AMOUNT)]
    # the hold is gone (captured behind our back): nothing can be packed and charged any more
    assert decision.state["status"] == "voided"
    assert set(orders_of(decision.state).values()) == {("cancelled", "voided")}
    issued = m.decide(decision.state, m.RefundIssued("checkout", "re_1"), AT)
    assert issued.outcome == "refunded" and issued.state["refund"] == {"amount_cents": AMOUNT, "refund_id": "re_1"}
    again = m.decide(issued.state, m.RefundIssued("checkout", "re_2"), AT)
    assert not again.changed and again.state["refund"]["refund_id"] == "re_1"


# -- cancelling ------------------------------------------------------------------------------------


def test_cancelling_unpaid_orders_releases_them_and_the_last_one_closes_the_checkout():
    first = m.decide(checkout(), m.CancelOrder("o-farm", BUYER, "buyer"), AT)
    assert first.state["status"] == "pending_payment"
    assert of(first, m.ReleaseStock) == [m.ReleaseStock("apple", 4), m.ReleaseStock("cherries", 750)]
    assert not of(first, m.CancelPayment)
    second = m.decide(first.state, m.CancelOrder("o-bakery", SELLER, "bakery"), AT)
    assert second.state["close_reason"] == "cancelled" and of(second, m.CancelPayment) == [m.CancelPayment("pi_1")]
    assert set(orders_of(second.state).values()) == {("cancelled", "unpaid")}


def test_cancelling_a_confirmed_order_voids_its_share_and_restocks_it():
    decision = m.decide(authorized(), m.CancelOrder("o-farm", BUYER, "buyer"), AT)
    assert orders_of(decision.state)["o-farm"] == ("cancelled", "voided")
    assert of(decision, m.Restock) == [m.Restock("o-farm", "apple", 4), m.Restock("o-farm", "cherries", 750)]
    assert not of(decision, m.Refund) and not of(decision, m.ReleaseStock)
    assert m.Publish("OrderStatusChanged", "o-farm", "cancelled", "confirmed") in decision.effects
    assert decision.state["orders"]["o-farm"]["cancel_reason"] == "cancelled_by_buyer"


def test_an_admin_cancels_a_packed_order_before_the_capture():
    packed = then(authorized(), pack_farm(q("1", 2, sub("pear", quantity=2)), w("2", 800)))
    decision = m.decide(packed, m.CancelOrder("o-farm", ADMIN, "admin", "damaged"), AT)
    assert orders_of(decision.state)["o-farm"] == ("cancelled", "voided")
    assert decision.state["orders"]["o-farm"]["cancel_reason"] == "damaged"
    assert of(decision, m.Restock) == [  # what was packed, the substitute and the extra weight included
        m.Restock("o-farm", "apple", 2),
        m.Restock("o-farm", "cherries", 800),
        m.Restock("o-farm", "pear", 2),
    ]
    assert not of(decision, m.Refund) and decision.state["status"] == "authorized"
    settled = m.decide(decision.state, PACK_BAKERY, AT)
    assert of(settled, m.CapturePayment) == [m.CapturePayment("pi_1", BAKERY)]


def test_cancelling_after_the_capture_refunds_the_final_total_and_restocks_what_was_packed():
    state = captured(q("1", 2, sub("pear", quantity=2)), w("2", 800))
    decision = m.decide(state, m.CancelOrder("o-farm", ADMIN, "admin"), AT)
    farm = decision.state["orders"]["o-farm"]
    assert (farm["status"], farm["payment_status"], farm["refund_pending"]) == ("cancelled", "captured", True)
    assert of(decision, m.Refund) == [m.Refund("o-farm", 100 + 80 + 1919, 1)]
    # the farm's commission (10 %) on 20.99 is 2.10: the seller's 18.89 is reversed, the 2.10 given back
    assert of(decision, m.ReverseTransfer) == [m.ReverseTransfer("o-farm", 1, 1889)]
    assert of(decision, m.Restock) == [
        m.Restock("o-farm", "apple", 2),
        m.Restock("o-farm", "cherries", 800),
        m.Restock("o-farm", "pear", 2),
    ]
    assert decision.state["status"] == "captured"
    issued = m.decide(decision.state, m.RefundIssued("o-farm", "re_1", 1), AT)
    farm = issued.state["orders"]["o-farm"]
    assert (farm["payment_status"], farm["refund_pending"], farm["refund_id"], issued.outcome) == (
        "refunded",
        False,
        "re_1",
        "refunded",
    )
    assert issued.effects == [m.ProjectOrder("o-farm")]
    assert not m.decide(issued.state, m.RefundIssued("o-farm", "re_2", 1), AT).changed


def test_an_order_cancelled_while_capturing_is_refunded_and_marked_captured_with_the_rest():
    state = then(capturing(), m.CancelOrder("o-farm", ADMIN, "admin"))
    assert state["orders"]["o-farm"]["refund_pending"] is True
    done = then(state, m.PaymentCaptured(ESTIMATE, "usd"))
    assert orders_of(done) == {"o-bakery": ("packed", "captured"), "o-farm": ("cancelled", "captured")}


def test_packed_orders_are_cancelled_by_an_admin_only():
    packed = then(authorized(), pack_farm())
    for relations in (BUYER, SELLER, BUYER | SELLER):
        with pytest.raises(Conflict):
            m.decide(packed, m.CancelOrder("o-farm", relations, "someone"), AT)
    assert then(packed, m.CancelOrder("o-farm", ADMIN, "admin"))["orders"]["o-farm"]["status"] == "cancelled"


@pytest.mark.parametrize(
    "status,relations,allowed",
    [
        ("pending_payment", BUYER, ["cancelled"]),
        ("pending_payment", SELLER, ["cancelled"]),
        ("confirmed", SELLER, ["packed", "cancelled"]),
        ("confirmed", BUYER, ["cancelled"]),
        ("confirmed", ADMIN, ["packed", "cancelled"]),
        ("packed", BUYER, []),
        ("packed", SELLER, ["out_for_delivery"]),
        ("packed", ADMIN, ["out_for_delivery", "cancelled"]),
        ("out_for_delivery", SELLER, ["delivered"]),
        ("out_for_delivery", ADMIN, ["delivered", "cancelled"]),
        ("delivered", ADMIN, []),
        ("cancelled", ADMIN, []),
        ("payment_failed", ADMIN, []),
        ("confirmed", frozenset(), []),
    ],
)
def test_allowed_transitions(status, relations, allowed):
    assert m.allowed_transitions({"status": status}, relations) == allowed


# -- the capture deadline --------------------------------------------------------------------------


def test_the_capture_deadline_does_nothing_before_capture_by():
    state = then(authorized(), pack_farm())
    decision = m.decide(state, m.CaptureDeadline(), state["capture_by"] - timedelta(seconds=1))
    assert (decision.changed, decision.effects, decision.state) == (False, [], state)


def test_the_capture_deadline_cancels_the_unpacked_orders_and_captures_the_packed_ones():
    state = then(authorized(), pack_farm(q("1", 3), w("2", 750)))
    decision = m.decide(state, m.CaptureDeadline(), state["capture_by"])
    assert decision.outcome == "deadline_settled"
    assert orders_of(decision.state) == {"o-bakery": ("cancelled", "voided"), "o-farm": ("packed", "authorized")}
    assert decision.state["orders"]["o-bakery"]["cancel_reason"] == "not_packed_in_time"
    assert of(decision, m.Restock) == [m.Restock("o-bakery", "bread", 1)]
    assert decision.state["status"] == "capturing"
    assert of(decision, m.CapturePayment) == [m.CapturePayment("pi_1", 150 + 1799)]


# -- the order as listed ---------------------------------------------------------------------------


def test_the_order_view_through_an_orders_life():
    pending = checkout()
    view = m.order_view(pending, "o-farm")
    assert (view["seller_visible"], view["released_cents"], view["sold_lines"]) == (False, None, [])
    assert (view["checkout_id"], view["currency"], view["v"], view["authorized_cents"]) == ("c1", "usd", 1, 2179)

    confirmed = authorized()
    view = m.order_view(confirmed, "o-farm")
    assert (view["seller_visible"], view["released_cents"], view["final_cents"]) == (True, None, None)
    assert view["confirmed_at"] == AT and view["sold_lines"] == []

    packed = then(confirmed, pack_farm(q("1", 2, sub("pear", quantity=2)), w("2", 750)))
    view = m.order_view(packed, "o-farm")
    assert (view["final_cents"], view["total_cents"], view["released_cents"]) == (1979, 1979, 2179 - 1979)
    assert view["sold_lines"] == [
        {"product_id": "apple", "name": "Apple", "amount": 2, "cents": 100},
        {"product_id": "pear", "name": "Pear", "amount": 2, "cents": 80},
        {"product_id": "cherries", "name": "Cherries", "amount": 750, "cents": 1799},
    ]

    done = then(packed, PACK_BAKERY, m.PaymentCaptured(1979 + 325, "usd"))
    assert m.order_view(done, "o-farm")["released_cents"] == 200
    assert m.order_view(done, "o-bakery")["released_cents"] == 0
    assert m.order_view(done, "o-farm")["payment_status"] == "captured"

    unavailable = then(confirmed, pack_farm(q("1", 0), w("2", 750)))
    assert [r["product_id"] for r in m.order_view(unavailable, "o-farm")["sold_lines"]] == ["cherries"]

    voided = given("voided")
    assert m.order_view(voided, "o-farm")["released_cents"] == FARM_AUTHORIZED
    assert m.order_view(voided, "o-bakery")["released_cents"] == BAKERY


def test_effects_round_trip_through_the_outbox():
    for effect in (
        m.ReleaseStock("p", 1),
        m.CommitStock("p", 750, "pack-o1"),
        m.CommitStock("p", 2),
        m.Restock("o", "p", 3, "pack"),
        m.Restock("o", "p", 3),
        m.CapturePayment("pi", 100),
        m.Refund("o", 5),
        m.Publish("OrderStatusChanged", "o", "packed", "confirmed"),
        m.ProjectOrder("o"),
        m.Alarm("x", "y", {"a": 1}),
        m.CancelPayment("pi"),
    ):
        assert m.effect_from_doc(m.effect_to_doc(effect)) == effect
        assert "." not in effect.key and not effect.key.startswith("$")  # a MongoDB field name
    assert m.Restock("o", "p", 3, "pack").key != m.Restock("o", "p", 3).key  # a packing's return and a cancel
    assert m.CommitStock("p", 1, "pack-o").key != m.CommitStock("p", 1).key


# -- the shell over in-memory fakes ----------------------------------------------------------------

STOCK = {
    "apple": 10,
    "pear": 10,
    "quince": 10,
    "cherries": 5000,  # grams
    "grapes": 5000,
    "figs": 5000,
    "bread": 2,
    "bun": 10,
}


class Fakes:
    """The money core's ports in memory, with the MongoDB adapters' guards: a hold is a marker per
    holder, released or committed only at its size; a restock fires once per marker."""

    def __init__(self):
        self.checkouts: dict[str, dict] = {}
        self.orders: dict[str, dict] = {}
        self.received = dict(STOCK)
        self.stock = dict(STOCK)
        self.holds: dict[tuple[str, str], int] = {}
        self.sold = dict.fromkeys(STOCK, 0)
        self.restocked: set[tuple[str, str]] = set()
        self.refunds: dict[str, int] = {}
        self.captures: list[tuple[str, int, str]] = []
        self.cancelled: list[str] = []
        self.events: list[tuple[str, dict]] = []
        self.fail_refunds = False
        self.fail_captures = False
        self.fail_transfers = False
        self.transfers: dict[str, tuple[str, int, str]] = {}  # key -> (account, amount, source charge)
        self.reversals: dict[str, tuple[str, int]] = {}  # key -> (transfer, amount)
        self.payment_events: dict[str, dict] = {}
        self.reserves: list[tuple[str, int, str]] = []
        self.saves = 0
        self.on_reserve = None  # another request acting while a hold is being taken
        self.on_save = None  # another request writing the checkout first
        self.numbers: dict[str, str] = {}  # order number -> order id

    # CheckoutRepository
    def insert(self, state):
        if state["_id"] in self.checkouts:
            return False
        self.checkouts[state["_id"]] = copy.deepcopy(state)
        return True

    def load(self, checkout_id):
        return copy.deepcopy(self.checkouts.get(checkout_id))

    def save(self, state, expected_version):
        self.saves += 1
        if self.on_save:
            self.on_save(state["_id"])
        if self.checkouts[state["_id"]]["version"] != expected_version:
            return False
        self.checkouts[state["_id"]] = copy.deepcopy(state)
        return True

    def effect_done(self, checkout_id, key):
        self.checkouts[checkout_id]["outbox"].pop(key, None)

    def settle(self, checkout_id, version):
        if self.checkouts[checkout_id]["version"] == version:
            self.checkouts[checkout_id]["outbox_pending"] = False

    def stale_builds(self, before, limit):
        return [
            c["_id"]
            for c in self.checkouts.values()
            if c["status"] in ("reserving", "creating_payment") and c["created_at"] < before
        ]

    def expired(self, at, limit):
        return [c["_id"] for c in self.checkouts.values() if c["status"] == "pending_payment" and c["expires_at"] < at]

    def capture_due(self, at, limit):
        return [c["_id"] for c in self.checkouts.values() if c["status"] == "authorized" and c["capture_by"] < at]

    def with_pending_effects(self, before, limit):
        return [c["_id"] for c in self.checkouts.values() if c["outbox_pending"] and c["outbox_at"] < before]

    def settled_ledgers(self, since, limit):
        return [
            copy.deepcopy(c)
            for c in self.checkouts.values()
            if c.get("ledger_at") and c["ledger_at"] >= since and not c["outbox_pending"]
        ]

    # OrderNumberRegistry
    def claim(self, number, checkout_id, order_id):
        return self.numbers.setdefault(number, order_id) == order_id

    def number_of(self, order_id):
        return next((n for n, o in self.numbers.items() if o == order_id), None)

    # OrderRepository
    def project(self, view):
        if view["v"] > self.orders.get(view["_id"], {}).get("v", 0):
            self.orders[view["_id"]] = copy.deepcopy(view)

    def get(self, order_id):
        return copy.deepcopy(self.orders.get(order_id))

    def waiting_past(self, at, limit):
        return [o for o in self.orders.values() if o["status"] == "pending_payment" and o["expires_at"] < at]

    # StockRepository
    def active_products(self, ids):
        return {pid: PRODUCTS[pid] for pid in ids if pid in PRODUCTS}

    def reserve(self, pid, qty, holder):
        self.reserves.append((pid, qty, holder))
        if self.on_reserve:
            self.on_reserve(pid, holder)
        if (pid, holder) in self.holds:
            return self.holds[(pid, holder)] == qty
        if self.stock[pid] < qty:
            return False
        self.stock[pid] -= qty
        self.holds[(pid, holder)] = qty
        return True

    def available(self, pid):
        return self.stock[pid]

    def held(self, pid, holder):
        return self.holds.get((pid, holder))

    def held_by(self, holder) -> dict[str, int]:
        return {pid: qty for (pid, h), qty in self.holds.items() if h == holder}

    def release(self, pid, qty, holder):
        if self.holds.get((pid, holder)) == qty:
            del self.holds[(pid, holder)]
            self.stock[pid] += qty

    def commit(self, pid, qty, holder):
        if self.holds.get((pid, holder)) == qty:
            del self.holds[(pid, holder)]
            self.sold[pid] += qty

    def restock(self, pid, qty, marker):
        if (pid, marker) not in self.restocked:
            self.restocked.add((pid, marker))
            self.stock[pid] += qty
            self.sold[pid] -= qty

    def ledgers(self, limit):
        return [
            {
                "_id": pid,
                "stock": self.stock[pid],
                "reservations": self.held_by_product(pid),
                "sold": self.sold[pid],
                "received": self.received[pid],
            }
            for pid in STOCK
        ]

    def held_by_product(self, pid) -> dict[str, int]:
        return {h: qty for (p, h), qty in self.holds.items() if p == pid}

    # PaymentGateway
    provider, publishable_key = "local", None

    def create_payment_intent(self, amount, currency, checkout_id, key):
        return SimpleNamespace(id=f"pi_{checkout_id}", client_secret=f"secret_{checkout_id}")

    def client_secret(self, intent_id):
        return "secret_" + intent_id[3:]

    def capture(self, intent_id, amount, key):
        from smartgrocer.domain.payments import PaymentProviderError

        if self.fail_captures or intent_id in self.cancelled:
            raise PaymentProviderError("down")
        self.captures.append((intent_id, amount, key))
        return "ch_" + intent_id

    def transfer(self, account_id, amount, currency, source_charge, group, key):
        from smartgrocer.domain.payments import PaymentProviderError

        if self.fail_transfers:
            raise PaymentProviderError("down")
        self.transfers.setdefault(key, (account_id, amount, source_charge))
        return "tr_" + key

    def reverse_transfer(self, transfer_id, amount, key):
        from smartgrocer.domain.payments import PaymentProviderError

        if self.fail_transfers:
            raise PaymentProviderError("down")
        self.reversals.setdefault(key, (transfer_id, amount))
        return "trr_" + key

    def refund(self, intent_id, amount, key):
        from smartgrocer.domain.payments import PaymentProviderError

        if self.fail_refunds:
            raise PaymentProviderError("down")
        self.refunds.setdefault(key, amount)
        return "re_" + key

    def cancel(self, intent_id):
        self.cancelled.append(intent_id)

    # EventPublisher
    def publish(self, source, detail_type, detail):
        self.events.append((detail_type, detail))

    # PaymentEventLog
    def seen(self, event_id):
        return event_id in self.payment_events

    def record(self, event_id, doc):
        return self.payment_events.setdefault(event_id, doc) is doc


class FakeWindows:
    """Window capacity in memory, with the adapter's guard: one place per holder."""

    def __init__(self):
        self.windows: dict[str, dict] = {}

    def taken(self, keys):
        return {k: self.windows[k]["taken"] for k in keys if k in self.windows}

    def reserve(self, key, window, capacity, holder):
        doc = self.windows.setdefault(key, {"_id": key, **window, "capacity": capacity, "taken": 0, "holders": {}})
        if holder in doc["holders"]:
            return True
        if doc["taken"] >= doc["capacity"]:
            return False
        doc["taken"] += 1
        doc["holders"][holder] = 1
        return True

    def release(self, key, holder):
        doc = self.windows.get(key)
        if doc and doc["holders"].pop(holder, None):
            doc["taken"] -= 1

    def ledgers(self, limit):
        return [copy.deepcopy(d) for d in self.windows.values()]


@pytest.fixture
def fakes():
    from smartgrocer import wiring
    from smartgrocer.domain import ports
    from smartgrocer.domain.catalog_ports import ProductRepository
    from smartgrocer.domain.checkout_ports import (
        CheckoutRepository,
        OrderNumberRegistry,
        OrderRepository,
        PaymentEventLog,
        SellerRepository,
        StockRepository,
        WindowRepository,
    )
    from smartgrocer.domain.events import EventPublisher
    from smartgrocer.domain.payments import PaymentGateway
    from tests.unit.fake_catalog import FakeProducts, FakeSellers

    fake = Fakes()
    for port in (
        CheckoutRepository,
        OrderRepository,
        OrderNumberRegistry,
        StockRepository,
        PaymentGateway,
        EventPublisher,
        PaymentEventLog,
    ):
        ports.use(port, fake)
    ports.use(SellerRepository, FakeSellers(everyone_active=True))  # every seller here can be paid
    ports.use(WindowRepository, FakeWindows())
    ports.use(ProductRepository, FakeProducts())  # the reconciler also repairs search postings
    yield fake
    wiring._install_money_core()
    wiring._install_sellers()
    wiring._install_windows()
    ports.register(ProductRepository, wiring._product_repository)


BUYER_PRINCIPAL = SimpleNamespace(user_id="buyer", email="b@example.com", role="shopper")
FARM_PRINCIPAL = SimpleNamespace(user_id="farm", email="f@example.com", role="seller")
BAKERY_PRINCIPAL = SimpleNamespace(user_id="bakery", email="k@example.com", role="seller")
ADMIN_PRINCIPAL = SimpleNamespace(user_id="root", email="a@example.com", role="admin")
FAR = datetime.now(UTC) + timedelta(days=3650)  # past every window of a checkout placed now


def place(fakes, key: str = "k1") -> str:
    from smartgrocer.domain import orders

    return orders.place_checkout(BUYER_PRINCIPAL, LINES, {}, idempotency_key=key)["checkout_id"]


def payment_event(checkout_id: str, kind: str, event_id: str, **fields) -> dict:
    intent = {"id": f"pi_{checkout_id}", "currency": "usd", "metadata": {"checkout_id": checkout_id}, **fields}
    return {"id": event_id, "type": f"payment_intent.{kind}", "data": {"object": intent}}


def authorize(fakes, checkout_id: str) -> dict:
    from smartgrocer.domain import orders

    amount = fakes.checkouts[checkout_id]["amount_cents"]
    event = payment_event(checkout_id, "amount_capturable_updated", f"auth-{checkout_id}", amount_capturable=amount)
    return orders.handle_payment_event(event)


def order_of(fakes, seller: str) -> str:
    return next(oid for oid, o in fakes.orders.items() if o["seller_id"] == seller)


def assert_stock_adds_up(fakes):
    from smartgrocer.domain.reconciler import stock_violations

    assert stock_violations() == []


def test_placing_numbers_each_order_once_and_a_retry_keeps_the_numbers(fakes, monkeypatch):
    from smartgrocer.domain import order_numbers

    taken = "SG-AAAA-AA"
    fakes.numbers[taken] = "someone-elses-order"
    draws = iter([taken, "SG-BBBB-BB", "SG-CCCC-CC"])  # the first draw collides: drawn again
    monkeypatch.setattr(order_numbers, "new_number", lambda: next(draws))
    checkout_id = place(fakes)
    numbers = {oid: o["number"] for oid, o in fakes.checkouts[checkout_id]["orders"].items()}
    assert sorted(numbers.values()) == ["SG-BBBB-BB", "SG-CCCC-CC"]
    assert {oid: fakes.orders[oid]["number"] for oid in numbers} == numbers  # the projections show them
    assert all(fakes.numbers[n] == oid for oid, n in numbers.items())
    assert place(fakes) == checkout_id  # the client's retry carries the same checkout on: same numbers, no draw
    assert {oid: o["number"] for oid, o in fakes.checkouts[checkout_id]["orders"].items()} == numbers


def test_placing_gives_up_when_every_draw_is_taken(fakes, monkeypatch):
    from smartgrocer.domain import order_numbers
    from smartgrocer.errors import Unavailable

    fakes.numbers["SG-AAAA-AA"] = "someone-elses-order"
    monkeypatch.setattr(order_numbers, "new_number", lambda: "SG-AAAA-AA")
    with pytest.raises(Unavailable):
        place(fakes)
    assert not fakes.checkouts and not fakes.holds  # nothing written, nothing held


def test_shell_places_authorises_packs_and_captures_with_fakes(fakes):
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    assert (fakes.stock["apple"], fakes.stock["cherries"], fakes.stock["bread"]) == (6, 4250, 1)
    assert fakes.held_by(checkout_id) == {"apple": 4, "cherries": 750, "bread": 1}
    assert {o["status"] for o in fakes.orders.values()} == {"pending_payment"} and len(fakes.orders) == 2
    assert place(fakes) == checkout_id and fakes.stock["apple"] == 6  # the same key carries the same checkout on

    assert authorize(fakes, checkout_id)["outcome"] == "authorized"
    assert authorize(fakes, checkout_id) == {"received": True, "duplicate": True}
    assert (fakes.sold["apple"], fakes.sold["cherries"], fakes.sold["bread"]) == (4, 750, 1) and not fakes.holds
    assert [t for t, _ in fakes.events] == ["OrderConfirmed", "OrderConfirmed"]
    farm, bakery = order_of(fakes, "farm"), order_of(fakes, "bakery")
    assert fakes.orders[farm]["seller_visible"] and fakes.orders[farm]["payment_status"] == "authorized"

    packed = orders.pack_order(FARM_PRINCIPAL, farm, [q("1", 2, sub("pear", quantity=2)), w("2", 800)])
    assert (packed["status"], packed["final_total"], packed["released"]) == ("packed", "20.99", "0.80")
    assert (fakes.sold["pear"], fakes.stock["pear"]) == (2, 8)  # held, then sold
    assert (fakes.sold["apple"], fakes.stock["apple"]) == (2, 8)  # the short pick is back on the shelf
    assert (fakes.sold["cherries"], fakes.stock["cherries"]) == (800, 4200)  # the extra 50 g taken
    assert not fakes.holds and not fakes.captures

    done = orders.change_status(BAKERY_PRINCIPAL, bakery, "packed")
    assert done["status"] == "packed"
    assert fakes.captures == [(f"pi_{checkout_id}", 2099 + 325, f"capture-{checkout_id}")]
    state = fakes.checkouts[checkout_id]
    assert state["status"] == "captured" and state["outbox"] == {} and not state["outbox_pending"]
    assert {o["payment_status"] for o in fakes.orders.values()} == {"captured"}
    settled_key = f"{checkout_id}/publish:CheckoutSettled:{checkout_id}:captured"  # the notifier's once-only key
    settled = {"order_id": checkout_id, "status": "captured", "previous": "", "event_key": settled_key}
    assert ("CheckoutSettled", settled) in fakes.events
    assert_stock_adds_up(fakes)

    from smartgrocer.domain.reconciler import reconcile

    assert reconcile(at=FAR, outbox_grace=0)["repairs"] == 0 and len(fakes.captures) == 1
    succeeded = payment_event(checkout_id, "succeeded", "evt-captured", amount_received=2424)
    assert orders.handle_payment_event(succeeded)["outcome"] == "already_settled"


def test_shell_a_failed_capture_is_retried_and_completes_its_outbox_entry_once(fakes):
    from smartgrocer.domain import orders
    from smartgrocer.domain.reconciler import reconcile

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    fakes.fail_captures = True
    orders.change_status(FARM_PRINCIPAL, order_of(fakes, "farm"), "packed")
    orders.change_status(BAKERY_PRINCIPAL, order_of(fakes, "bakery"), "packed")
    state = fakes.load(checkout_id)
    assert state["status"] == "capturing" and state["outbox"]["capture"]["amount_cents"] == ESTIMATE
    assert state["outbox_pending"] and not fakes.captures

    fakes.fail_captures = False
    assert orders.apply_effects(fakes.load(checkout_id)) >= 1
    assert fakes.captures == [(f"pi_{checkout_id}", ESTIMATE, f"capture-{checkout_id}")]
    state = fakes.load(checkout_id)
    assert state["status"] == "captured" and "capture" not in state["outbox"]
    assert state["capture"]["captured_at"] is not None
    assert orders.apply_effects(fakes.load(checkout_id)) == 0  # applied twice: nothing left to do
    assert reconcile(at=FAR, outbox_grace=0)["effects_applied"] == 0
    assert len(fakes.captures) == 1


def test_shell_a_stale_snapshot_repeats_the_capture_under_the_same_idempotency_key(fakes):
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    fakes.fail_captures = True
    orders.change_status(FARM_PRINCIPAL, order_of(fakes, "farm"), "packed")
    orders.change_status(BAKERY_PRINCIPAL, order_of(fakes, "bakery"), "packed")
    fakes.fail_captures = False
    snapshot = fakes.load(checkout_id)
    orders.apply_effects(snapshot)
    version = fakes.checkouts[checkout_id]["version"]
    orders.apply_effects(snapshot)  # a second runner that loaded before the first finished
    assert {key for _, _, key in fakes.captures} == {f"capture-{checkout_id}"}  # the provider's idempotency holds
    assert fakes.checkouts[checkout_id]["version"] == version  # its PaymentCaptured is already settled
    assert fakes.checkouts[checkout_id]["status"] == "captured"


def test_shell_execute_re_decides_on_the_state_another_request_saved_first(fakes):
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    bakery = order_of(fakes, "bakery")

    def buyer_cancels_the_bakery_order(_):
        fakes.on_save = None
        orders.execute(checkout_id, m.CancelOrder(bakery, BUYER, "buyer"), dispatch=False)

    fakes.on_save = buyer_cancels_the_bakery_order
    version = fakes.checkouts[checkout_id]["version"]
    orders.change_status(FARM_PRINCIPAL, order_of(fakes, "farm"), "packed")
    state = fakes.checkouts[checkout_id]
    # the cancel, the packing decided again on top of it, the capture's result, the transfer's result
    assert state["version"] == version + 4 and state["orders"][order_of(fakes, "farm")]["status"] == "packed"
    assert state["orders"][bakery]["status"] == "cancelled"
    assert fakes.captures == [(f"pi_{checkout_id}", FARM_ESTIMATE, f"capture-{checkout_id}")]  # the farm's only


def test_shell_execute_gives_up_after_its_save_attempts(fakes):
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)

    def another_writer(cid):
        fakes.checkouts[cid]["version"] += 1

    fakes.on_save, fakes.saves = another_writer, 0
    with pytest.raises(Conflict) as caught:
        orders.execute(checkout_id, m.CancelOrder(order_of(fakes, "farm"), BUYER, "buyer"))
    assert caught.value.code == "concurrent_update" and fakes.saves == orders.SAVE_ATTEMPTS
    assert fakes.checkouts[checkout_id]["orders"][order_of(fakes, "farm")]["status"] == "confirmed"


def test_shell_a_command_that_changes_nothing_is_not_saved(fakes):
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    fakes.saves = 0
    assert orders.execute(checkout_id, m.PaymentFailed("late")).outcome == "already_settled"
    assert fakes.saves == 0
    with pytest.raises(NotFound):
        orders.execute("nope", m.Expire())


def test_shell_a_refused_packing_holds_nothing(fakes):
    """The shell decides a dry run before any hold: an over-authorised or malformed list, or a packer
    without the right, never takes stock. A refusal *after* a hold cannot be over_authorization: the
    recorded decision sees the same order (lines and authorisation never change while it is confirmed)
    and the same list and catalog facts, so only a status change in between can make it differ."""
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    farm = order_of(fakes, "farm")
    before, reserves = fakes.load(checkout_id), len(fakes.reserves)
    with pytest.raises(Invalid) as caught:
        orders.pack_order(FARM_PRINCIPAL, farm, [q("1", 4), w("2", 900)])
    assert caught.value.code == "over_authorization"
    with pytest.raises(Invalid) as caught:
        orders.pack_order(FARM_PRINCIPAL, farm, [q("1", 2, sub("bun", quantity=2)), w("2", 750)])
    assert caught.value.code == "invalid_packing"
    with pytest.raises(Forbidden):
        orders.pack_order(BUYER_PRINCIPAL, farm, [q("1", 2, sub("pear", quantity=2)), w("2", 750)])
    with pytest.raises(NotFound):
        orders.pack_order(BAKERY_PRINCIPAL, farm, list(AS_ORDERED))
    assert len(fakes.reserves) == reserves and fakes.load(checkout_id) == before
    assert fakes.stock["pear"] == 10 and not fakes.holds


def test_shell_a_packing_the_machine_refuses_after_the_hold_gives_the_hold_back(fakes):
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    farm = order_of(fakes, "farm")

    def buyer_cancels_meanwhile(pid, holder):
        fakes.on_reserve = None
        orders.execute(checkout_id, m.CancelOrder(farm, BUYER, "buyer"))

    fakes.on_reserve = buyer_cancels_meanwhile
    with pytest.raises(Conflict) as caught:
        orders.pack_order(FARM_PRINCIPAL, farm, [q("1", 2, sub("pear", quantity=2)), w("2", 800)])
    assert caught.value.code == "illegal_transition"  # cancelled -> packed
    held = {(pid, qty) for pid, qty, holder in fakes.reserves if m.pack_hold_order(holder) == farm}
    assert held == {("pear", 2), ("cherries", 50)}
    assert not [h for (_, h) in fakes.holds if m.pack_hold_order(h) == farm] and fakes.stock["pear"] == 10
    assert fakes.stock["cherries"] == 5000 and fakes.stock["apple"] == 10  # the cancel restocked the order
    assert fakes.checkouts[checkout_id]["orders"][farm]["status"] == "cancelled"
    assert_stock_adds_up(fakes)


def test_shell_a_short_second_hold_gives_the_first_one_back(fakes):
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    farm = order_of(fakes, "farm")
    fakes.stock["pear"] = 1  # cherries are held first (sorted), then the pears are short
    fakes.received["pear"] = 1
    with pytest.raises(Conflict) as caught:
        orders.pack_order(FARM_PRINCIPAL, farm, [q("1", 2, sub("pear", quantity=2)), w("2", 800)])
    assert caught.value.code == "out_of_stock"
    assert caught.value.details == [
        {"product_id": "pear", "name": "Pear", "requested": 2, "available": 1, "reason": "insufficient_stock"}
    ]
    assert not fakes.holds and fakes.stock["cherries"] == 4250
    assert fakes.checkouts[checkout_id]["orders"][farm]["status"] == "confirmed"
    assert_stock_adds_up(fakes)


def test_shell_a_hold_left_by_an_interrupted_packing_goes_back_once_the_order_is_packed(fakes):
    from smartgrocer.domain import orders
    from smartgrocer.domain.reconciler import release_orphan_pack_holds

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    farm = order_of(fakes, "farm")
    orphan = m.pack_holder(farm, "died")
    assert fakes.reserve("pear", 5, orphan)  # an earlier attempt died after its hold
    assert release_orphan_pack_holds() == 0  # the order still waits to be packed: the seller may be at it
    orders.pack_order(FARM_PRINCIPAL, farm, [q("1", 2, sub("pear", quantity=2)), w("2", 750)])
    assert fakes.checkouts[checkout_id]["orders"][farm]["status"] == "packed"
    assert (fakes.stock["pear"], fakes.sold["pear"], fakes.held("pear", orphan)) == (3, 2, 5)
    assert release_orphan_pack_holds() == 1
    assert (fakes.stock["pear"], fakes.sold["pear"]) == (8, 2) and not fakes.holds
    assert_stock_adds_up(fakes)


def test_shell_the_capture_deadline_cancels_the_unpacked_and_captures_the_packed(fakes):
    from smartgrocer.domain import orders
    from smartgrocer.domain.reconciler import reconcile

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    farm, bakery = order_of(fakes, "farm"), order_of(fakes, "bakery")
    orders.pack_order(FARM_PRINCIPAL, farm, [q("1", 3), w("2", 750)])
    capture_by = fakes.checkouts[checkout_id]["capture_by"]
    assert reconcile(at=capture_by - timedelta(seconds=1))["captured_at_deadline"] == 0
    report = reconcile(at=capture_by + timedelta(seconds=1), outbox_grace=0)
    assert report["captured_at_deadline"] == 1
    assert fakes.captures == [(f"pi_{checkout_id}", 150 + 1799, f"capture-{checkout_id}")]
    assert (fakes.orders[bakery]["status"], fakes.orders[bakery]["cancel_reason"]) == (
        "cancelled",
        "not_packed_in_time",
    )
    assert fakes.orders[farm]["payment_status"] == "captured" and fakes.stock["bread"] == 2
    assert_stock_adds_up(fakes)


def test_shell_a_refund_that_failed_is_retried_by_the_reconciler(fakes):
    from smartgrocer.domain import orders
    from smartgrocer.domain.reconciler import reconcile

    checkout_id = place(fakes)
    authorize(fakes, checkout_id)
    farm, bakery = order_of(fakes, "farm"), order_of(fakes, "bakery")
    orders.pack_order(FARM_PRINCIPAL, farm, [q("1", 2, sub("pear", quantity=2)), w("2", 750)])
    orders.change_status(BAKERY_PRINCIPAL, bakery, "packed")
    assert fakes.checkouts[checkout_id]["status"] == "captured"
    with pytest.raises(Conflict):
        orders.change_status(BUYER_PRINCIPAL, farm, "cancelled")  # packed: an admin's call
    fakes.fail_refunds = True
    cancelled = orders.change_status(ADMIN_PRINCIPAL, farm, "cancelled")
    assert (cancelled["status"], cancelled["payment_status"]) == ("cancelled", "captured")
    assert fakes.refunds == {} and (fakes.stock["apple"], fakes.stock["pear"]) == (10, 10)
    fakes.fail_refunds = False
    assert reconcile(at=FAR, outbox_grace=0)["effects_applied"] == 2  # the refund, then the projection it asks for
    assert fakes.orders[farm]["payment_status"] == "refunded" and fakes.orders[farm]["refund_pending"] is False
    assert fakes.refunds == {f"refund-{checkout_id}-{farm}-1": 1979}
    assert reconcile(at=FAR, outbox_grace=0)["repairs"] == 0
    assert_stock_adds_up(fakes)


def test_shell_payment_events_for_other_intents_or_checkouts_are_not_applied(fakes):
    from smartgrocer.domain import orders

    checkout_id = place(fakes)
    amount = fakes.checkouts[checkout_id]["amount_cents"]
    other = payment_event(checkout_id, "amount_capturable_updated", "e1", amount_capturable=amount)
    other["data"]["object"]["id"] = "pi_someone_else"
    assert orders.handle_payment_event(other)["outcome"] == "unknown_checkout"
    nowhere = payment_event("nope", "amount_capturable_updated", "e2", amount_capturable=amount)
    assert orders.handle_payment_event(nowhere)["outcome"] == "unknown_checkout"
    ignored = payment_event(checkout_id, "created", "e3")
    assert orders.handle_payment_event(ignored)["outcome"] == "ignored"
    assert fakes.checkouts[checkout_id]["status"] == "pending_payment"
    declined = payment_event(checkout_id, "payment_failed", "e4", last_payment_error={"message": "Insufficient funds."})
    assert orders.handle_payment_event(declined)["outcome"] == "declined"
    assert fakes.orders[order_of(fakes, "farm")]["payment_error"] == "Insufficient funds."


def test_shell_short_stock_is_409_and_holds_nothing(fakes):
    from smartgrocer.domain import orders

    with pytest.raises(Conflict) as caught:
        orders.place_checkout(BUYER_PRINCIPAL, [{"product_id": "bread", "quantity": 3}, LINES[2]], {})
    assert caught.value.details[0]["product_id"] == "bread" and caught.value.details[0]["available"] == 2
    assert fakes.stock == STOCK and not fakes.holds and not fakes.orders
