"""The crash matrix: every money operation is crashed before its 1st, 2nd, ... N-th database write
(until it runs through), then the retry a real client or Stripe would make and the reconciler run,
and then every integrity invariant is checked from the stored data alone.

The operations run in-process against the session's real MongoDB-protocol server, through the real
MongoDB adapters, whose database handle counts writes and raises `Crash` on the chosen one (as if
the Lambda container died there). The payment provider is the local one; its own bookkeeping is the
provider's, not ours, so it is not crashed: a crash between a provider call (a capture, a refund, a
seller's transfer or its reversal) and the write recording its result is repaired by the retry with
the same idempotency key, which the provider answers with the same object, moving nothing twice.

Both sellers of each world can be paid (their Connect accounts are active), so every capture splits
each order into commission and the seller's net, transferred to the seller, and every refund after
capture reverses the seller's share. Besides stock and the PaymentIntents, the invariants follow the
money (docs/money-core.md, "How sellers are paid"): each settled checkout's ledger adds up
(`ledger_problems`); each seller's balance at the provider moved by what the ledger says was
transferred to them minus what was reversed; the platform's balance moved by what was captured
minus refunds minus net transfers; and every transfer and reversal at the provider is in a ledger.
Balances are shared by the whole test session, so these are deltas against a snapshot taken when
the world is created (and the platform's counts only the movements of the world's own payments).

Operations (each with its caller's retry): placing a checkout (the client's retry with the same
Idempotency-Key); the provider's authorisation, decline and a wrong amount (Stripe redelivers the
event); cancelling an order before payment and after authorisation (the client's retry, 409 once
done); the last seller packing with a short pick, a substitute and a heavier weight, which captures
and pays both sellers; an admin cancelling a captured order (a full refund and a full reversal); a
seller's partial refund of a captured order and a second refund completing it (the client's retry
with the same Idempotency-Key, passed as the refund's request id: it must not refund twice); the
capture deadline and the expiry of an unpaid checkout (the reconciler's next run).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.integration.orders_support import ADDRESS, db, product

WRITES = frozenset(
    {
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "replace_one",
        "find_one_and_update",
        "delete_one",
        "delete_many",
    }
)
MAX_WRITES = 80  # no operation comes near this; a runaway loop fails the test instead of hanging it
# Crash points per operation (filled in by the runs; what they were when last counted, 162 in all):
#   amount_mismatch 17, cancel_after_authorization 9, cancel_after_capture_with_refund 15,
#   cancel_before_payment 9, capture_deadline 16, checkout 16, expiry 15, pack_and_capture 25,
#   payment_authorized 15, payment_failed 7, refund_partial 9, refund_rest 9.
CRASH_POINTS: dict[str, int] = {}


class Crash(BaseException):  # like the process dying: no `except Exception` in our code catches it
    """The process died here."""


class CrashingDatabase:
    """A pymongo Database whose collections raise `Crash` on the `fail_at`-th write (0: never)."""

    def __init__(self, real, fail_at: int):
        self.real, self.fail_at, self.writes = real, fail_at, 0

    def __getattr__(self, name):
        return _CrashingCollection(self, self.real[name])

    __getitem__ = __getattr__


class _CrashingCollection:
    def __init__(self, database: CrashingDatabase, collection):
        self._database, self._collection = database, collection

    def __getattr__(self, name):
        attribute = getattr(self._collection, name)
        if name not in WRITES:
            return attribute

        def write(*args, **kwargs):
            self._database.writes += 1
            if self._database.writes == self._database.fail_at:
                raise Crash(f"crash before write {self._database.writes} ({self._collection.name}.{name})")
            return attribute(*args, **kwargs)

        return write


class RecordingPublisher:
    def __init__(self):
        self.events: list[tuple[str, dict]] = []

    def publish(self, source, detail_type, detail):
        self.events.append((detail_type, detail))


@pytest.fixture
def adapters(runtime):
    """Install the MongoDB adapters over a (crashing) database handle; put the real wiring back after."""
    from smartgrocer.adapters import mongo_checkouts, mongo_windows
    from smartgrocer.domain import ports
    from smartgrocer.domain.checkout_ports import (
        CheckoutRepository,
        OrderNumberRegistry,
        OrderRepository,
        PaymentEventLog,
        StockRepository,
        WindowRepository,
    )
    from smartgrocer.domain.events import EventPublisher

    publisher = RecordingPublisher()

    def install(fail_at: int = 0) -> CrashingDatabase:
        database = CrashingDatabase(db(), fail_at)
        ports.use(CheckoutRepository, mongo_checkouts.MongoCheckouts(lambda: database))
        ports.use(OrderRepository, mongo_checkouts.MongoOrders(lambda: database))
        ports.use(OrderNumberRegistry, mongo_checkouts.MongoOrderNumbers(lambda: database))
        ports.use(StockRepository, mongo_checkouts.MongoStock(lambda: database))
        ports.use(PaymentEventLog, mongo_checkouts.MongoPaymentEvents(lambda: database))
        ports.use(WindowRepository, mongo_windows.MongoWindows(lambda: database))  # a window's place is a write too
        ports.use(EventPublisher, publisher)
        return database

    install()
    # The operations deliver the provider's events themselves, in a known order: the runner's background
    # delivery would race them (as Stripe may, which the webhook tests cover), making crash points vary.
    with runtime.webhooks_paused():
        yield install
        db().local_payment_webhooks.update_many({"delivered": False}, {"$set": {"delivered": True}})
    from smartgrocer import wiring

    wiring._install_money_core()
    wiring._install_windows()


# -- the world each run starts from ------------------------------------------------------------------


def _stocked(api, seller, weighed: bool = False, **fields) -> dict:
    item = product(api, seller, **fields)
    stock = fields.get("stock", 10)
    change = {"received": stock, "sold": 0}
    if weighed:  # sold by weight: price per kg, stock in grams
        change.update(sold_by="weight", min_weight_g=100, step_g=50, unit="kg")
    # stock accounting starts at listing: everything on the shelf was received
    db().products.update_one({"_id": item["id"]}, {"$set": {**change, "stock": stock}})
    return item


def _payout_account(seller) -> str:
    """The seller's Connect account, active: the test support's signup onboards every seller."""
    from local.payment_provider import find_account
    from smartgrocer.domain.payments import connected_account_status

    payouts = (db().sellers.find_one({"_id": seller.user_id}) or {}).get("payouts") or {}
    account = find_account(payouts.get("account_id") or "")
    assert payouts.get("status") == "active" and account and connected_account_status(account) == "active", (
        f"{seller.email} cannot be paid: {payouts}"
    )
    return payouts["account_id"]


def _platform_applied() -> dict[str, int]:
    """The operations that moved the platform's balance at the provider so far: {operation id: cents}."""
    from local.payment_provider import PLATFORM

    return dict((db().local_payment_balances.find_one({"_id": PLATFORM}) or {}).get("applied") or {})


def _world(api, seller, other_seller, shopper) -> dict:
    from local.payment_provider import balances

    a = _stocked(api, seller, stock=6, price="2.50")
    b = _stocked(api, seller, weighed=True, stock=4000, price="11.00")
    spare = _stocked(api, seller, stock=3, price="2.00")  # a substitute for a
    c = _stocked(api, other_seller, stock=5, price="3.00")
    principal = SimpleNamespace(user_id=shopper.user_id, email=shopper.email, role="shopper")
    accounts = {seller.user_id: _payout_account(seller), other_seller.user_id: _payout_account(other_seller)}
    window = _delivery_window(api, other_seller)  # the other seller delivers in windows: a place is taken too
    return {
        "fulfilment": {other_seller.user_id: {"method": "delivery", "slot_id": window}},
        "window_key": f"{other_seller.user_id}:{window}",
        # the provider's balances are the whole session's: the money invariants are deltas from here
        "accounts": accounts,
        "balances_before": balances(),
        "platform_applied_before": set(_platform_applied()),
        "products": [a["id"], b["id"], spare["id"], c["id"]],
        "principal": principal,
        "seller": seller,
        "seller_principal": SimpleNamespace(user_id=seller.user_id, email=seller.email, role="seller"),
        "other_principal": SimpleNamespace(user_id=other_seller.user_id, email=other_seller.email, role="seller"),
        "admin": SimpleNamespace(user_id="crash-admin", email="admin@example.com", role="admin"),
        "spare": spare["id"],
        "lines": [
            {"product_id": a["id"], "quantity": 2, "substitution": "similar"},
            {"product_id": b["id"], "weight_g": 500},
            {"product_id": c["id"], "quantity": 3},
        ],
    }


def _delivery_window(api, seller) -> str:
    """Windows all day, every day, no fee (so every amount here stays what it was): the first one open."""
    slots = [{"weekday": day, "start": "00:00", "end": "23:59", "capacity": 50} for day in range(7)]
    settings = {
        "timezone": "UTC",
        "delivery": {"enabled": True, "fee": "0", "min_order": "0", "cutoff_hours": 0, "slots": slots},
        "pickup": {"enabled": False, "slots": []},
    }
    response = api.put("/api/seller/fulfilment", seller, json=settings)
    assert response.status_code == 200, response.text
    windows = api.get(f"/api/sellers/{seller.user_id}/slots?days=6").json()["items"]
    return windows[-1]["slot_id"]  # the last: it cannot close while the matrix runs


def _place(world, key: str) -> dict:
    from smartgrocer.domain import idempotency, orders

    return idempotency.run_once(
        world["principal"].user_id,
        key,
        {"items": world["lines"], "fulfilment": world["fulfilment"]},
        lambda: orders.place_checkout(world["principal"], world["lines"], ADDRESS, key, world["fulfilment"]),
    )[1]


def _event(checkout_id: str, event_type: str, **overrides) -> dict:
    from local.payment_provider import payment_event

    intent = db().local_payment_intents.find_one({"metadata.checkout_id": checkout_id})
    return payment_event({**intent, **overrides}, event_type)


def _deliver(event: dict):
    from smartgrocer.domain.orders import handle_payment_event

    return handle_payment_event(event)


def _reconcile(minutes: float = 3):
    from smartgrocer.domain.orders import now
    from smartgrocer.domain.reconciler import reconcile

    return reconcile(at=now() + timedelta(minutes=minutes), outbox_grace=0)


# -- the invariants (docs/money-core.md), from stored data alone --------------------------------------


PAID = ("authorized", "captured", "partially_refunded", "refunded")  # an order's goods are sold


def _window_problems(world, checkouts: dict) -> list[str]:
    """The window's places taken equal its holders, and this run's live orders in it are exactly this run's
    holders (the other seller, and so the window, is shared by the runs of one operation)."""
    from smartgrocer.domain.fulfilment import holds_window

    window = db().windows.find_one({"_id": world["window_key"]}) or {"taken": 0, "holders": {}}
    holders = set(window.get("holders") or {})
    live = {
        checkout_id
        for checkout_id, checkout in checkouts.items()
        for order in checkout["orders"].values()
        if (order.get("fulfilment") or {}).get("window_key") == world["window_key"] and holds_window(order["status"])
    }
    problems = []
    if window["taken"] != len(holders):
        problems.append(f"window: taken {window['taken']} but {len(holders)} holders")
    held_here = holders & set(checkouts)  # the seller's window also holds other runs' orders
    if held_here != live:
        problems.append(f"window: held by {sorted(held_here)} but live orders in {sorted(live)}")
    return problems


def _number_problems(checkouts: dict, orders: dict) -> list[str]:
    """Every order has a well-formed number of its own from the moment its checkout is written, the
    number its projection shows, claimed for it (and so for no other order) in `order_numbers`."""
    from smartgrocer.domain.order_numbers import is_number

    problems, seen = [], {}
    for checkout_id, checkout in checkouts.items():
        for order_id, order in checkout["orders"].items():
            number = order.get("number") or ""
            if not is_number(number):
                problems.append(f"{order_id}: number {number!r} is not an order number")
                continue
            if number in seen:
                problems.append(f"{order_id}: number {number} is also {seen[number]}'s")
            seen[number] = order_id
            stored = orders.get(order_id)
            if stored is not None and stored.get("number") != number:
                problems.append(f"{order_id}: shows number {stored.get('number')}, its checkout says {number}")
            claim = db().order_numbers.find_one({"_id": number}) or {}
            if (claim.get("order_id"), claim.get("checkout_id")) != (order_id, checkout_id):
                problems.append(f"{order_id}: number {number} is claimed for {claim}")
    return problems


def assert_invariants(world) -> None:
    from smartgrocer.domain.checkout_machine import pack_hold_order, sold_amounts

    user_id = world["principal"].user_id
    checkouts = {c["_id"]: c for c in db().checkouts.find({"user_id": user_id})}
    orders = {o["_id"]: o for o in db().orders.find({"user_id": user_id})}
    problems: list[str] = _window_problems(world, checkouts) + _number_problems(checkouts, orders)
    sold = {pid: 0 for pid in world["products"]}
    for checkout in checkouts.values():
        status = checkout["status"]
        if status in ("reserving", "creating_payment"):
            problems.append(f"{checkout['_id']}: still being placed after the reconciler ({status})")
        if checkout.get("outbox"):
            problems.append(f"{checkout['_id']}: effects left undone {sorted(checkout['outbox'])}")
        intent = db().local_payment_intents.find_one({"metadata.checkout_id": checkout["_id"]}) or {}
        refunded = kept = 0
        for order_id, order in checkout["orders"].items():
            stored = orders.get(order_id)
            shown = status not in ("reserving", "creating_payment") and not (
                status == "closed" and checkout.get("payment_intent_id") is None
            )
            if shown and stored is None:
                problems.append(f"{order_id}: never projected")
            if stored is not None and stored["v"] != checkout["version"] and stored["status"] != order["status"]:
                problems.append(f"{order_id}: shows {stored['status']}, its checkout says {order['status']}")
            if stored is not None and stored["status"] == "pending_payment" and status != "pending_payment":
                problems.append(f"{order_id}: waits for payment but its checkout is {status}")
            if order.get("refund_pending"):
                problems.append(f"{order_id}: refund still pending after the reconciler")
            if order.get("payee_account") != world["accounts"].get(order["seller_id"]):
                problems.append(f"{order_id}: pays {order.get('payee_account')}, not its seller's account")
            refunds = order.get("refunds") or []
            refunded += sum(r["amount_cents"] for r in refunds if r["refund_id"])
            if order.get("refunded_cents", 0) != sum(r["amount_cents"] for r in refunds):
                problems.append(f"{order_id}: refunded_cents {order.get('refunded_cents')} != its refunds {refunds}")
            for refund in refunds:
                if not refund["refund_id"]:
                    problems.append(f"{order_id}: refund {refund['number']} never issued")
                if refund["reversal_cents"] and not refund["reversal_id"]:
                    problems.append(f"{order_id}: the seller's share of refund {refund['number']} never reversed")
            if order["payment_status"] in PAID and order["status"] != "cancelled":
                for pid, amount in sold_amounts(order).items():
                    sold[pid] += amount
            if order["payment_status"] in PAID[1:]:  # captured, then perhaps partly or wholly refunded
                kept += (order["final_cents"] or 0) - order.get("refunded_cents", 0)
            if status == "captured" and order["payment_status"] not in (*PAID[1:], "voided"):
                problems.append(f"{order_id}: {order['payment_status']} in a captured checkout")
            payout = order.get("payout")
            if status == "captured" and payout and payout["status"] not in ("paid", "partially_reversed", "reversed"):
                problems.append(f"{order_id}: captured, but its seller's payout is {payout['status']}")
            if status in ("authorized", "capturing", "captured") and order["status"] == "pending_payment":
                problems.append(f"{order_id}: pending in an authorised checkout")
        if checkout.get("refund"):
            refunded += checkout["refund"]["amount_cents"]
        if intent.get("amount_refunded", 0) != refunded:
            problems.append(
                f"{checkout['_id']}: provider refunded {intent.get('amount_refunded', 0)}, our records say {refunded}"
            )
        received = intent.get("amount_received", 0)
        if status == "captured" and received - intent.get("amount_refunded", 0) != kept:
            problems.append(f"{checkout['_id']}: captured {received} - refunded != {kept} kept by its orders")
        if status != "captured" and received and not checkout.get("refund"):
            problems.append(f"{checkout['_id']}: money taken, checkout {status}, nothing refunded")
        if status in ("closed", "voided") and intent.get("status") == "requires_capture":
            problems.append(f"{checkout['_id']}: {status}, but the card is still held")
        if status == "authorized" and intent.get("status") != "requires_capture":
            problems.append(f"{checkout['_id']}: authorised, but the provider says {intent.get('status')}")
    awaiting = [c["_id"] for c in checkouts.values() if c["status"] == "pending_payment"]
    if len(awaiting) > 1:
        problems.append(f"one shopping trip, several checkouts awaiting payment: {awaiting}")
    for pid in world["products"]:
        doc = db().products.find_one({"_id": pid})
        held = doc.get("reservations") or {}
        if doc["stock"] < 0 or doc["stock"] + sum(held.values()) + doc.get("sold", 0) != doc["received"]:
            problems.append(
                f"{pid}: stock {doc['stock']} + held {held} + sold {doc.get('sold')} != received {doc['received']}"
            )
        if doc.get("sold", 0) != sold[pid]:
            problems.append(f"{pid}: product says sold {doc.get('sold', 0)}, live orders say {sold[pid]}")
        for holder in held:
            if pack_hold_order(holder):
                order = orders.get(pack_hold_order(holder))
                if order is None or order["status"] != "confirmed":
                    problems.append(f"{pid}: held by {holder}, whose order is not waiting to be packed")
            elif checkouts.get(holder, {}).get("status") != "pending_payment":
                problems.append(f"{pid}: held by {holder}, which is not awaiting payment")
    problems += _money_problems(world, checkouts)
    assert not problems, "\n".join(problems)  # a string: pytest shortens a list's repr


def _money_problems(world, checkouts: dict[str, dict]) -> list[str]:
    """Where every cent went (docs/money-core.md, "How sellers are paid"): each settled checkout's ledger
    adds up; the sellers' and the platform's balances at the provider moved by what the ledgers say; and
    every capture, refund, transfer and reversal at the provider is in a ledger, for the same amount."""
    from local.payment_provider import PLATFORM, balances
    from smartgrocer.domain.checkout_machine import ledger_problems, ledger_totals

    problems: list[str] = []
    to_accounts: dict[str, int] = {}  # per seller account: transfers - reversals, by the ledgers
    platform = 0  # captured - refunds - (transfers - reversals), by the ledgers
    ours: set[str] = set()  # the provider's operations on the world's payments
    for checkout_id, checkout in checkouts.items():
        if checkout["status"] == "captured" and not checkout.get("outbox"):
            problems += [f"{checkout_id}: {problem}" for problem in ledger_problems(checkout)]
        totals = ledger_totals(checkout)
        platform += totals["capture"] - totals["refund"] - (totals["transfer"] - totals["reversal"])
        recorded: dict[tuple[str, str], int] = {}  # (kind, provider id) -> cents
        for entry in checkout.get("ledger", []):
            if entry["kind"] in ("transfer", "reversal"):
                account = checkout["orders"][entry["order_id"]]["payee_account"]
                sign = 1 if entry["kind"] == "transfer" else -1
                to_accounts[account] = to_accounts.get(account, 0) + sign * entry["amount_cents"]
            if entry.get("ref"):
                key = (entry["kind"], entry["ref"])
                if key in recorded:
                    problems.append(f"{checkout_id}: {entry['kind']} {entry['ref']} is in the ledger twice")
                recorded[key] = entry["amount_cents"]
        at_provider: dict[tuple[str, str], int] = {}
        intent = db().local_payment_intents.find_one({"metadata.checkout_id": checkout_id}) or {}
        if intent.get("latest_charge"):
            ours.add("capture_" + intent["latest_charge"])
        for refund_id, cents in (intent.get("refunds") or {}).items():
            ours.add(refund_id)
            at_provider[("refund", refund_id)] = cents
        for transfer in db().local_payment_transfers.find({"transfer_group": checkout_id}):
            ours.add(transfer["_id"])
            at_provider[("transfer", transfer["_id"])] = transfer["amount"]
            order = checkout["orders"].get(transfer["idempotency_key"].removeprefix("transfer-")) or {}
            if order.get("payee_account") != transfer["account_id"]:
                problems.append(
                    f"{checkout_id}: {transfer['_id']} paid {transfer['account_id']}, not its order's seller"
                )
            for reversal_id, cents in (transfer.get("reversals") or {}).items():
                ours.add(reversal_id)
                at_provider[("reversal", reversal_id)] = cents
        # no money moved at the provider that no ledger shows, nothing in a ledger that never moved
        in_ledger = {key: cents for key, cents in recorded.items() if key[0] in ("refund", "transfer", "reversal")}
        if in_ledger != at_provider:
            problems.append(f"{checkout_id}: the provider moved {at_provider}, the ledger shows {in_ledger}")
    now, before = balances(), world["balances_before"]
    for seller_id, account in world["accounts"].items():
        moved = now.get(account, 0) - before.get(account, 0)
        if moved != to_accounts.get(account, 0):
            problems.append(
                f"seller {seller_id}: {account} received {moved} at the provider, the ledgers say "
                f"{to_accounts.get(account, 0)} (transfers - reversals)"
            )
    # The platform's balance is the session's: other tests' leftovers the reconciler finishes move it too.
    applied = _platform_applied()
    new = set(applied) - world["platform_applied_before"]
    others = sum(applied[operation] for operation in new - ours)
    moved = now.get(PLATFORM, 0) - before.get(PLATFORM, 0) - others
    if moved != platform:
        problems.append(
            f"the platform's balance moved by {moved} for this world, its ledgers say {platform} "
            "(captured - refunds - (transfers - reversals))"
        )
    return problems


# -- the operations, each with the retry its caller would make ----------------------------------------


def _op_checkout(world, prepared):
    key = uuid.uuid4().hex
    return (lambda: _place(world, key)), (lambda: _place(world, key))


def _pending(world):
    return _place(world, uuid.uuid4().hex)


def _authorized(world):
    from local.payment_provider import confirm

    placed = _pending(world)
    _, event = confirm(placed["payment"]["client_secret"], "4242424242424242")
    _deliver(event)
    return placed


def _order_of(world, placed, seller_key: str = "seller_principal") -> str:
    seller_id = world[seller_key].user_id
    return next(o["id"] for o in placed["orders"] if o["seller_id"] == seller_id)


def _packing(world, placed) -> list[dict]:
    """The first seller's packing: apples short by one and a substitute for it, the cheese heavier."""
    from smartgrocer.domain.orders import get_order

    order = get_order(world["seller_principal"], _order_of(world, placed))
    lines = []
    for item in order["items"]:
        if item["sold_by"] == "weight":
            lines.append({"line_id": item["line_id"], "packed_weight_g": item["weight_g"] + 30})
        else:
            lines.append(
                {
                    "line_id": item["line_id"],
                    "packed_quantity": item["quantity"] - 1,
                    "substitute": {"product_id": world["spare"], "quantity": 1},
                }
            )
    return lines


def _pack(world, placed, seller_key: str = "seller_principal", lines: list[dict] | None = None):
    from smartgrocer.domain.checkout_machine import as_ordered_packing
    from smartgrocer.domain.orders import get_order, pack_order

    order_id = _order_of(world, placed, seller_key)
    if lines is None:
        order = get_order(world[seller_key], order_id)
        stored = {"items": [{**i, "quantity": i["quantity"], "weight_g": i["weight_g"]} for i in order["items"]]}
        lines = list(as_ordered_packing(stored))
    return pack_order(world[seller_key], order_id, lines)


def _one_packed(world):
    """Authorised; the other seller has packed, the first seller's order still waits."""
    placed = _authorized(world)
    _pack(world, placed, "other_principal")
    return placed


def _captured(world):
    placed = _one_packed(world)
    _pack(world, placed, lines=_packing(world, placed))
    return placed


def _retrying(action):
    """A client retry: after a crash that came after the change was saved, the retry is refused (409)."""
    from smartgrocer.errors import Conflict

    def retry():
        try:
            return action()
        except Conflict:
            return None

    return retry


def _pack_op(world, placed):
    """The last seller packs (short pick, substitute, heavier weight): the checkout is captured."""
    lines = _packing(world, placed)

    def run():
        return _pack(world, placed, lines=lines)

    return run, _retrying(run)


def _cancel_captured_op(world, placed):
    """An admin cancels a packed order after capture: its final total is refunded, its goods restocked."""
    from smartgrocer.domain.checkout_machine import CancelOrder
    from smartgrocer.domain.orders import change_status

    order_id = _order_of(world, placed)
    order = _final_of(world, placed)
    # what the cancel will do: a full refund, and all of the seller's transfer reversed
    _assert_plans(placed, CancelOrder(order_id, frozenset({"admin"}), "crash-admin"), order["final_cents"])

    def run():
        return change_status(world["admin"], order_id, "cancelled")

    return run, _retrying(run)


def _assert_plans(placed, command, refund_cents: int) -> None:
    """The machine, asked on the stored state, refunds `refund_cents` of the first seller's order and
    reverses the seller's share of it from their transfer (a dry run: nothing is saved)."""
    from smartgrocer.domain.checkout_machine import Refund, ReverseTransfer, decide
    from smartgrocer.domain.orders import now
    from smartgrocer.domain.pricing import refund_split

    state = db().checkouts.find_one({"_id": placed["checkout_id"]})
    order = state["orders"][command.order_id]
    payout = order["payout"]
    assert payout["status"] in ("paid", "partially_reversed") and payout["transfer_id"], payout
    reversal, _ = refund_split(
        payout["gross_cents"], payout["commission_cents"], order.get("refunded_cents", 0), refund_cents
    )
    number = len(order.get("refunds") or []) + 1
    effects = decide(state, command, now()).effects
    assert Refund(command.order_id, refund_cents, number) in effects, effects
    assert ReverseTransfer(command.order_id, number, reversal) in effects, effects
    assert reversal > 0


def _final_of(world, placed) -> dict:
    """The first seller's order as its checkout keeps it (final total, refunds, payout)."""
    checkout = db().checkouts.find_one({"_id": placed["checkout_id"]})
    return checkout["orders"][_order_of(world, placed)]


def _refund(world, placed, amount_cents: int, key: str, reason: str):
    """POST /api/orders/{id}/refunds by the order's seller with an Idempotency-Key, in-process: the route
    runs the refund once per key and passes the key on as the refund's request id."""
    from smartgrocer.domain import idempotency, orders

    principal, order_id = world["seller_principal"], _order_of(world, placed)
    body = {"order_id": order_id, "amount": amount_cents, "reason": reason}
    return idempotency.run_once(
        principal.user_id,
        key,
        body,
        lambda: orders.refund_order(principal, order_id, amount_cents, reason, key),
    )[1]


def _refund_command(world, placed, amount_cents: int, key: str):
    from smartgrocer.domain.checkout_machine import RefundOrder

    principal = world["seller_principal"]
    return RefundOrder(_order_of(world, placed), amount_cents, "", frozenset({"seller"}), principal.user_id, key)


def _partial_refund(world, placed) -> int:
    """A third of the first seller's order (a bruised cheese): what is refunded."""
    return (_final_of(world, placed)["final_cents"] or 0) // 3


def _refund_op(world, placed):
    """The seller refunds part of a captured order: the shopper gets it back, the seller's share of it is
    reversed. The client retries with the same Idempotency-Key, which must not refund twice."""
    key, amount = uuid.uuid4().hex, _partial_refund(world, placed)
    _assert_plans(placed, _refund_command(world, placed, amount, key), amount)

    def run():
        return _refund(world, placed, amount, key, "Bruised cheese")

    return run, run


def _partly_refunded(world):
    placed = _captured(world)
    _refund(world, placed, _partial_refund(world, placed), uuid.uuid4().hex, "Bruised cheese")
    return placed


def _refund_rest_op(world, placed):
    """A second refund gives back the rest of the order: all of the seller's transfer is reversed."""
    order = _final_of(world, placed)
    key, amount = uuid.uuid4().hex, (order["final_cents"] or 0) - order.get("refunded_cents", 0)
    _assert_plans(placed, _refund_command(world, placed, amount, key), amount)

    def run():
        return _refund(world, placed, amount, key, "Nothing arrived after all")

    return run, run


def _deadline_op(world, placed):
    """The hold is about to age out: the reconciler cancels the unpacked order and captures the packed one."""

    def run():
        return _reconcile(minutes=6 * 24 * 60 + 1)

    return run, run


def _webhook_op(event_type: str, **overrides):
    def op(world, placed):
        event = _event(placed["checkout_id"], event_type, **overrides)
        return (lambda: _deliver(event)), (lambda: _deliver(event))  # Stripe redelivers the same event

    return op


def _cancel_op(world, placed):
    """The buyer cancels one order of two (the other seller's stays)."""
    from smartgrocer.domain.orders import change_status

    order_id = _order_of(world, placed)

    def cancel():
        return change_status(world["principal"], order_id, "cancelled")

    return cancel, _retrying(cancel)


def _expire_op(world, placed):
    def expire():
        return _reconcile(minutes=40)

    return expire, expire


def _authorization_event_op(**overrides):
    def op(world, placed):
        from local.payment_provider import confirm

        intent, _ = confirm(placed["payment"]["client_secret"], "4242424242424242")
        event = _event(placed["checkout_id"], "payment_intent.amount_capturable_updated", **overrides)
        return (lambda: _deliver(event)), (lambda: _deliver(event))  # Stripe redelivers the same event

    return op


# -- what an operation must have done once it ran through (crashed and retried, or not) ---------------


def _paid(*seller_keys: str):
    """The checkout is captured and these sellers' orders are paid out: their net transferred."""

    def check(world, placed) -> list[str]:
        checkout = db().checkouts.find_one({"_id": placed["checkout_id"]})
        problems = [] if checkout["status"] == "captured" else [f"checkout {checkout['status']}, not captured"]
        for key in seller_keys:
            payout = checkout["orders"][_order_of(world, placed, key)].get("payout") or {}
            if payout.get("status") != "paid" or not payout.get("transfer_id") or payout.get("net_cents", 0) <= 0:
                problems.append(f"{key}'s order is not paid out: {payout}")
        return problems

    return check


def _refunded(count: int, share: tuple[int, int] | None, payment_status: str, payout_status: str):
    """The first seller's order has `count` refunds, `share` (numerator, denominator) of it refunded
    (None: all of it, every cent of the transfer reversed and of the commission given back)."""

    def check(world, placed) -> list[str]:
        order = _final_of(world, placed)
        refunds, payout, final = order.get("refunds") or [], order["payout"], order["final_cents"]
        refunded = sum(r["amount_cents"] for r in refunds)
        wanted = final if share is None else final * share[0] // share[1]
        problems = []
        if len(refunds) != count or refunded != wanted:
            problems.append(f"refunds {[r['amount_cents'] for r in refunds]}, wanted {count} making {wanted}")
        if (order["payment_status"], payout["status"]) != (payment_status, payout_status):
            problems.append(f"payment {order['payment_status']}, payout {payout['status']}")
        if payout["reversed_cents"] != sum(r["reversal_cents"] for r in refunds) or not payout["reversed_cents"]:
            problems.append(f"reversed {payout['reversed_cents']}, the refunds' seller shares {refunds}")
        if share is None and (
            payout["reversed_cents"] != payout["net_cents"]
            or sum(r["commission_back_cents"] for r in refunds) != payout["commission_cents"]
        ):
            problems.append(f"a whole refund did not reverse the whole transfer and commission: {payout} {refunds}")
        return problems

    return check


OPERATIONS = {  # name: (set-up, operation and its retry, what it must have done or None)
    "checkout": (None, _op_checkout, None),
    "payment_authorized": (_pending, _authorization_event_op(), None),
    "payment_failed": (_pending, _webhook_op("payment_intent.payment_failed"), None),
    "amount_mismatch": (_pending, _authorization_event_op(amount_capturable=1), None),
    "cancel_before_payment": (_pending, _cancel_op, None),
    "cancel_after_authorization": (_authorized, _cancel_op, None),
    "pack_and_capture": (_one_packed, _pack_op, _paid("seller_principal", "other_principal")),
    "cancel_after_capture_with_refund": (_captured, _cancel_captured_op, _refunded(1, None, "refunded", "reversed")),
    "refund_partial": (_captured, _refund_op, _refunded(1, (1, 3), "partially_refunded", "partially_reversed")),
    "refund_rest": (_partly_refunded, _refund_rest_op, _refunded(2, None, "refunded", "reversed")),
    "capture_deadline": (_one_packed, _deadline_op, _paid("other_principal")),
    "expiry": (_pending, _expire_op, None),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_crash_before_every_write_then_retry_and_reconcile(api, seller, other_seller, shopper, adapters, operation):
    setup, make, expected = OPERATIONS[operation]
    crash_points = 0
    for fail_at in range(1, MAX_WRITES + 1):
        world = _world(api, seller, other_seller, shopper)
        adapters()  # set-up runs uncrashed
        prepared = setup(world) if setup else None
        run, retry = make(world, prepared)
        database = adapters(fail_at)
        try:
            run()
            crashed = False
        except Crash:
            crashed = True
        adapters()
        if not crashed:
            assert database.writes < fail_at
            assert_invariants(world)
            assert not (expected and expected(world, prepared)), f"{operation}: {expected(world, prepared)}"
            break
        crash_points += 1
        retry()
        _reconcile()
        try:
            assert_invariants(world)
            assert not (expected and expected(world, prepared)), expected(world, prepared)
        except AssertionError as problem:
            raise AssertionError(f"{operation}: crash before write {fail_at}: {problem}") from None
        # and once more: a second reconciler run finds nothing left to repair
        assert _reconcile()["repairs"] == 0, f"{operation}: crash before write {fail_at} needed a second repair"
        shopper = api.signup(f"crash-{uuid.uuid4().hex[:10]}@example.com")  # a clean slate for invariants
    else:
        pytest.fail(f"{operation} never completed within {MAX_WRITES} writes")
    CRASH_POINTS[operation] = crash_points
    assert crash_points >= 2, f"{operation}: only {crash_points} crash points: is the matrix really crashing?"
    print(f"crash matrix: {operation}: {crash_points} crash points, all invariants held")
