"""The money core without a server: the pure machine as tables (given state, when command, then
state, effects or error), and the shell over in-memory fakes of its ports."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from smartgrocer.domain import checkout_machine as m
from smartgrocer.errors import Conflict, NotFound

AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PRODUCTS = {
    "apple": {
        "_id": "apple",
        "seller_id": "farm",
        "seller_name": "Farm",
        "name": "Apple",
        "unit": "each",
        "price_cents": 50,
    },
    "bread": {
        "_id": "bread",
        "seller_id": "bakery",
        "seller_name": "Bakery",
        "name": "Bread",
        "unit": "loaf",
        "price_cents": 325,
    },
}


def checkout(status: str = "pending_payment", **changes) -> dict:
    state = m.new_checkout(
        checkout_id="c1",
        order_ids=["o-bakery", "o-farm"],
        user_id="buyer",
        buyer_email="b@example.com",
        quantities={"apple": 4, "bread": 1},
        products=PRODUCTS,
        shipping_address={},
        currency="usd",
        at=AT,
        expires_at=AT + timedelta(minutes=30),
    )
    state.update(status=status, payment_intent_id="pi_1" if status != "reserving" else None, **changes)
    return state


def paid() -> dict:
    return m.decide(checkout(), m.PaymentSucceeded(525, "usd"), AT).state


def kinds(decision) -> list[str]:
    return sorted(type(e).__name__ for e in decision.effects)


def orders_of(state) -> dict[str, tuple[str, str]]:
    return {oid: (o["status"], o["payment_status"]) for oid, o in state["orders"].items()}


BUYER, SELLER, ADMIN = frozenset({"buyer"}), frozenset({"seller"}), frozenset({"admin"})


def test_the_initial_state_splits_per_seller_in_integer_cents():
    state = checkout("reserving")
    assert state["amount_cents"] == 4 * 50 + 325
    assert {oid: o["total_cents"] for oid, o in state["orders"].items()} == {"o-bakery": 325, "o-farm": 200}


@pytest.mark.parametrize(
    "given,command,status,outcome,effects",
    [
        ("reserving", m.ReservationsTaken(), "creating_payment", "reserved", []),
        (
            "creating_payment",
            m.PaymentRequested("pi_9"),
            "pending_payment",
            "awaiting_payment",
            ["ProjectOrder", "ProjectOrder"],
        ),
        ("reserving", m.Abandon("interrupted"), "closed", "abandoned", ["ReleaseStock", "ReleaseStock"]),
        (
            "creating_payment",
            m.Abandon("payment_provider_error"),
            "closed",
            "abandoned",
            ["CancelPayment", "ReleaseStock", "ReleaseStock"],
        ),
        ("pending_payment", m.Abandon("interrupted"), "pending_payment", "unchanged", []),
        (
            "pending_payment",
            m.PaymentFailed("Your card was declined."),
            "pending_payment",
            "declined",
            ["ProjectOrder", "ProjectOrder"],
        ),
        (
            "pending_payment",
            m.PaymentSucceeded(525, "usd"),
            "paid",
            "paid",
            ["CommitStock", "CommitStock", "ProjectOrder", "ProjectOrder", "Publish", "Publish"],
        ),
        (
            "pending_payment",
            m.PaymentSucceeded(524, "usd"),
            "closed",
            "amount_mismatch_refunded",
            [
                "Alarm",
                "CancelPayment",
                "ProjectOrder",
                "ProjectOrder",
                "ProjectOrder",
                "ProjectOrder",
                "Refund",
                "ReleaseStock",
                "ReleaseStock",
            ],
        ),
        (
            "pending_payment",
            m.PaymentSucceeded(525, "eur"),
            "closed",
            "amount_mismatch_refunded",
            [
                "Alarm",
                "CancelPayment",
                "ProjectOrder",
                "ProjectOrder",
                "ProjectOrder",
                "ProjectOrder",
                "Refund",
                "ReleaseStock",
                "ReleaseStock",
            ],
        ),
        (
            "pending_payment",
            m.PaymentCanceled(),
            "closed",
            "released",
            ["CancelPayment", "ProjectOrder", "ProjectOrder", "ReleaseStock", "ReleaseStock"],
        ),
        ("pending_payment", m.Expire(), "pending_payment", "unchanged", []),  # not yet due
    ],
)
def test_transitions(given, command, status, outcome, effects):
    state = checkout(given)
    before = copy.deepcopy(state)
    decision = m.decide(state, command, AT)
    assert state == before, "decide never mutates its input"
    assert (decision.state["status"], decision.outcome, kinds(decision)) == (status, outcome, effects)


def test_a_decline_keeps_the_orders_waiting_and_a_later_payment_pays_them():
    declined = m.decide(checkout(), m.PaymentFailed("Your card was declined."), AT).state
    assert orders_of(declined) == {"o-farm": ("pending_payment", "unpaid"), "o-bakery": ("pending_payment", "unpaid")}
    assert m.order_view(declined, "o-farm")["payment_error"] == "Your card was declined."
    later = m.decide(declined, m.PaymentSucceeded(525, "usd"), AT).state
    assert orders_of(later) == {"o-farm": ("paid", "paid"), "o-bakery": ("paid", "paid")}
    assert m.order_view(later, "o-farm")["payment_error"] is None


def test_expiry_after_declines_fails_the_orders_and_releases_the_stock():
    declined = m.decide(checkout(), m.PaymentFailed("declined"), AT).state
    decision = m.decide(declined, m.Expire(), AT + timedelta(minutes=31))
    assert decision.state["close_reason"] == "expired"
    assert set(orders_of(decision.state).values()) == {("payment_failed", "failed")}
    assert sorted((e.product_id, e.quantity) for e in decision.effects if isinstance(e, m.ReleaseStock)) == [
        ("apple", 4),
        ("bread", 1),
    ]


def test_late_events_never_move_a_paid_checkout_back():
    state = paid()
    for command in (
        m.PaymentFailed("x"),
        m.PaymentCanceled(),
        m.PaymentSucceeded(525, "usd"),
        m.Expire(),
        m.Abandon("interrupted"),
    ):
        decision = m.decide(state, command, AT + timedelta(hours=1))
        assert not decision.changed and not decision.effects, command


def test_money_for_a_closed_checkout_is_refunded_once():
    closed = m.decide(checkout(), m.Expire(), AT + timedelta(minutes=31)).state
    first = m.decide(closed, m.PaymentSucceeded(525, "usd"), AT)
    assert first.outcome == "late_payment_refunded"
    assert [e for e in first.effects if isinstance(e, m.Refund)] == [m.Refund("checkout", 525)]
    again = m.decide(first.state, m.PaymentSucceeded(525, "usd"), AT)
    assert not [e for e in again.effects if isinstance(e, m.Refund)]
    issued = m.decide(first.state, m.RefundIssued("checkout", "re_1"), AT).state
    assert set(orders_of(issued).values()) == {("cancelled", "refunded")}


@pytest.mark.parametrize(
    "status,relations,allowed",
    [
        ("pending_payment", BUYER, ["cancelled"]),
        ("pending_payment", SELLER, ["cancelled"]),
        ("paid", SELLER, ["packed", "cancelled"]),
        ("paid", BUYER, ["cancelled"]),
        ("packed", BUYER, []),
        ("packed", SELLER, ["out_for_delivery"]),
        ("packed", ADMIN, ["out_for_delivery", "cancelled"]),
        ("out_for_delivery", ADMIN, ["delivered", "cancelled"]),
        ("delivered", ADMIN, []),
        ("cancelled", ADMIN, []),
    ],
)
def test_allowed_transitions(status, relations, allowed):
    assert m.allowed_transitions({"status": status}, relations) == allowed


def test_cancelling_an_unpaid_order_releases_it_and_the_last_one_closes_the_checkout():
    first = m.decide(checkout(), m.CancelOrder("o-farm", BUYER, "buyer"), AT)
    assert first.state["status"] == "pending_payment"
    assert [e for e in first.effects if isinstance(e, m.ReleaseStock)] == [m.ReleaseStock("apple", 4)]
    second = m.decide(first.state, m.CancelOrder("o-bakery", BUYER, "buyer"), AT)
    assert second.state["close_reason"] == "cancelled" and m.CancelPayment("pi_1") in second.effects


def test_cancelling_a_paid_order_restocks_and_refunds_it():
    decision = m.decide(paid(), m.CancelOrder("o-farm", SELLER, "farm"), AT)
    assert orders_of(decision.state)["o-farm"] == ("cancelled", "paid")
    assert m.Restock("o-farm", "apple", 4) in decision.effects and m.Refund("o-farm", 200) in decision.effects
    done = m.decide(decision.state, m.RefundIssued("o-farm", "re_1"), AT).state
    assert orders_of(done)["o-farm"] == ("cancelled", "refunded")


def test_payment_after_one_order_was_cancelled_refunds_that_share():
    cancelled = m.decide(checkout(), m.CancelOrder("o-farm", BUYER, "buyer"), AT).state
    decision = m.decide(cancelled, m.PaymentSucceeded(525, "usd"), AT)
    assert orders_of(decision.state)["o-bakery"] == ("paid", "paid")
    assert m.Refund("o-farm", 200) in decision.effects
    assert not [e for e in decision.effects if isinstance(e, m.CommitStock) and e.product_id == "apple"]


@pytest.mark.parametrize(
    "state,command,error",
    [
        ("pending_payment", m.AdvanceOrder("o-farm", "packed", SELLER, "farm"), Conflict),
        ("paid", m.AdvanceOrder("o-farm", "delivered", SELLER, "farm"), Conflict),
        ("paid", m.AdvanceOrder("o-farm", "packed", BUYER, "buyer"), Conflict),
        ("paid", m.CancelOrder("o-nope", ADMIN, "admin"), NotFound),
    ],
)
def test_illegal_commands_raise_and_change_nothing(state, command, error):
    given = paid() if state == "paid" else checkout(state)
    before = copy.deepcopy(given)
    with pytest.raises(error):
        m.decide(given, command, AT)
    assert given == before


def test_packed_orders_are_cancelled_by_an_admin_only():
    packed = m.decide(paid(), m.AdvanceOrder("o-farm", "packed", SELLER, "farm"), AT).state
    with pytest.raises(Conflict):
        m.decide(packed, m.CancelOrder("o-farm", SELLER | BUYER, "farm"), AT)
    assert (
        m.decide(packed, m.CancelOrder("o-farm", ADMIN, "admin"), AT).state["orders"]["o-farm"]["status"] == "cancelled"
    )


def test_effects_round_trip_through_the_outbox():
    for effect in (
        m.ReleaseStock("p", 1),
        m.Refund("o", 5),
        m.Publish("OrderPaid", "o"),
        m.Alarm("x", "y", {"a": 1}),
        m.CancelPayment("pi"),
    ):
        assert m.effect_from_doc(m.effect_to_doc(effect)) == effect
        assert "." not in effect.key and not effect.key.startswith("$")  # a MongoDB field name


# -- the shell over in-memory fakes ----------------------------------------------------------------


class Fakes:
    def __init__(self):
        self.checkouts: dict[str, dict] = {}
        self.orders: dict[str, dict] = {}
        self.stock = {"apple": 10, "bread": 2}
        self.held: dict[tuple[str, str], int] = {}
        self.sold = {"apple": 0, "bread": 0}
        self.refunds: dict[str, int] = {}
        self.events: list[tuple[str, dict]] = []
        self.fail_refunds = False
        self.payment_events: dict[str, dict] = {}

    # CheckoutRepository
    def insert(self, state):
        if state["_id"] in self.checkouts:
            return False
        self.checkouts[state["_id"]] = copy.deepcopy(state)
        return True

    def load(self, checkout_id):
        return copy.deepcopy(self.checkouts.get(checkout_id))

    def save(self, state, expected_version):
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

    def with_pending_effects(self, before, limit):
        return [c["_id"] for c in self.checkouts.values() if c["outbox_pending"] and c["outbox_at"] < before]

    # OrderRepository
    def project(self, view):
        if view["v"] > self.orders.get(view["_id"], {}).get("v", 0):
            self.orders[view["_id"]] = view

    def get(self, order_id):
        return self.orders.get(order_id)

    def waiting_past(self, at, limit):
        return [o for o in self.orders.values() if o["status"] == "pending_payment" and o["expires_at"] < at]

    # StockRepository
    def active_products(self, ids):
        return {pid: PRODUCTS[pid] for pid in ids if pid in PRODUCTS}

    def reserve(self, pid, qty, checkout_id):
        if (pid, checkout_id) in self.held:
            return self.held[(pid, checkout_id)] == qty
        if self.stock[pid] < qty:
            return False
        self.stock[pid] -= qty
        self.held[(pid, checkout_id)] = qty
        return True

    def available(self, pid):
        return self.stock[pid]

    def release(self, pid, qty, checkout_id):
        if self.held.pop((pid, checkout_id), None) is not None:
            self.stock[pid] += qty

    def commit(self, pid, qty, checkout_id):
        if self.held.pop((pid, checkout_id), None) is not None:
            self.sold[pid] += qty

    def restock(self, pid, qty, order_id):
        if (pid, order_id) not in self.held:
            self.held[(pid, order_id)] = 0  # the restock marker
            self.stock[pid] += qty
            self.sold[pid] -= qty

    def ledgers(self, limit):
        return []

    # PaymentGateway
    provider, publishable_key = "local", None

    def create_payment_intent(self, amount, currency, checkout_id, key):
        return SimpleNamespace(id=f"pi_{checkout_id}", client_secret=f"secret_{checkout_id}")

    def client_secret(self, intent_id):
        return "secret_" + intent_id[3:]

    def refund(self, intent_id, amount, key):
        from smartgrocer.domain.payments import PaymentProviderError

        if self.fail_refunds:
            raise PaymentProviderError("down")
        self.refunds.setdefault(key, amount)
        return "re_" + key

    def cancel(self, intent_id):
        pass

    # EventPublisher
    def publish(self, source, detail_type, detail):
        self.events.append((detail_type, detail))

    # PaymentEventLog
    def seen(self, event_id):
        return event_id in self.payment_events

    def record(self, event_id, doc):
        return self.payment_events.setdefault(event_id, doc) is doc


@pytest.fixture
def fakes():
    from smartgrocer import wiring
    from smartgrocer.domain import ports
    from smartgrocer.domain.checkout_ports import CheckoutRepository, OrderRepository, PaymentEventLog, StockRepository
    from smartgrocer.domain.events import EventPublisher
    from smartgrocer.domain.payments import PaymentGateway

    fake = Fakes()
    for port in (CheckoutRepository, OrderRepository, StockRepository, PaymentGateway, EventPublisher, PaymentEventLog):
        ports.use(port, fake)
    yield fake
    wiring._install_money_core()


BUYER_PRINCIPAL = SimpleNamespace(user_id="buyer", email="b@example.com", role="shopper")
LINES = [{"product_id": "apple", "quantity": 3}, {"product_id": "bread", "quantity": 1}]


def test_shell_places_pays_and_cancels_with_fakes(fakes):
    from smartgrocer.domain import orders

    placed = orders.place_checkout(BUYER_PRINCIPAL, LINES, {}, idempotency_key="k1")
    assert fakes.stock == {"apple": 7, "bread": 1} and len(fakes.orders) == 2
    again = orders.place_checkout(BUYER_PRINCIPAL, LINES, {}, idempotency_key="k1")
    assert again["checkout_id"] == placed["checkout_id"] and fakes.stock == {"apple": 7, "bread": 1}
    event = {
        "id": "evt1",
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": f"pi_{placed['checkout_id']}",
                "amount": 475,
                "currency": "usd",
                "metadata": {"checkout_id": placed["checkout_id"]},
            }
        },
    }
    assert orders.handle_payment_event(event)["outcome"] == "paid"
    assert orders.handle_payment_event(event) == {"received": True, "duplicate": True}
    assert fakes.sold == {"apple": 3, "bread": 1} and not fakes.held
    assert [t for t, _ in fakes.events] == ["OrderPaid", "OrderPaid"]
    farm = next(o for o in fakes.orders.values() if o["seller_id"] == "farm")
    fakes.fail_refunds = True
    cancelled = orders.change_status(SimpleNamespace(user_id="farm", role="seller"), farm["_id"], "cancelled")
    assert cancelled["status"] == "cancelled" and cancelled["payment_status"] == "paid"
    assert fakes.stock["apple"] == 10 and fakes.refunds == {}
    fakes.fail_refunds = False
    from smartgrocer.domain.reconciler import reconcile

    # the refund, then the projection its result asks for
    assert reconcile(at=AT + timedelta(days=3650), outbox_grace=0)["effects_applied"] == 2
    assert fakes.orders[farm["_id"]]["payment_status"] == "refunded" and sum(fakes.refunds.values()) == 150
    assert reconcile(at=AT + timedelta(days=3650), outbox_grace=0)["repairs"] == 0


def test_shell_short_stock_is_409_and_holds_nothing(fakes):
    from smartgrocer.domain import orders

    with pytest.raises(Conflict) as caught:
        orders.place_checkout(BUYER_PRINCIPAL, [{"product_id": "bread", "quantity": 3}, LINES[0]], {})
    assert caught.value.details[0]["product_id"] == "bread" and caught.value.details[0]["available"] == 2
    assert fakes.stock == {"apple": 10, "bread": 2} and not fakes.held and not fakes.orders
