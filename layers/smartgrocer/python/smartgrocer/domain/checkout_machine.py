"""The money core: a checkout and its orders as one pure state machine.

`decide(state, command, at)` takes the stored checkout (a plain dict, never mutated) and a command,
and returns a `Decision`: the new state, the effects the shell must apply, and an outcome label.
Illegal commands raise a domain error (409/404) and change nothing. No I/O happens here: the shell
(`domain.checkouts`) loads the state, saves the new one with a compare-and-set on `version`, and
applies the effects through the ports. Effects are written into the same document (`outbox`) as
the state that requires them, so a crash after the write loses nothing: the reconciler finds the
pending effects and applies them again. Every effect is idempotent (stock markers in the product,
provider idempotency keys, versioned projections), so applying one twice is harmless.

The checkout is the aggregate: its orders (one per seller) live inside it, and the `orders`
collection is a projection of them for listing. State (the stored document):

    _id, user_id, buyer_email, shipping_address, currency, amount_cents, lines [{product_id, quantity}]
    status       reserving -> creating_payment -> pending_payment -> paid
                 any open status -> closed (close_reason: rejected, interrupted, cancelled, expired,
                 payment_canceled, amount_mismatch)
    payment_intent_id, decline {message, at} | None, declines
    orders       {order_id: {seller_id, seller_name, items, total_cents, status, payment_status,
                  refund_pending, cancel_reason, history {status: {at, by}}, created_at, updated_at}}
    refund       {amount_cents, refund_id} | None: money refunded for the checkout as a whole
    version, outbox {key: effect}, outbox_pending, outbox_at
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from smartgrocer.domain.ids import sort_key_time
from smartgrocer.errors import Conflict, NotFound

OPEN = frozenset({"reserving", "creating_payment", "pending_payment"})
SELLER_FLOW = {"paid": "packed", "packed": "out_for_delivery", "out_for_delivery": "delivered"}
# order status -> who may cancel from it
CANCELLABLE_BY = {
    "pending_payment": frozenset({"buyer", "seller", "admin"}),
    "paid": frozenset({"buyer", "seller", "admin"}),
    "packed": frozenset({"admin"}),
    "out_for_delivery": frozenset({"admin"}),
}
# orders a seller works on: paid at some point (never the failed or abandoned attempts)
SELLER_VISIBLE_PAYMENT = frozenset({"paid", "refunded"})


# -- commands --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReservationsTaken:
    """Placement: every line's stock is held."""


@dataclass(frozen=True)
class PaymentRequested:
    intent_id: str


@dataclass(frozen=True)
class PaymentSucceeded:
    amount_cents: int
    currency: str


@dataclass(frozen=True)
class PaymentFailed:
    message: str


@dataclass(frozen=True)
class PaymentCanceled:
    pass


@dataclass(frozen=True)
class CancelOrder:
    order_id: str
    relations: frozenset[str]  # buyer, seller, admin: how the caller relates to the order
    actor: str


@dataclass(frozen=True)
class AdvanceOrder:
    order_id: str
    target: str
    relations: frozenset[str]
    actor: str


@dataclass(frozen=True)
class RefundIssued:
    target: str  # an order id, or "checkout" for money refunded as a whole
    refund_id: str


@dataclass(frozen=True)
class Expire:
    pass


@dataclass(frozen=True)
class Abandon:
    """Close a checkout that never reached payment (stock short, provider down, interrupted)."""

    reason: str


Command = (
    ReservationsTaken
    | PaymentRequested
    | PaymentSucceeded
    | PaymentFailed
    | PaymentCanceled
    | CancelOrder
    | AdvanceOrder
    | RefundIssued
    | Expire
    | Abandon
)


# -- effects (data; the shell applies them) --------------------------------------------------------


@dataclass(frozen=True)
class ReleaseStock:
    product_id: str
    quantity: int

    @property
    def key(self) -> str:
        return f"release:{self.product_id}"


@dataclass(frozen=True)
class CommitStock:
    product_id: str
    quantity: int

    @property
    def key(self) -> str:
        return f"commit:{self.product_id}"


@dataclass(frozen=True)
class Restock:
    order_id: str
    product_id: str
    quantity: int

    @property
    def key(self) -> str:
        return f"restock:{self.order_id}:{self.product_id}"


@dataclass(frozen=True)
class Refund:
    target: str  # order id, or "checkout"
    amount_cents: int

    @property
    def key(self) -> str:
        return f"refund:{self.target}"


@dataclass(frozen=True)
class CancelPayment:
    intent_id: str

    @property
    def key(self) -> str:
        return "cancel_payment"


@dataclass(frozen=True)
class ProjectOrder:
    order_id: str

    @property
    def key(self) -> str:
        return f"project:{self.order_id}"


@dataclass(frozen=True)
class Publish:
    detail_type: str
    order_id: str
    status: str = ""
    previous: str = ""

    @property
    def key(self) -> str:
        return f"publish:{self.detail_type}:{self.order_id}:{self.status}"


@dataclass(frozen=True)
class Alarm:
    code: str
    message: str
    details: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"alarm:{self.code}"


Effect = ReleaseStock | CommitStock | Restock | Refund | CancelPayment | ProjectOrder | Publish | Alarm
EFFECT_TYPES = {
    cls.__name__: cls
    for cls in (ReleaseStock, CommitStock, Restock, Refund, CancelPayment, ProjectOrder, Publish, Alarm)
}
# The order effects are applied in: stock first (it is what shoppers race for), then what people see,
# then money and messages.
APPLY_ORDER = ("ReleaseStock", "CommitStock", "Restock", "ProjectOrder", "CancelPayment", "Refund", "Alarm", "Publish")


def effect_to_doc(effect: Effect) -> dict:
    return {"kind": type(effect).__name__, **asdict(effect)}


def effect_from_doc(doc: dict) -> Effect:
    fields = {k: v for k, v in doc.items() if k != "kind"}
    return EFFECT_TYPES[doc["kind"]](**fields)


@dataclass
class Decision:
    state: dict
    effects: list = field(default_factory=list)
    outcome: str = "unchanged"
    changed: bool = False


# -- the decider -----------------------------------------------------------------------------------


def decide(state: dict, command: Command, at: datetime) -> Decision:
    new = copy.deepcopy(state)
    decision = Decision(new)
    handler = _HANDLERS[type(command)]
    handler(new, command, at, decision)
    if decision.effects or decision.changed:
        decision.changed = True
    return decision


def _set_order_status(
    state: dict, order_id: str, status: str, at: datetime, by: str, decision: Decision, **fields: Any
) -> None:
    order = state["orders"][order_id]
    order["status"] = status
    order["updated_at"] = at
    order["history"][status] = {"at": at, "by": by}
    order.update(fields)
    decision.changed = True
    if state["status"] not in ("reserving", "creating_payment"):  # orders are shown from payment on
        decision.effects.append(ProjectOrder(order_id))


def _release_lines(order: dict, decision: Decision) -> None:
    decision.effects.extend(ReleaseStock(i["product_id"], i["quantity"]) for i in order["items"])


def _close(state: dict, reason: str, at: datetime, decision: Decision) -> None:
    state["status"] = "closed"
    state["close_reason"] = reason
    state["closed_at"] = at
    decision.changed = True
    if state.get("payment_intent_id"):
        decision.effects.append(CancelPayment(state["payment_intent_id"]))


def _on_reservations_taken(state: dict, command: ReservationsTaken, at: datetime, decision: Decision) -> None:
    if state["status"] == "reserving":
        state["status"] = "creating_payment"
        decision.changed, decision.outcome = True, "reserved"


def _on_payment_requested(state: dict, command: PaymentRequested, at: datetime, decision: Decision) -> None:
    if state["status"] != "creating_payment":
        return
    state["status"] = "pending_payment"
    state["payment_intent_id"] = command.intent_id
    decision.changed, decision.outcome = True, "awaiting_payment"
    decision.effects.extend(ProjectOrder(order_id) for order_id in sorted(state["orders"]))


def _on_abandon(state: dict, command: Abandon, at: datetime, decision: Decision) -> None:
    if state["status"] not in ("reserving", "creating_payment"):
        return  # reached payment: expiry or a payment event closes it instead
    # Every line may hold stock (a crash can stop placement anywhere): releasing is a no-op where none is held.
    decision.effects.extend(ReleaseStock(line["product_id"], line["quantity"]) for line in state["lines"])
    for order in state["orders"].values():
        order.update(status="cancelled", cancel_reason=command.reason, updated_at=at)
    _close(state, command.reason, at, decision)
    decision.outcome = "abandoned"


def _on_payment_failed(state: dict, command: PaymentFailed, at: datetime, decision: Decision) -> None:
    # A decline is not the end: the shopper tries another card on the same payment until it expires.
    if state["status"] != "pending_payment":
        decision.outcome = "already_settled"
        return
    state["decline"] = {"message": command.message[:300], "at": at}
    state["declines"] = state.get("declines", 0) + 1
    decision.changed, decision.outcome = True, "declined"
    decision.effects.extend(
        ProjectOrder(order_id)
        for order_id in sorted(state["orders"])
        if state["orders"][order_id]["status"] == "pending_payment"
    )


def _refund_whole(state: dict, amount_cents: int, decision: Decision) -> None:
    """Money arrived that no order will keep: give all of it back, once."""
    if state.get("refund") is None:
        state["refund"] = {"amount_cents": amount_cents, "refund_id": None}
        decision.effects.append(Refund("checkout", amount_cents))
    for order_id, order in sorted(state["orders"].items()):
        if order["payment_status"] in ("unpaid", "failed"):
            order.update(payment_status="paid", refund_pending=True)
            decision.effects.append(ProjectOrder(order_id))


def _on_payment_succeeded(state: dict, command: PaymentSucceeded, at: datetime, decision: Decision) -> None:
    if state["status"] == "paid":
        decision.outcome = "already_settled"
        return
    expected = (state.get("amount_cents"), state.get("currency"))
    if (command.amount_cents, command.currency.lower()) != expected:
        decision.effects.append(
            Alarm(
                "payment_amount_mismatch",
                "A payment arrived with an unexpected amount or currency; it is refunded in full.",
                {
                    "checkout_id": state["_id"],
                    "expected": list(expected),
                    "received": [command.amount_cents, command.currency],
                },
            )
        )
        if state["status"] in OPEN:
            _expire_orders(state, "payment_mismatch", at, decision)
            _close(state, "amount_mismatch", at, decision)
        _refund_whole(state, command.amount_cents, decision)
        decision.outcome = "amount_mismatch_refunded"
        return
    if state["status"] == "closed":  # expired or cancelled before the money came: give it back
        _refund_whole(state, command.amount_cents, decision)
        decision.changed, decision.outcome = True, "late_payment_refunded"
        return
    state["status"] = "paid"
    state["paid_at"] = at
    decision.changed, decision.outcome = True, "paid"
    for order_id, order in sorted(state["orders"].items()):
        if order["status"] == "pending_payment":
            _set_order_status(state, order_id, "paid", at, "payment", decision, payment_status="paid", paid_at=at)
            decision.effects.extend(CommitStock(i["product_id"], i["quantity"]) for i in order["items"])
            decision.effects.append(Publish("OrderPaid", order_id))
        elif order["payment_status"] in ("unpaid", "failed"):
            # cancelled before the payment landed: its share of the money goes back
            order.update(payment_status="paid", refund_pending=True, paid_at=at)
            decision.effects.append(Refund(order_id, order["total_cents"]))
            decision.effects.append(ProjectOrder(order_id))


def _expire_orders(state: dict, reason: str, at: datetime, decision: Decision) -> None:
    failed = state.get("declines", 0) > 0 and reason == "expired"
    for order_id, order in sorted(state["orders"].items()):
        if order["status"] != "pending_payment":
            continue
        if failed:
            _set_order_status(state, order_id, "payment_failed", at, "system", decision, payment_status="failed")
        else:
            _set_order_status(state, order_id, "cancelled", at, "system", decision, cancel_reason=reason)
        _release_lines(order, decision)


def _on_expire(state: dict, command: Expire, at: datetime, decision: Decision) -> None:
    if state["status"] != "pending_payment" or at < state["expires_at"]:
        return
    _expire_orders(state, "expired", at, decision)
    _close(state, "expired", at, decision)
    decision.outcome = "expired"


def _on_payment_canceled(state: dict, command: PaymentCanceled, at: datetime, decision: Decision) -> None:
    if state["status"] != "pending_payment":
        decision.outcome = "already_settled"
        return
    _expire_orders(state, "payment_canceled", at, decision)
    _close(state, "payment_canceled", at, decision)
    decision.outcome = "released"


def _order_for(state: dict, order_id: str) -> dict:
    order: dict | None = state["orders"].get(order_id)
    if order is None:
        raise NotFound("No such order.")
    return order


def _illegal(current: str, target: str) -> Conflict:
    return Conflict(
        f"You cannot move an order that is {current.replace('_', ' ')} to {target.replace('_', ' ')}.",
        code="illegal_transition",
        details={"from": current, "to": target},
    )


def allowed_transitions(order: dict, relations: frozenset[str]) -> list[str]:
    """What this caller may move the order to next (clients never copy the transition table)."""
    allowed = []
    nxt = SELLER_FLOW.get(order["status"])
    if nxt and relations & {"seller", "admin"}:
        allowed.append(nxt)
    if CANCELLABLE_BY.get(order["status"], frozenset()) & relations:
        allowed.append("cancelled")
    return allowed


def _on_cancel(state: dict, command: CancelOrder, at: datetime, decision: Decision) -> None:
    order = _order_for(state, command.order_id)
    current = order["status"]
    allowed = CANCELLABLE_BY.get(current, frozenset()) & command.relations
    if not allowed:
        raise _illegal(current, "cancelled")
    reason = f"cancelled_by_{sorted(allowed)[0]}"
    if current == "pending_payment":
        _set_order_status(state, command.order_id, "cancelled", at, command.actor, decision, cancel_reason=reason)
        _release_lines(order, decision)
        if all(o["status"] != "pending_payment" for o in state["orders"].values()):
            _close(state, "cancelled", at, decision)
    else:  # paid: the goods go back on the shelf and the shopper gets the order's money back
        _set_order_status(
            state, command.order_id, "cancelled", at, command.actor, decision, cancel_reason=reason, refund_pending=True
        )
        decision.effects.extend(Restock(command.order_id, i["product_id"], i["quantity"]) for i in order["items"])
        decision.effects.append(Refund(command.order_id, order["total_cents"]))
    decision.effects.append(Publish("OrderStatusChanged", command.order_id, "cancelled", current))
    decision.outcome = "cancelled"


def _on_advance(state: dict, command: AdvanceOrder, at: datetime, decision: Decision) -> None:
    order = _order_for(state, command.order_id)
    current = order["status"]
    if SELLER_FLOW.get(current) != command.target or not command.relations & {"seller", "admin"}:
        raise _illegal(current, command.target)
    _set_order_status(state, command.order_id, command.target, at, command.actor, decision)
    decision.effects.append(Publish("OrderStatusChanged", command.order_id, command.target, current))
    decision.outcome = command.target


def _on_refund_issued(state: dict, command: RefundIssued, at: datetime, decision: Decision) -> None:
    if command.target == "checkout":
        refund = state.get("refund")
        if refund is None or refund.get("refund_id"):
            return
        refund["refund_id"] = command.refund_id
        targets = [oid for oid, o in state["orders"].items() if o.get("refund_pending")]
    else:
        order = state["orders"].get(command.target)
        if order is None or not order.get("refund_pending"):
            return
        order["refund_id"] = command.refund_id
        targets = [command.target]
    for order_id in sorted(targets):
        state["orders"][order_id].update(payment_status="refunded", refund_pending=False, updated_at=at)
        decision.effects.append(ProjectOrder(order_id))
    decision.changed, decision.outcome = True, "refunded"


_HANDLERS: dict[type, Callable[[dict, Any, datetime, Decision], None]] = {
    ReservationsTaken: _on_reservations_taken,
    PaymentRequested: _on_payment_requested,
    Abandon: _on_abandon,
    PaymentSucceeded: _on_payment_succeeded,
    PaymentFailed: _on_payment_failed,
    PaymentCanceled: _on_payment_canceled,
    Expire: _on_expire,
    CancelOrder: _on_cancel,
    AdvanceOrder: _on_advance,
    RefundIssued: _on_refund_issued,
}


# -- building a checkout and reading its orders ----------------------------------------------------


def new_checkout(
    *,
    checkout_id: str,
    order_ids: list[str],
    user_id: str,
    buyer_email: str,
    quantities: dict[str, int],
    products: dict[str, dict],
    shipping_address: dict,
    currency: str,
    at: datetime,
    expires_at: datetime,
) -> dict:
    """The initial state: one order per seller, prices from the catalog in integer cents."""
    by_seller: dict[str, list[dict]] = {}
    for pid, qty in sorted(quantities.items()):
        product = products[pid]
        by_seller.setdefault(product["seller_id"], []).append(
            {
                "product_id": pid,
                "name": product["name"],
                "unit": product["unit"],
                "unit_price_cents": product["price_cents"],
                "quantity": qty,
                "line_total_cents": product["price_cents"] * qty,
            }
        )  # integer cents: exact
    orders = {}
    for order_id, (seller_id, items) in zip(order_ids, sorted(by_seller.items()), strict=True):
        seller_name = products[items[0]["product_id"]].get("seller_name", "")
        orders[order_id] = {
            "seller_id": seller_id,
            "seller_name": seller_name,
            "items": items,
            "total_cents": sum(i["line_total_cents"] for i in items),
            "status": "pending_payment",
            "payment_status": "unpaid",
            "refund_pending": False,
            "cancel_reason": None,
            "history": {"pending_payment": {"at": at, "by": user_id}},
            "created_at": at,
            "updated_at": at,
        }
    return {
        "_id": checkout_id,
        "user_id": user_id,
        "buyer_email": buyer_email,
        "shipping_address": shipping_address,
        "currency": currency,
        "lines": [{"product_id": pid, "quantity": qty} for pid, qty in sorted(quantities.items())],
        "amount_cents": sum(o["total_cents"] for o in orders.values()),
        "status": "reserving",
        "payment_intent_id": None,
        "decline": None,
        "declines": 0,
        "orders": orders,
        "refund": None,
        "created_at": at,
        "expires_at": expires_at,
        "version": 1,
        "outbox": {},
        "outbox_pending": False,
        "outbox_at": 0.0,
    }


def order_view(state: dict, order_id: str) -> dict:
    """The order document the `orders` collection holds for listing: a projection of the checkout."""
    order = state["orders"][order_id]
    pending = order["status"] == "pending_payment"
    return {
        "_id": order_id,
        "checkout_id": state["_id"],
        "user_id": state["user_id"],
        "buyer_email": state["buyer_email"],
        "seller_id": order["seller_id"],
        "seller_name": order["seller_name"],
        "items": order["items"],
        "total_cents": order["total_cents"],
        "currency": state["currency"],
        "status": order["status"],
        "payment_status": order["payment_status"],
        "refund_pending": order.get("refund_pending", False),
        "refund_id": order.get("refund_id"),
        "cancel_reason": order.get("cancel_reason"),
        "shipping_address": state["shipping_address"],
        "history": order["history"],
        "created_at": order["created_at"],
        "updated_at": order["updated_at"],
        "expires_at": state["expires_at"],
        "paid_at": order.get("paid_at"),
        "payment_error": (state.get("decline") or {}).get("message") if pending else None,
        "seller_visible": order["payment_status"] in SELLER_VISIBLE_PAYMENT,
        "k_created": sort_key_time(order["created_at"], order_id),
        "v": state["version"],
    }
