"""The money core: a checkout and its orders as one pure state machine.

`decide(state, command, at)` takes the stored checkout (a plain dict, never mutated) and a command,
and returns a `Decision`: the new state, the effects the shell must apply, and an outcome label.
Illegal commands raise a domain error (409/404/422) and change nothing. No I/O happens here: the
shell (`domain.orders`) loads the state, saves the new one with a compare-and-set on `version`, and
applies the effects through the ports. Effects are written into the same document (`outbox`) as
the state that requires them, so a crash after the write loses nothing: the reconciler finds the
pending effects and applies them again. Every effect is idempotent (stock markers in the product,
provider idempotency keys, versioned projections), so applying one twice is harmless.

The card is authorised at checkout and captured once, for what the sellers packed:

    checkout  reserving -> creating_payment -> pending_payment -> authorized -> capturing -> captured
              authorized -> voided (every order cancelled: the hold is released)
              any open status -> closed (close_reason: rejected, interrupted, cancelled, expired,
              payment_canceled, amount_mismatch)
    order     pending_payment -> confirmed -> packed -> out_for_delivery -> delivered;
              cancelled; payment_failed (expired after declines)
    payment   unpaid -> authorized -> captured -> refunded; voided (its share never captured); failed

State (the stored document):

    _id, user_id, buyer_email, shipping_address, currency
    amount_cents   the authorisation: unit lines + weighed lines with the margin, per order, summed
    estimated_cents, lines [{product_id, quantity}]   (quantity: items, or grams when weighed)
    status, payment_intent_id, decline {message, at} | None, declines, authorized_at, capture_by
    capture        {amount_cents, requested_at, captured_at} | None
    numbered       true once every order has its number (orders written before numbers get it from a backfill)
    orders         {order_id: {number (SG-7K3F-92), seller_id, seller_name, items, estimated_cents, authorized_cents,
                    final_cents, total_cents, status, payment_status, refund_pending, cancel_reason,
                    history {status: {at, by}}, created_at, updated_at, confirmed_at, packed_at}}
    refund         {amount_cents, refund_id} | None: unexpected money given back as a whole
    version, outbox {key: effect}, outbox_pending, outbox_at

An order line: {line_id, product_id, name, unit, sold_by, unit_price_cents (per item or per kg),
quantity | weight_g, substitution, line_total_cents (the estimate), packed {quantity | weight_g,
cents} | None, substitute {product_id, name, unit, sold_by, unit_price_cents (charged),
quantity | weight_g, cents} | None, final_cents | None}.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smartgrocer import settings
from smartgrocer.domain.ids import sort_key_time
from smartgrocer.domain.pricing import (
    BASIS_POINTS,
    authorised_amount,
    ceil_div,
    commission,
    line_cost,
    refund_split,
    stock_amount,
)
from smartgrocer.errors import Conflict, Forbidden, Invalid, NotFound

OPEN = frozenset({"reserving", "creating_payment", "pending_payment"})
SELLER_FLOW = {"confirmed": "packed", "packed": "out_for_delivery", "out_for_delivery": "delivered"}
# order status -> who may cancel from it
CANCELLABLE_BY = {
    "pending_payment": frozenset({"buyer", "seller", "admin"}),
    "confirmed": frozenset({"buyer", "seller", "admin"}),
    "packed": frozenset({"admin"}),
    "out_for_delivery": frozenset({"admin"}),
}
SETTLED_ORDER = frozenset({"packed", "out_for_delivery", "delivered", "cancelled", "payment_failed"})
CAPTURE_DEADLINE = timedelta(seconds=settings.AUTH_CAPTURE_DEADLINE_SECONDS)
MAX_PACKED_WEIGHT_G = 100_000
# what an order's projection keeps of each refund (the request id and mail flag stay in the checkout)
PROJECTED_REFUND_FIELDS = (
    "number",
    "amount_cents",
    "reversal_cents",
    "commission_back_cents",
    "reason",
    "at",
    "refund_id",
    "reversal_id",
)
# Money movements in a checkout's ledger. The hold: authorization = capture + release. What was
# captured: capture = (transfer - reversal) + (commission - commission_refund) + refund.
LEDGER_KINDS = (
    "authorization",
    "release",
    "capture",
    "commission",
    "transfer",
    "reversal",
    "refund",
    "commission_refund",
)


# -- commands --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReservationsTaken:
    """Placement: every line's stock is held."""


@dataclass(frozen=True)
class PaymentRequested:
    intent_id: str


@dataclass(frozen=True)
class PaymentAuthorized:
    """The card holds `amount_cents`; nothing is captured yet."""

    amount_cents: int
    currency: str


@dataclass(frozen=True)
class PaymentCaptured:
    amount_cents: int
    currency: str
    charge_id: str = ""  # the charge the sellers' transfers are paid from (`source_transaction`)


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
    reason: str = ""


@dataclass(frozen=True)
class AdvanceOrder:
    order_id: str
    target: str
    relations: frozenset[str]
    actor: str


@dataclass(frozen=True)
class PackOrder:
    """The seller's packing: per line what was packed, and a substitute where the shopper allowed one.
    `substitutes` carries the catalog facts (seller, price, how sold) of the substitute products."""

    order_id: str
    lines: tuple[Mapping[str, Any], ...]
    substitutes: Mapping[str, Mapping[str, Any]]
    relations: frozenset[str]
    actor: str
    attempt: str = ""  # names this request's stock holds (see `pack_holder`)


@dataclass(frozen=True)
class RefundIssued:
    target: str  # an order id, or "checkout" for money refunded as a whole
    refund_id: str
    number: int = 0  # which of the order's refunds (1, 2, ...)


@dataclass(frozen=True)
class RefundOrder:
    """Give a shopper back part or all of a captured order (its seller, or an admin)."""

    order_id: str
    amount_cents: int
    reason: str
    relations: frozenset[str]
    actor: str
    request_id: str = ""  # the client's Idempotency-Key: the same request never refunds twice


@dataclass(frozen=True)
class TransferMade:
    order_id: str
    transfer_id: str


@dataclass(frozen=True)
class TransferReversed:
    order_id: str
    number: int  # the refund whose seller share was taken back
    reversal_id: str


@dataclass(frozen=True)
class Expire:
    pass


@dataclass(frozen=True)
class CaptureDeadline:
    """The hold is about to age out: cancel what is not packed, capture the rest."""


@dataclass(frozen=True)
class Abandon:
    """Close a checkout that never reached payment (stock short, provider down, interrupted)."""

    reason: str


Command = (
    ReservationsTaken
    | PaymentRequested
    | PaymentAuthorized
    | PaymentCaptured
    | PaymentFailed
    | PaymentCanceled
    | CancelOrder
    | AdvanceOrder
    | PackOrder
    | RefundIssued
    | RefundOrder
    | TransferMade
    | TransferReversed
    | Expire
    | CaptureDeadline
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
class ReleaseWindow:
    """Give back the order's place in its delivery or pickup window (it was cancelled or never paid)."""

    window_key: str

    @property
    def key(self) -> str:
        return f"release_window:{self.window_key}"


@dataclass(frozen=True)
class CommitStock:
    """A hold becomes a sale. `holder` is the checkout (placement) or `pack-<order>-<attempt>` (taken by
    one packing request: each attempt holds under its own name, so a losing twin never touches it)."""

    product_id: str
    quantity: int
    holder: str = ""

    @property
    def key(self) -> str:
        return f"commit:{self.holder or 'checkout'}:{self.product_id}"


@dataclass(frozen=True)
class Restock:
    """Sold stock back on the shelf: a cancelled order (`reason` cancel) or what packing left out."""

    order_id: str
    product_id: str
    quantity: int
    reason: str = "cancel"

    @property
    def marker(self) -> str:
        return self.order_id if self.reason == "cancel" else f"{self.order_id}-{self.reason}"

    @property
    def key(self) -> str:
        return f"restock:{self.marker}:{self.product_id}"


@dataclass(frozen=True)
class CapturePayment:
    intent_id: str
    amount_cents: int

    @property
    def key(self) -> str:
        return "capture"


@dataclass(frozen=True)
class Refund:
    target: str  # order id, or "checkout"
    amount_cents: int
    number: int = 0  # an order's n-th refund; 0 for the checkout's whole refund

    @property
    def key(self) -> str:
        return f"refund:{self.target}:{self.number}" if self.number else f"refund:{self.target}"


@dataclass(frozen=True)
class Transfer:
    """Pay a seller their order's net (final total minus commission) from the captured charge."""

    order_id: str
    account_id: str
    amount_cents: int

    @property
    def key(self) -> str:
        return f"transfer:{self.order_id}"


@dataclass(frozen=True)
class ReverseTransfer:
    """Take back from the seller their share of the order's `number`-th refund."""

    order_id: str
    number: int
    amount_cents: int

    @property
    def key(self) -> str:
        return f"reverse:{self.order_id}:{self.number}"


@dataclass(frozen=True)
class CancelPayment:
    """Cancel an intent awaiting payment, or void an authorisation that will not be captured."""

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
    order_id: str  # the checkout id for checkout-wide events (CheckoutSettled)
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


Effect = (
    ReleaseStock
    | ReleaseWindow
    | CommitStock
    | Restock
    | CapturePayment
    | Refund
    | Transfer
    | ReverseTransfer
    | CancelPayment
    | ProjectOrder
    | Publish
    | Alarm
)
EFFECT_TYPES = {
    cls.__name__: cls
    for cls in (
        ReleaseStock,
        ReleaseWindow,
        CommitStock,
        Restock,
        CapturePayment,
        Refund,
        Transfer,
        ReverseTransfer,
        CancelPayment,
        ProjectOrder,
        Publish,
        Alarm,
    )
}
# The order effects are applied in: stock first (it is what shoppers race for), then what people see,
# then money (a capture before the transfers it pays, a transfer before any reversal of it) and messages.
APPLY_ORDER = (
    "ReleaseStock",
    "ReleaseWindow",
    "CommitStock",
    "Restock",
    "ProjectOrder",
    "CancelPayment",
    "CapturePayment",
    "Transfer",
    "Refund",
    "ReverseTransfer",
    "Alarm",
    "Publish",
)


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
    if status in ("cancelled", "payment_failed") and (order.get("fulfilment") or {}).get("window_key"):
        decision.effects.append(ReleaseWindow(order["fulfilment"]["window_key"]))
    order["status"] = status
    order["updated_at"] = at
    order["history"][status] = {"at": at, "by": by}
    order.update(fields)
    decision.changed = True
    if state["status"] not in ("reserving", "creating_payment"):  # orders are shown from payment on
        decision.effects.append(ProjectOrder(order_id))


def _project_all(state: dict, decision: Decision) -> None:
    decision.effects.extend(ProjectOrder(order_id) for order_id in sorted(state["orders"]))


def _ledger(
    state: dict, kind: str, amount_cents: int, at: datetime, order_id: str | None = None, ref: str | None = None
) -> None:
    """Record a money movement in the same write as the state change that caused it (see LEDGER_KINDS)."""
    if amount_cents <= 0:
        return
    entry: dict[str, Any] = {"kind": kind, "amount_cents": amount_cents, "at": at}
    if order_id is not None:
        entry.update(order_id=order_id, seller_id=state["orders"][order_id]["seller_id"])
    if ref:
        entry["ref"] = ref
    state.setdefault("ledger", []).append(entry)
    state["ledger_at"] = at


def ledger_totals(state: dict) -> dict[str, int]:
    totals = dict.fromkeys(LEDGER_KINDS, 0)
    for entry in state.get("ledger", []):
        totals[entry["kind"]] += entry["amount_cents"]
    return totals


def ledger_problems(state: dict) -> list[str]:
    """What does not add up in a settled checkout's money (empty when all is well). Checked by the
    reconciler once nothing is pending; mid-flight (a transfer not yet made) it would not add up."""
    t = ledger_totals(state)
    problems = []
    if t["capture"] + t["release"] > t["authorization"] and t["authorization"]:
        problems.append(
            f"captured {t['capture']} + released {t['release']} exceed the authorisation {t['authorization']}"
        )
    kept = (t["transfer"] - t["reversal"]) + (t["commission"] - t["commission_refund"]) + t["refund"]
    if t["capture"] != kept:
        problems.append(
            f"captured {t['capture']} != transfers {t['transfer']} - reversals {t['reversal']} + commission "
            f"{t['commission']} - commission refunded {t['commission_refund']} + refunds {t['refund']}"
        )
    for order_id, order in sorted(state["orders"].items()):
        refunds = order.get("refunds") or []
        reversed_ = sum(r["reversal_cents"] for r in refunds)
        returned = sum(r["commission_back_cents"] for r in refunds)
        if reversed_ + returned != sum(r["amount_cents"] for r in refunds):
            problems.append(f"order {order_id}: its refunds do not split into reversal + commission")
        payout = order.get("payout")
        if payout and (reversed_ > payout["net_cents"] or returned > payout["commission_cents"]):
            problems.append(f"order {order_id}: more reversed or given back than was paid out")
        if sum(r["amount_cents"] for r in refunds) > (order.get("final_cents") or 0):
            problems.append(f"order {order_id}: refunded more than was captured for it")
    return problems


def _release_lines(order: dict, decision: Decision) -> None:
    decision.effects.extend(ReleaseStock(i["product_id"], stock_amount(i)) for i in order["items"])


def sold_amounts(order: dict) -> dict[str, int]:
    """Stock this order holds as sold, per product: as ordered until packed, then as packed."""
    amounts: dict[str, int] = {}
    for item in order["items"]:
        packed = item.get("packed")
        amount = stock_amount(item) if packed is None else stock_amount({**packed, "sold_by": item["sold_by"]})
        if amount:
            amounts[item["product_id"]] = amounts.get(item["product_id"], 0) + amount
        sub = item.get("substitute")
        if sub:
            amounts[sub["product_id"]] = amounts.get(sub["product_id"], 0) + stock_amount(sub)
    return amounts


def sold_lines(order: dict) -> list[dict]:
    """What a packed order sold, per product (originals and substitutes): the analytics' source."""
    rows = []
    for item in order["items"] if order.get("final_cents") is not None else []:
        packed, sub = item["packed"], item.get("substitute")
        amount = stock_amount({**packed, "sold_by": item["sold_by"]})
        if amount:
            rows.append(
                {"product_id": item["product_id"], "name": item["name"], "amount": amount, "cents": packed["cents"]}
            )
        if sub:
            rows.append(
                {
                    "product_id": sub["product_id"],
                    "name": sub["name"],
                    "amount": stock_amount(sub),
                    "cents": sub["cents"],
                }
            )
    return rows


def _restock_order(order_id: str, order: dict, decision: Decision) -> None:
    decision.effects.extend(
        Restock(order_id, pid, amount) for pid, amount in sorted(sold_amounts(order).items()) if amount
    )


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
    _project_all(state, decision)


def _on_abandon(state: dict, command: Abandon, at: datetime, decision: Decision) -> None:
    if state["status"] not in ("reserving", "creating_payment"):
        return  # reached payment: expiry or a payment event closes it instead
    # Every line may hold stock (a crash can stop placement anywhere): releasing is a no-op where none is held.
    decision.effects.extend(ReleaseStock(line["product_id"], line["quantity"]) for line in state["lines"])
    decision.effects.extend(ReleaseWindow(key) for key in window_keys(state))
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


def _alarm_mismatch(
    state: dict, command: PaymentAuthorized | PaymentCaptured, expected: int, decision: Decision
) -> None:
    decision.effects.append(
        Alarm(
            "payment_amount_mismatch",
            "A payment arrived with an unexpected amount or currency; it is released or refunded.",
            {
                "checkout_id": state["_id"],
                "expected": [expected, state.get("currency")],
                "received": [command.amount_cents, command.currency],
            },
        )
    )


def _on_payment_authorized(state: dict, command: PaymentAuthorized, at: datetime, decision: Decision) -> None:
    if state["status"] in ("authorized", "capturing", "captured", "voided"):
        decision.outcome = "already_settled"
        return
    if state["status"] in ("reserving", "creating_payment"):  # the provider is ahead of us: deliver it again later
        raise Conflict("This checkout is still being placed.", code="checkout_not_ready")
    if (command.amount_cents, command.currency.lower()) != (state["amount_cents"], state["currency"]):
        _alarm_mismatch(state, command, state["amount_cents"], decision)
        if state["status"] in OPEN:
            _expire_orders(state, "payment_mismatch", at, decision)
            _close(state, "amount_mismatch", at, decision)
        decision.effects.append(CancelPayment(state["payment_intent_id"]))
        decision.outcome = "amount_mismatch_voided"
        return
    if state["status"] == "closed":  # expired or cancelled before the card was authorised: let the hold go
        decision.effects.append(CancelPayment(state["payment_intent_id"]))
        decision.changed, decision.outcome = True, "late_authorization_voided"
        return
    state["status"] = "authorized"
    state["authorized_at"] = at
    state["capture_by"] = at + CAPTURE_DEADLINE
    _ledger(state, "authorization", command.amount_cents, at, ref=state["payment_intent_id"])
    decision.changed, decision.outcome = True, "authorized"
    for order_id, order in sorted(state["orders"].items()):
        if order["status"] == "pending_payment":
            _set_order_status(
                state, order_id, "confirmed", at, "payment", decision, payment_status="authorized", confirmed_at=at
            )
            decision.effects.extend(CommitStock(i["product_id"], stock_amount(i)) for i in order["items"])
            decision.effects.append(Publish("OrderConfirmed", order_id))
        elif order["payment_status"] == "unpaid":  # cancelled while awaiting payment: its share is never captured
            order.update(payment_status="voided", updated_at=at)
            decision.effects.append(ProjectOrder(order_id))
    _settle_if_done(state, at, decision)  # every order may have been cancelled meanwhile


def _refund_whole(state: dict, amount_cents: int, decision: Decision) -> None:
    """Money was captured that no order will keep: give all of it back, once."""
    if state.get("refund") is None:
        state["refund"] = {"amount_cents": amount_cents, "refund_id": None}
        decision.effects.append(Refund("checkout", amount_cents))


def _on_payment_captured(state: dict, command: PaymentCaptured, at: datetime, decision: Decision) -> None:
    capture = state.get("capture") or {}
    expected = capture.get("amount_cents", 0)
    matches = (command.amount_cents, command.currency.lower()) == (expected, state["currency"])
    if state["status"] not in ("capturing", "captured"):
        # money we never asked for (or after the hold was lost): all of it back
        decision.changed, decision.outcome = True, "amount_mismatch_refunded"
        _alarm_mismatch(state, command, 0, decision)
        if state.get("refund") is None:
            _ledger(state, "capture", command.amount_cents, at, ref=command.charge_id or None)
        _refund_whole(state, command.amount_cents, decision)
        if state["status"] == "authorized":  # captured behind our back: the hold is gone, like a void
            _lose_hold(state, at, decision)
        return
    if state["status"] == "capturing":
        capture["captured_at"] = at
        capture["received_cents"] = command.amount_cents
        state["status"] = "captured"
        state["charge_id"] = command.charge_id or None
        decision.changed, decision.outcome = True, "captured"
        _ledger(state, "capture", command.amount_cents, at, ref=command.charge_id or None)
        _ledger(state, "release", state["amount_cents"] - command.amount_cents, at)
        for order_id, order in sorted(state["orders"].items()):
            if order.get("payout") is None:
                continue  # voided: its share was never taken
            if order["payment_status"] == "authorized":
                order["payment_status"] = "captured"
            order.update(captured_at=at, updated_at=at)
            _pay_out(state, order_id, at, decision)
            decision.effects.append(ProjectOrder(order_id))
        decision.effects.append(Publish("CheckoutSettled", state["_id"], "captured"))
    elif matches:
        if command.charge_id and not state.get("charge_id"):  # the capture's own answer after its webhook
            state["charge_id"] = command.charge_id
            decision.changed = True
        decision.outcome = "already_settled"
        return
    if not matches:  # not what we asked for: alarm, and give back whatever is above it (once)
        decision.changed, decision.outcome = True, "amount_mismatch_refunded"
        _alarm_mismatch(state, command, expected, decision)
        if command.amount_cents > expected:
            _refund_whole(state, command.amount_cents - expected, decision)


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


def _cancel_unsettled(state: dict, reason: str, at: datetime, decision: Decision) -> None:
    """Cancel every authorised order not yet packed: its goods go back on the shelf, its share is voided."""
    for order_id, order in sorted(state["orders"].items()):
        if order["status"] == "confirmed":
            _set_order_status(
                state, order_id, "cancelled", at, "system", decision, cancel_reason=reason, payment_status="voided"
            )
            _restock_order(order_id, order, decision)
            decision.effects.append(Publish("OrderStatusChanged", order_id, "cancelled", "confirmed"))


def _on_payment_canceled(state: dict, command: PaymentCanceled, at: datetime, decision: Decision) -> None:
    if state["status"] == "pending_payment":
        _expire_orders(state, "payment_canceled", at, decision)
        _close(state, "payment_canceled", at, decision)
        decision.outcome = "released"
        return
    if state["status"] not in ("authorized", "capturing"):
        decision.outcome = "already_settled"
        return
    _lose_hold(state, at, decision)
    decision.outcome = "authorization_lost"


def _lose_hold(state: dict, at: datetime, decision: Decision) -> None:
    """The hold went away before we captured (voided at the provider, aged out, or captured behind our
    back and refunded): nothing can be charged any more, so the open orders are cancelled; a capture
    still waiting in the outbox would only fail forever, so it is withdrawn."""
    state.get("outbox", {}).pop(CapturePayment(state["payment_intent_id"], 0).key, None)
    decision.effects.append(
        Alarm(
            "authorization_lost",
            "An authorisation was cancelled before it was captured; its orders are cancelled.",
            {"checkout_id": state["_id"]},
        )
    )
    for order_id, order in sorted(state["orders"].items()):
        order["payout"] = None  # nothing was captured, so nothing is paid out
        if order["status"] in ("confirmed", "packed", "out_for_delivery"):
            previous = order["status"]
            _set_order_status(
                state,
                order_id,
                "cancelled",
                at,
                "system",
                decision,
                cancel_reason="payment_authorization_lost",
                payment_status="voided",
            )
            _restock_order(order_id, order, decision)
            decision.effects.append(Publish("OrderStatusChanged", order_id, "cancelled", previous))
    state["status"] = "voided"
    _ledger(state, "release", state["amount_cents"], at)
    decision.changed = True


def _on_capture_deadline(state: dict, command: CaptureDeadline, at: datetime, decision: Decision) -> None:
    if state["status"] != "authorized" or at < state["capture_by"]:
        return
    _cancel_unsettled(state, "not_packed_in_time", at, decision)
    _settle_if_done(state, at, decision)
    decision.outcome = "deadline_settled"


def _settle_if_done(state: dict, at: datetime, decision: Decision) -> None:
    """When every order is packed or cancelled, capture their final totals once, or void the hold."""
    if state["status"] != "authorized":
        return
    orders = state["orders"].values()
    if any(o["status"] not in SETTLED_ORDER for o in orders):
        return
    total = sum(o["final_cents"] or 0 for o in orders if o["status"] not in ("cancelled", "payment_failed"))
    decision.changed = True
    if total > 0:
        state["status"] = "capturing"
        state["capture"] = {"amount_cents": total, "requested_at": at, "captured_at": None}
        for order in orders:
            if order["status"] not in ("cancelled", "payment_failed") and order["final_cents"]:
                order["payout"] = _payout_terms(order)
        decision.effects.append(CapturePayment(state["payment_intent_id"], total))
        return
    state["status"] = "voided"
    state["voided_at"] = at
    _ledger(state, "release", state["amount_cents"], at)
    decision.effects.append(CancelPayment(state["payment_intent_id"]))
    for order_id, order in sorted(state["orders"].items()):
        if order["payment_status"] != "voided":
            order.update(payment_status="voided", updated_at=at)
            decision.effects.append(ProjectOrder(order_id))
    decision.effects.append(Publish("CheckoutSettled", state["_id"], "voided"))


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
    reason = command.reason or f"cancelled_by_{sorted(allowed)[0]}"
    if current == "pending_payment":
        _set_order_status(state, command.order_id, "cancelled", at, command.actor, decision, cancel_reason=reason)
        _release_lines(order, decision)
        if all(o["status"] != "pending_payment" for o in state["orders"].values()):
            _close(state, "cancelled", at, decision)
    elif state["status"] in ("authorized", "voided") or not order["final_cents"]:
        # nothing of it captured: its share of the hold is simply not taken
        _set_order_status(
            state,
            command.order_id,
            "cancelled",
            at,
            command.actor,
            decision,
            cancel_reason=reason,
            payment_status="voided",
        )
        _restock_order(command.order_id, order, decision)
        _settle_if_done(state, at, decision)
    else:  # captured (or being captured): the goods go back on the shelf, the shopper gets the money back
        _set_order_status(state, command.order_id, "cancelled", at, command.actor, decision, cancel_reason=reason)
        _restock_order(command.order_id, order, decision)
        if _refundable(order) > 0:
            _issue_refund(state, command.order_id, _refundable(order), reason, command.actor, at, decision)
    decision.effects.append(Publish("OrderStatusChanged", command.order_id, "cancelled", current))
    decision.outcome = "cancelled"


def _on_advance(state: dict, command: AdvanceOrder, at: datetime, decision: Decision) -> None:
    order = _order_for(state, command.order_id)
    current = order["status"]
    if SELLER_FLOW.get(current) != command.target or not command.relations & {"seller", "admin"}:
        raise _illegal(current, command.target)
    if command.target == "packed":  # "packed" without a packing list: everything exactly as ordered
        as_ordered = tuple(as_ordered_packing(order))
        _on_pack(state, PackOrder(command.order_id, as_ordered, {}, command.relations, command.actor), at, decision)
        return
    _set_order_status(state, command.order_id, command.target, at, command.actor, decision)
    decision.effects.append(Publish("OrderStatusChanged", command.order_id, command.target, current))
    decision.outcome = command.target


def _on_refund_issued(state: dict, command: RefundIssued, at: datetime, decision: Decision) -> None:
    if command.target == "checkout":
        refund = state.get("refund")
        if refund is None or refund.get("refund_id"):
            return
        refund["refund_id"] = command.refund_id
        _ledger(state, "refund", refund["amount_cents"], at, ref=command.refund_id)
        decision.changed, decision.outcome = True, "refunded"
        return
    order = state["orders"].get(command.target)
    if order is None:
        return
    refunds = order.get("refunds") or []
    if not 1 <= command.number <= len(refunds) or refunds[command.number - 1]["refund_id"]:
        return  # unknown, or recorded already (a repeated answer)
    refund = refunds[command.number - 1]
    refund["refund_id"] = command.refund_id
    _ledger(state, "refund", refund["amount_cents"], at, command.target, command.refund_id)
    _ledger(state, "commission_refund", refund["commission_back_cents"], at, command.target)
    if order.get("payout"):
        payout = order["payout"]
        payout["commission_returned_cents"] = (
            payout.get("commission_returned_cents", 0) + refund["commission_back_cents"]
        )
    fully = sum(r["amount_cents"] for r in refunds if r["refund_id"]) >= (order["final_cents"] or 0)
    order.update(
        refund_id=command.refund_id,
        payment_status="refunded" if fully else "partially_refunded",
        refund_pending=any(r["refund_id"] is None for r in refunds),
        updated_at=at,
    )
    decision.effects.append(ProjectOrder(command.target))
    if refund.get("notify"):
        decision.effects.append(Publish("OrderRefunded", command.target, str(command.number)))
    decision.changed, decision.outcome = True, "refunded"


# -- payouts: commission, transfers, refunds that claw back ----------------------------------------


def _payout_terms(order: dict) -> dict:
    """What the order pays out, fixed when its capture is asked for: the final total splits into the
    platform's commission and the seller's net, exactly."""
    gross = order["final_cents"]
    # commission on the goods only: the delivery fee goes to the seller whole
    goods = gross - order.get("fee_cents", 0)
    fee = commission(goods, order.get("commission_bps", settings.PLATFORM_COMMISSION_BPS))
    return {
        "gross_cents": gross,
        "commission_cents": fee,
        "net_cents": gross - fee,
        "reversed_cents": 0,
        "commission_returned_cents": 0,  # given back with refunds made
        "transfer_id": None,
        "status": "awaiting_capture",
    }


def _pay_out(state: dict, order_id: str, at: datetime, decision: Decision) -> None:
    """The money is captured: the commission is the platform's, the net goes to the seller."""
    order = state["orders"][order_id]
    payout = order["payout"]
    _ledger(state, "commission", payout["commission_cents"], at, order_id)
    if payout["net_cents"] == 0:
        payout["status"] = "paid"
    elif order.get("payee_account"):
        payout["status"] = "pending"
        decision.effects.append(Transfer(order_id, order["payee_account"], payout["net_cents"]))
    else:
        payout["status"] = "no_account"
        decision.effects.append(
            Alarm(
                "payout_account_missing",
                "A captured order has no seller account to pay out to.",
                {"checkout_id": state["_id"], "order_id": order_id},
            )
        )


def _refundable(order: dict) -> int:
    return int(order["final_cents"] or 0) - int(order.get("refunded_cents", 0))


def _issue_refund(
    state: dict,
    order_id: str,
    amount: int,
    reason: str,
    actor: str,
    at: datetime,
    decision: Decision,
    request_id: str = "",
    notify: bool = False,
) -> dict:
    order = state["orders"][order_id]
    refunds = order.setdefault("refunds", [])
    before = order.get("refunded_cents", 0)
    payout = order.get("payout") or _payout_terms(order)
    reversal, commission_back = refund_split(payout["gross_cents"], payout["commission_cents"], before, amount)
    number = len(refunds) + 1
    refund = {
        "number": number,
        "amount_cents": amount,
        "reversal_cents": reversal,
        "commission_back_cents": commission_back,
        "reason": reason,
        "by": actor,
        "at": at,
        "request_id": request_id,
        "refund_id": None,
        "reversal_id": None,
        "notify": notify,
    }
    refunds.append(refund)
    order.update(refunded_cents=before + amount, refund_pending=True, updated_at=at)
    decision.effects.append(Refund(order_id, amount, number))
    if reversal and payout["status"] != "no_account":  # nothing was transferred to take back
        decision.effects.append(ReverseTransfer(order_id, number, reversal))
    decision.effects.append(ProjectOrder(order_id))
    decision.changed = True
    return refund


def _on_refund_order(state: dict, command: RefundOrder, at: datetime, decision: Decision) -> None:
    order = _order_for(state, command.order_id)
    if not command.relations & {"seller", "admin"}:
        raise Forbidden("Only the order's seller or an admin can refund it.", code="forbidden")
    if command.request_id and any(r.get("request_id") == command.request_id for r in order.get("refunds") or []):
        decision.outcome = "already_refunded"  # the same request again: nothing more is refunded
        return
    if state["status"] != "captured" or order["payment_status"] not in ("captured", "partially_refunded"):
        raise Conflict(
            "Only an order whose payment was taken can be refunded; an order not yet charged is cancelled instead.",
            code="not_refundable",
            details={"payment_status": order["payment_status"]},
        )
    refundable = _refundable(order)
    if refundable <= 0:
        raise Conflict("This order has been refunded in full already.", code="not_refundable")
    if command.amount_cents <= 0 or command.amount_cents > refundable:
        raise Invalid(
            f"You can refund between 0.01 and {refundable / 100:.2f} on this order.",
            code="refund_too_large" if command.amount_cents > 0 else "invalid_amount",
            details={"refundable_cents": refundable, "requested_cents": command.amount_cents},
        )
    _issue_refund(
        state,
        command.order_id,
        command.amount_cents,
        command.reason,
        command.actor,
        at,
        decision,
        command.request_id,
        notify=True,
    )
    decision.outcome = "refund_requested"


def _on_transfer_made(state: dict, command: TransferMade, at: datetime, decision: Decision) -> None:
    order = state["orders"].get(command.order_id)
    payout = (order or {}).get("payout")
    if not payout or payout["transfer_id"]:
        return
    payout.update(transfer_id=command.transfer_id, status="paid", paid_at=at)
    _ledger(state, "transfer", payout["net_cents"], at, command.order_id, command.transfer_id)
    decision.effects.append(ProjectOrder(command.order_id))
    decision.changed, decision.outcome = True, "transferred"


def _on_transfer_reversed(state: dict, command: TransferReversed, at: datetime, decision: Decision) -> None:
    order = state["orders"].get(command.order_id)
    refunds = (order or {}).get("refunds") or []
    if order is None or not 1 <= command.number <= len(refunds) or refunds[command.number - 1]["reversal_id"]:
        return
    refund = refunds[command.number - 1]
    refund["reversal_id"] = command.reversal_id
    payout = order["payout"]
    payout["reversed_cents"] += refund["reversal_cents"]
    payout["status"] = "reversed" if payout["reversed_cents"] >= payout["net_cents"] else "partially_reversed"
    _ledger(state, "reversal", refund["reversal_cents"], at, command.order_id, command.reversal_id)
    decision.effects.append(ProjectOrder(command.order_id))
    decision.changed, decision.outcome = True, "reversed"


# -- packing ---------------------------------------------------------------------------------------


def as_ordered_packing(order: dict) -> Iterator[dict]:
    for item in order["items"]:
        key = "packed_weight_g" if item["sold_by"] == "weight" else "packed_quantity"
        yield {"line_id": item["line_id"], key: stock_amount(item)}


@dataclass
class PackPlan:
    lines: dict[str, dict]  # line_id -> {packed, substitute, final_cents}
    final_cents: int
    takes: dict[str, int]  # product -> stock to take now (substitutes, weight packed above the order)
    returns: dict[str, int]  # product -> stock back on the shelf (short picks)


def _amount_field(sold_by: str, packed: bool) -> str:
    if sold_by == "weight":
        return "packed_weight_g" if packed else "weight_g"
    return "packed_quantity" if packed else "quantity"


def plan_packing(order: dict, lines: tuple[Mapping[str, Any], ...], substitutes: Mapping[str, Mapping]) -> PackPlan:
    """Check a packing list against the order and price it; raises 422 naming every problem."""
    by_id = {item["line_id"]: item for item in order["items"]}
    given: dict[str, Mapping[str, Any]] = {}
    problems: list[dict] = []
    for line in lines:
        line_id = str(line.get("line_id"))
        if line_id not in by_id:
            problems.append({"line_id": line_id, "message": "This order has no such line."})
        elif line_id in given:
            problems.append({"line_id": line_id, "message": "This line is listed twice."})
        else:
            given[line_id] = line
    for line_id in by_id:
        if line_id not in given:
            problems.append({"line_id": line_id, "message": f"Say what was packed for {by_id[line_id]['name']}."})
    planned: dict[str, dict] = {}
    for line_id, line in given.items():
        item = by_id[line_id]
        planned[line_id] = _plan_line(order, item, line, substitutes, problems)
    if problems:
        raise Invalid("The packing list does not fit this order.", code="invalid_packing", details=problems)
    # the delivery fee is charged whatever was packed: it was chosen and authorised at checkout
    final = sum(p["final_cents"] for p in planned.values()) + order.get("fee_cents", 0)
    if final > order["authorized_cents"]:
        from smartgrocer.money import format_amount

        raise Invalid(
            f"The packed total ${format_amount(final)} is above the ${format_amount(order['authorized_cents'])} "
            "the shopper authorised for this order. Pack less, or choose a cheaper substitute.",
            code="over_authorization",
            details={"final_total": format_amount(final), "authorized": format_amount(order["authorized_cents"])},
        )
    packed_order = {
        "items": [
            {**item, "packed": planned[item["line_id"]]["packed"], **planned[item["line_id"]]}
            for item in order["items"]
        ]
    }
    before: dict[str, int] = {}
    for item in order["items"]:
        before[item["product_id"]] = before.get(item["product_id"], 0) + stock_amount(item)
    after = sold_amounts(packed_order)
    takes, returns = {}, {}
    for pid in sorted(set(before) | set(after)):
        delta = after.get(pid, 0) - before.get(pid, 0)
        if delta > 0:
            takes[pid] = delta
        elif delta < 0:
            returns[pid] = -delta
    return PackPlan(planned, final, takes, returns)


def _count(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _plan_line(order: dict, item: dict, line: Mapping[str, Any], substitutes: Mapping, problems: list) -> dict:
    sold_by, name, line_id = item["sold_by"], item["name"], item["line_id"]
    field_name = _amount_field(sold_by, packed=True)
    other = _amount_field("unit" if sold_by == "weight" else "weight", packed=True)
    ordered = stock_amount(item)
    high = ordered if sold_by == "unit" else MAX_PACKED_WEIGHT_G
    amount = _count(line.get(field_name), 0, high)
    if line.get(other) is not None or amount is None:
        what = f"a weight in grams (0 to {high})" if sold_by == "weight" else f"a count from 0 to {ordered}"
        problems.append({"line_id": line_id, "message": f"{name} is sold by {sold_by}: give {field_name} as {what}."})
        amount = 0
    packed = {
        _amount_field(sold_by, packed=False): amount,
        "cents": line_cost(item["unit_price_cents"], sold_by, amount),
    }
    planned = {"packed": packed, "substitute": None, "final_cents": packed["cents"]}
    sub_request = line.get("substitute")
    if not sub_request:
        return planned
    sub_id = str(sub_request.get("product_id"))
    product = substitutes.get(sub_id)
    message = None
    if item.get("substitution") != "similar":
        message = f"The shopper asked for no substitutes for {name}."
    elif amount >= ordered:
        message = f"All of {name} was packed: a substitute only replaces what was not."
    elif product is None or product.get("seller_id") != order["seller_id"]:
        message = "A substitute must be one of your own products that is on sale."
    elif sub_id == item["product_id"]:
        message = "A substitute must be a different product."
    elif product.get("sold_by", "unit") != sold_by:
        message = f"A substitute for {name} must also be sold by {sold_by}."
    if message:
        problems.append({"line_id": line_id, "message": message})
        return planned
    assert product is not None
    # A substitute replaces the missing part: no more items than are missing, no more weight than the
    # missing weight with the margin a weighed line is authorised with.
    missing = ordered - amount
    most = (
        missing if sold_by == "unit" else ceil_div(missing * (BASIS_POINTS + settings.WEIGHT_BUFFER_BPS), BASIS_POINTS)
    )
    sub_field = _amount_field(sold_by, packed=False)
    sub_amount = _count(sub_request.get(sub_field), 1, most)
    if sub_amount is None:
        message = f"Give the substitute's {sub_field} from 1 to {most}: it replaces only what is missing."
        problems.append({"line_id": line_id, "message": message})
        return planned
    charged = min(product["price_cents"], item["unit_price_cents"])  # a substitute never costs the shopper more
    cents = line_cost(charged, sold_by, sub_amount)
    planned["substitute"] = substitute = {
        "product_id": sub_id,
        "name": product["name"],
        "unit": product.get("unit", ""),
        "sold_by": sold_by,
        "unit_price_cents": charged,
        _amount_field(sold_by, packed=False): sub_amount,
        "cents": cents,
    }
    planned["final_cents"] = packed["cents"] + substitute["cents"]
    return planned


def pack_holder(order_id: str, attempt: str) -> str:
    """The stock-hold marker for what one packing request takes beyond the order (substitutes, extra weight)."""
    return f"pack-{order_id}-{attempt}"


def pack_hold_order(holder: str) -> str | None:
    """The order a packing hold belongs to, or None for a checkout's hold."""
    return holder[len("pack-") :].rsplit("-", 1)[0] if holder.startswith("pack-") else None


def _on_pack(state: dict, command: PackOrder, at: datetime, decision: Decision) -> None:
    order = _order_for(state, command.order_id)
    if not command.relations & {"seller", "admin"}:
        raise Forbidden("Only the order's seller packs it.", code="forbidden")
    if order["status"] != "confirmed":
        raise _illegal(order["status"], "packed")
    plan = plan_packing(order, command.lines, command.substitutes)
    for item in order["items"]:
        item.update(plan.lines[item["line_id"]])
    order["final_cents"] = order["total_cents"] = plan.final_cents  # the fee included
    _set_order_status(state, command.order_id, "packed", at, command.actor, decision, packed_at=at)
    holder = pack_holder(command.order_id, command.attempt)
    decision.effects.extend(CommitStock(pid, amount, holder) for pid, amount in sorted(plan.takes.items()))
    decision.effects.extend(
        Restock(command.order_id, pid, amount, "pack") for pid, amount in sorted(plan.returns.items())
    )
    decision.effects.append(Publish("OrderStatusChanged", command.order_id, "packed", "confirmed"))
    decision.outcome = "packed"
    _settle_if_done(state, at, decision)


_HANDLERS: dict[type, Callable[[dict, Any, datetime, Decision], None]] = {
    ReservationsTaken: _on_reservations_taken,
    PaymentRequested: _on_payment_requested,
    Abandon: _on_abandon,
    PaymentAuthorized: _on_payment_authorized,
    PaymentCaptured: _on_payment_captured,
    PaymentFailed: _on_payment_failed,
    PaymentCanceled: _on_payment_canceled,
    Expire: _on_expire,
    CaptureDeadline: _on_capture_deadline,
    CancelOrder: _on_cancel,
    AdvanceOrder: _on_advance,
    PackOrder: _on_pack,
    RefundIssued: _on_refund_issued,
    RefundOrder: _on_refund_order,
    TransferMade: _on_transfer_made,
    TransferReversed: _on_transfer_reversed,
}


# -- building a checkout and reading its orders ----------------------------------------------------


def _order_line(index: int, product: dict, line: dict) -> dict:
    sold_by = product.get("sold_by", "unit")
    amount = line["weight_g"] if sold_by == "weight" else line["quantity"]
    return {
        "line_id": str(index),
        "product_id": product["_id"],
        "name": product["name"],
        "unit": product["unit"],
        "sold_by": sold_by,
        "unit_price_cents": product["price_cents"],
        "quantity": None if sold_by == "weight" else amount,
        "weight_g": amount if sold_by == "weight" else None,
        "substitution": line.get("substitution", "none"),
        "line_total_cents": line_cost(product["price_cents"], sold_by, amount),
        "packed": None,
        "substitute": None,
        "final_cents": None,
    }


def new_checkout(
    *,
    checkout_id: str,
    order_ids: list[str],
    user_id: str,
    buyer_email: str,
    lines: list[dict],
    products: dict[str, dict],
    shipping_address: dict,
    currency: str,
    at: datetime,
    expires_at: datetime,
    weight_buffer_bps: int = settings.WEIGHT_BUFFER_BPS,
    payees: Mapping[str, Mapping[str, Any]] | None = None,
    fulfilment: Mapping[str, Mapping[str, Any]] | None = None,
    order_numbers: list[str] | None = None,
) -> dict:
    """The initial state: one order per seller, prices from the catalog in integer cents.
    `order_numbers` go with `order_ids` (the shell makes sure they are unique before the checkout is written).
    `lines` are merged basket lines `{product_id, quantity | weight_g, substitution}`; `payees` the
    sellers' payout terms at checkout `{seller_id: {account_id, commission_bps}}`, kept with each
    order so that a later change of rate or account never alters what this order pays out;
    `fulfilment` each seller's chosen window `{method, slot_id, start, end, local_date, label, address,
    window_key, capacity, fee_cents}` (None for a seller who arranges delivery themselves), whose fee
    is part of the order's estimate, authorisation and final total."""
    by_seller: dict[str, list[dict]] = {}
    for line in sorted(lines, key=lambda item: item["product_id"]):
        product = products[line["product_id"]]
        items = by_seller.setdefault(product["seller_id"], [])
        items.append(_order_line(len(items) + 1, product, line))
    orders = {}
    numbers: list[str | None] = list(order_numbers) if order_numbers else [None] * len(order_ids)
    for order_id, number, (seller_id, items) in zip(order_ids, numbers, sorted(by_seller.items()), strict=True):
        seller_name = products[items[0]["product_id"]].get("seller_name", "")
        unit = sum(i["line_total_cents"] for i in items if i["sold_by"] != "weight")
        weighed = sum(i["line_total_cents"] for i in items if i["sold_by"] == "weight")
        terms = (payees or {}).get(seller_id, {})
        chosen = dict((fulfilment or {}).get(seller_id) or {}) or None
        fee = int(chosen.pop("fee_cents", 0)) if chosen else 0
        orders[order_id] = {
            "number": number,
            "seller_id": seller_id,
            "seller_name": seller_name,
            "payee_account": terms.get("account_id"),
            "commission_bps": terms.get("commission_bps", settings.PLATFORM_COMMISSION_BPS),
            "items": items,
            "estimated_cents": unit + weighed + fee,
            "authorized_cents": authorised_amount(unit, weighed, weight_buffer_bps) + fee,
            "final_cents": None,
            "total_cents": unit + weighed + fee,
            "fee_cents": fee,
            "fulfilment": chosen,
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
        "lines": [
            {"product_id": i["product_id"], "quantity": stock_amount(i)} for o in orders.values() for i in o["items"]
        ],
        "estimated_cents": sum(o["estimated_cents"] for o in orders.values()),
        "amount_cents": sum(o["authorized_cents"] for o in orders.values()),
        "status": "reserving",
        "payment_intent_id": None,
        "decline": None,
        "declines": 0,
        "capture": None,
        "orders": orders,
        "refund": None,
        "numbered": bool(order_numbers),
        "created_at": at,
        "expires_at": expires_at,
        "version": 1,
        "outbox": {},
        "outbox_pending": False,
        "outbox_at": 0.0,
    }


def window_keys(state: dict) -> list[str]:
    """The windows a checkout's orders take a place in (one per seller that has windows)."""
    return sorted(
        o["fulfilment"]["window_key"] for o in state["orders"].values() if (o.get("fulfilment") or {}).get("window_key")
    )


def released_cents(state: dict, order: dict) -> int | None:
    """The part of the order's authorisation that will not be charged, once that is known."""
    authorized: int = order["authorized_cents"]
    final: int | None = order["final_cents"]
    if order["payment_status"] == "voided":
        return authorized
    if final is not None and state["status"] in ("capturing", "captured", "authorized"):
        return authorized - final
    return None


def order_view(state: dict, order_id: str) -> dict:
    """The order document the `orders` collection holds for listing: a projection of the checkout."""
    order = state["orders"][order_id]
    pending = order["status"] == "pending_payment"
    return {
        "_id": order_id,
        "number": order.get("number"),
        "checkout_id": state["_id"],
        "user_id": state["user_id"],
        "buyer_email": state["buyer_email"],
        "seller_id": order["seller_id"],
        "seller_name": order["seller_name"],
        "items": order["items"],
        "total_cents": order["total_cents"],
        "estimated_cents": order["estimated_cents"],
        "authorized_cents": order["authorized_cents"],
        "final_cents": order["final_cents"],
        "released_cents": released_cents(state, order),
        "currency": state["currency"],
        "status": order["status"],
        "payment_status": order["payment_status"],
        "refund_pending": order.get("refund_pending", False),
        "refund_id": order.get("refund_id"),
        "refunded_cents": order.get("refunded_cents", 0),
        "refunds": [{k: r[k] for k in PROJECTED_REFUND_FIELDS} for r in order.get("refunds") or []],
        "commission_bps": order.get("commission_bps"),
        "payout": order.get("payout"),
        "fee_cents": order.get("fee_cents", 0),
        "fulfilment": order.get("fulfilment"),
        "cancel_reason": order.get("cancel_reason"),
        "shipping_address": state["shipping_address"],
        "history": order["history"],
        "created_at": order["created_at"],
        "updated_at": order["updated_at"],
        "expires_at": state["expires_at"],
        "confirmed_at": order.get("confirmed_at"),
        "captured_at": order.get("captured_at"),
        "payment_error": (state.get("decline") or {}).get("message") if pending else None,
        "seller_visible": order.get("confirmed_at") is not None,
        "sold_lines": sold_lines(order),
        "k_created": sort_key_time(order["created_at"], order_id),
        "v": state["version"],
    }
