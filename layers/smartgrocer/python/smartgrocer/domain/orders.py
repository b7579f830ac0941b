"""Checkouts and orders, the money core's shell: load a checkout, let the pure machine
(`checkout_machine`) decide, save with a compare-and-set, then apply the effects it wrote into the
checkout's outbox.

Placement is a sequence of idempotent steps whose next step follows from the stored status:
`reserving` (stock taken line by line, each one conditional update that also marks the hold in the
product) -> `creating_payment` (one PaymentIntent, idempotency key derived from the checkout) ->
`pending_payment`. A crash anywhere leaves a checkout the reconciler can see and close, releasing
whatever it held. From then on every change is one command through `execute`.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta
from typing import cast

from smartgrocer import settings
from smartgrocer.domain import checkout_machine as machine
from smartgrocer.domain import metrics as business_metrics
from smartgrocer.domain import order_numbers, ports
from smartgrocer.domain.checkout_ports import CheckoutRepository, OrderRepository, PaymentEventLog, StockRepository
from smartgrocer.domain.counts import item_count
from smartgrocer.domain.ids import new_id
from smartgrocer.errors import Conflict, Invalid, NotFound, Unavailable
from smartgrocer.money import format_amount

SAVE_ATTEMPTS = 8  # compare-and-set retries under contention (every retry re-decides on fresh state)


def now() -> datetime:
    return datetime.now(UTC)


def _checkouts() -> CheckoutRepository:
    return ports.resolve(CheckoutRepository)


def _orders() -> OrderRepository:
    return ports.resolve(OrderRepository)


def _stock() -> StockRepository:
    return ports.resolve(StockRepository)


def _gateway():
    from smartgrocer.domain.payments import PaymentGateway

    return ports.resolve(PaymentGateway)


# -- commands --------------------------------------------------------------------------------------


def execute(
    checkout_id: str, command, at: datetime | None = None, *, completes: str | None = None, dispatch: bool = True
) -> machine.Decision:
    """Decide on the stored state and save the result; domain errors (409, 404) change nothing.
    `completes` names an outbox effect whose result this command records: it leaves the outbox in
    the same write, so the effect counts as done exactly when its result is stored."""
    for _ in range(SAVE_ATTEMPTS):
        state = _checkouts().load(checkout_id)
        if state is None:
            raise NotFound("No such checkout.")
        decision = machine.decide(state, command, at or now())
        if not decision.changed and completes not in state.get("outbox", {}):
            return decision
        new = decision.state
        new["version"] = state["version"] + 1
        new["outbox"] = {**new.get("outbox", {}), **{e.key: machine.effect_to_doc(e) for e in decision.effects}}
        new["outbox"].pop(completes, None)
        new["outbox_pending"] = bool(new["outbox"])
        if new["outbox"]:
            new["outbox_at"] = time.time()
        if _checkouts().save(new, state["version"]):
            business_metrics.checkout_outcome(decision.outcome, new)
            if dispatch:
                apply_effects(new)
            return decision
    raise Conflict("The order changed meanwhile; reload it and try again.", code="concurrent_update")


def apply_effects(state: dict) -> int:
    """Apply the checkout's pending effects; what fails stays pending for the reconciler.
    Returns how many were applied."""
    applied, failed = 0, False
    for _ in range(4):  # an effect's result (a refund id) may add effects (projections): bounded rounds
        pending = sorted(
            state.get("outbox", {}).items(), key=lambda item: (machine.APPLY_ORDER.index(item[1]["kind"]), item[0])
        )
        followed = False
        for key, doc in pending:
            try:
                follow_up = _apply(state, machine.effect_from_doc(doc))
                if follow_up is None:
                    _checkouts().effect_done(state["_id"], key)
                else:  # its result and its completion are one write
                    execute(state["_id"], follow_up, completes=key, dispatch=False)
                    followed = True
            except Exception:  # noqa: BLE001 - a failed effect stays in the outbox; the reconciler retries it
                from smartgrocer.web.logging import logger

                logger.exception(
                    "effect failed; left for the reconciler", extra={"checkout_id": state["_id"], "effect": key}
                )
                failed = True
                continue
            applied += 1
        if not followed:  # a failed effect stays for the reconciler; what followed a result still gets applied
            break
        state = cast(dict, _checkouts().load(state["_id"]))  # it was just saved
    if not failed:
        _checkouts().settle(state["_id"], state["version"])
    return applied


def _apply(state: dict, effect):
    checkout_id = state["_id"]
    if isinstance(effect, machine.ReleaseStock):
        _stock().release(effect.product_id, effect.quantity, checkout_id)
    elif isinstance(effect, machine.CommitStock):
        _stock().commit(effect.product_id, effect.quantity, effect.holder or checkout_id)
    elif isinstance(effect, machine.Restock):
        _stock().restock(effect.product_id, effect.quantity, effect.marker)
    elif isinstance(effect, machine.ReleaseWindow):
        from smartgrocer.domain.checkout_ports import WindowRepository

        ports.resolve(WindowRepository).release(effect.window_key, checkout_id)
    elif isinstance(effect, machine.ProjectOrder):
        _orders().project(machine.order_view(state, effect.order_id))
    elif isinstance(effect, machine.CancelPayment):
        _gateway().cancel(effect.intent_id)
    elif isinstance(effect, machine.CapturePayment):
        charge_id = _gateway().capture(effect.intent_id, effect.amount_cents, f"capture-{checkout_id}")
        return machine.PaymentCaptured(effect.amount_cents, state["currency"], charge_id or "")
    elif isinstance(effect, machine.Refund):
        suffix = f"-{effect.number}" if effect.number else ""
        refund_id = _gateway().refund(
            state["payment_intent_id"], effect.amount_cents, f"refund-{checkout_id}-{effect.target}{suffix}"
        )
        return machine.RefundIssued(effect.target, refund_id, effect.number)
    elif isinstance(effect, machine.Transfer):
        charge_id = state.get("charge_id") or _fresh(checkout_id).get("charge_id")
        if not charge_id:  # the capture's answer is not stored yet: try again later
            raise Unavailable("The captured charge is not known yet.")
        transfer_id = _gateway().transfer(
            effect.account_id,
            effect.amount_cents,
            state["currency"],
            charge_id,
            checkout_id,
            f"transfer-{effect.order_id}",
        )
        return machine.TransferMade(effect.order_id, transfer_id)
    elif isinstance(effect, machine.ReverseTransfer):
        payout = state["orders"][effect.order_id].get("payout") or {}
        transfer_id = payout.get("transfer_id") or (_fresh(checkout_id)["orders"][effect.order_id]["payout"] or {}).get(
            "transfer_id"
        )
        if not transfer_id:  # the transfer is not made yet (or failed): the reversal waits for it
            raise Unavailable("The seller's transfer is not made yet.")
        reversal_id = _gateway().reverse_transfer(
            transfer_id, effect.amount_cents, f"reverse-{effect.order_id}-{effect.number}"
        )
        return machine.TransferReversed(effect.order_id, effect.number, reversal_id)
    elif isinstance(effect, machine.Publish):
        from smartgrocer.domain.events import publish

        detail = {"order_id": effect.order_id, "event_key": f"{checkout_id}/{effect.key}"}
        if effect.status:
            detail.update(status=effect.status, previous=effect.previous)
        publish("smartgrocer.orders", effect.detail_type, detail)
    elif isinstance(effect, machine.Alarm):
        from smartgrocer.web.logging import logger

        # An error-level line with a metric name: the stack's metric filter counts it and alarms.
        logger.error(effect.message, extra={"alarm": effect.code, **effect.details})
    return None


def _fresh(checkout_id: str) -> dict:
    """The stored checkout, for an effect that needs the result of one applied just before it."""
    return cast(dict, _checkouts().load(checkout_id))


# -- placing a checkout ----------------------------------------------------------------------------


def _merge_lines(items: list[dict]) -> dict[str, dict]:
    """One line per product: amounts added up; substitutes allowed only if every line allowed them."""
    merged: dict[str, dict] = {}
    for item in items:
        line = merged.setdefault(item["product_id"], {"product_id": item["product_id"], "substitution": "similar"})
        for key in ("quantity", "weight_g"):
            if item.get(key) is not None:
                line[key] = line.get(key, 0) + item[key]
        if item.get("substitution", "none") != "similar":
            line["substitution"] = "none"
    return merged


def _basket_problems(lines: dict[str, dict], products: dict[str, dict]) -> list[dict]:
    """Lines that do not fit how their product is sold: by weight (min and step in grams) or by unit."""
    from smartgrocer.domain.weights import is_weighed, validate_weight

    problems = []
    for pid, line in lines.items():
        product = products[pid]
        message: str | None
        if is_weighed(product):
            message = (
                validate_weight(product, line["weight_g"])
                if "weight_g" in line and "quantity" not in line
                else (f"{product['name']} is sold by weight: give weight_g in grams.")
            )
        elif line.get("quantity") is None or line.get("weight_g") is not None:
            message = f"{product['name']} is sold by the item: give a quantity."
        else:
            message = f"At most 100 of {product['name']} per order." if line["quantity"] > 100 else None
        if message:
            problems.append({"product_id": pid, "name": product["name"], "message": message})
    return problems


def _short(product_id: str, name: str | None, requested: int, available: int | None, reason: str) -> dict:
    return {"product_id": product_id, "name": name, "requested": requested, "available": available, "reason": reason}


# A retry with the same Idempotency-Key finds the checkout its first attempt wrote (the id derives
# from the key) and carries it on from its stored status, instead of holding the stock twice.
# A checkout closed before it reached payment (short stock, provider down, interrupted) may be
# started again under the next derived id.
RESTARTABLE = frozenset({"rejected", "payment_provider_error", "interrupted"})
MAX_ATTEMPTS_PER_KEY = 8


def _candidate_ids(user_id: str, idempotency_key: str | None):
    if idempotency_key is None:
        yield new_id()
        return
    for attempt in range(MAX_ATTEMPTS_PER_KEY):
        yield hashlib.sha256(f"{user_id}\n{idempotency_key}\n{attempt}".encode()).hexdigest()[:24]


def place_checkout(
    principal,
    items: list[dict],
    shipping_address: dict,
    idempotency_key: str | None = None,
    fulfilment: dict[str, dict] | None = None,
) -> dict:
    """Reserve every line (and each seller's window) or none, one order per seller, then ask for one
    payment. `fulfilment` is `{seller_id: {method, slot_id}}` for the sellers that offer windows."""
    lines = _merge_lines(items)
    for checkout_id in _candidate_ids(principal.user_id, idempotency_key):
        state = _checkouts().load(checkout_id)
        if state is None:
            state = _new_checkout(principal, checkout_id, lines, shipping_address, fulfilment or {})
            _claim_numbers(state)
            if not _checkouts().insert(state):  # a twin request wrote it first: carry that one on
                state = cast(dict, _checkouts().load(checkout_id))
        if state["status"] == "closed" and state.get("close_reason") in RESTARTABLE:
            continue
        return _carry_on(principal, state)
    raise Conflict("This checkout was retried too often; start a new one.", code="too_many_attempts")


def _new_checkout(
    principal, checkout_id: str, lines: dict[str, dict], shipping_address: dict, choices: dict[str, dict]
) -> dict:
    products = _stock().active_products(list(lines))
    unavailable = [
        _short(pid, None, line.get("quantity") or line.get("weight_g") or 0, 0, "unavailable")
        for pid, line in lines.items()
        if pid not in products
    ]
    if unavailable:
        raise Conflict("Some products are no longer available.", code="out_of_stock", details=unavailable)
    problems = _basket_problems(lines, products)
    if problems:
        raise Invalid(problems[0]["message"], code="invalid_basket", details=problems)
    at = now()
    sellers = {products[pid]["seller_id"] for pid in lines}
    from smartgrocer.domain import sellers as payees

    # Before anything is held: a seller who cannot be paid yet is a 409 naming them, with nothing reserved.
    names = {products[pid]["seller_id"]: products[pid].get("seller_name", "") for pid in lines}
    terms = payees.payout_terms(sorted(sellers), names)
    windows = _chosen_windows(lines, products, names, choices, at)
    return machine.new_checkout(
        checkout_id=checkout_id,
        order_ids=[new_id() for _ in sellers],
        user_id=principal.user_id,
        buyer_email=principal.email,
        lines=list(lines.values()),
        products=products,
        shipping_address=shipping_address,
        currency=settings.CURRENCY,
        at=at,
        expires_at=at + timedelta(seconds=settings.ORDER_PAYMENT_TTL_SECONDS),
        payees=terms,
        fulfilment=windows,
        order_numbers=[order_numbers.new_number() for _ in sellers],
    )


def _claim_numbers(state: dict) -> None:
    """Make each order's number its own before the checkout is written (that write is what a retry finds
    and carries on, numbers included); a number another order has is drawn again."""
    from smartgrocer.domain.checkout_ports import OrderNumberRegistry

    registry = ports.resolve(OrderNumberRegistry)
    for order_id, order in sorted(state["orders"].items()):
        for _ in range(order_numbers.CLAIM_ATTEMPTS):
            if registry.claim(order["number"], state["_id"], order_id):
                break
            order["number"] = order_numbers.new_number()
        else:
            raise Unavailable("We could not number your order just now; please try again.")


def _chosen_windows(
    lines: dict[str, dict], products: dict[str, dict], names: dict[str, str], choices: dict[str, dict], at: datetime
) -> dict[str, dict]:
    """Each seller's window (and its fee) from the shopper's choices, checked against the seller's
    settings now: 422 naming the seller when a choice is missing, unknown, past its cut-off or the
    order is under the seller's minimum. A seller without settings arranges delivery themselves."""
    from smartgrocer.domain import fulfilment
    from smartgrocer.domain.checkout_ports import SellerRepository
    from smartgrocer.domain.pricing import line_cost

    goods: dict[str, int] = {}
    for pid, line in lines.items():
        product = products[pid]
        sold_by = product.get("sold_by", "unit")
        amount = line["weight_g"] if sold_by == "weight" else line["quantity"]
        goods[product["seller_id"]] = goods.get(product["seller_id"], 0) + line_cost(
            product["price_cents"], sold_by, amount
        )
    strangers = sorted(set(choices) - set(goods))
    if strangers:
        raise Invalid(
            "A delivery choice names a seller who has nothing in this basket.",
            code="invalid_fulfilment",
            details={"seller_ids": strangers},
        )
    docs = ports.resolve(SellerRepository).many(sorted(goods))
    chosen: dict[str, dict] = {}
    for seller_id in sorted(goods):
        settings_ = (docs.get(seller_id) or {}).get("fulfilment")
        name = names.get(seller_id) or "This seller"
        choice = choices.get(seller_id)
        if not settings_:
            if choice:
                raise Invalid(
                    f"{name} arranges delivery themselves and has no windows to choose from.",
                    code="method_not_offered",
                    details={"seller_id": seller_id},
                )
            continue
        if not choice:
            raise fulfilment.fulfilment_missing(seller_id, name)
        try:
            window = fulfilment.resolve_window(settings_, choice.get("slot_id"), at, seller_name=name)
        except Invalid as refused:  # the client shows it next to the seller it names
            refused.details = {**(refused.details or {}), "seller_id": seller_id}
            raise
        method = window["method"]
        shortfall = fulfilment.minimum_shortfall_cents(settings_, method, goods[seller_id])
        if shortfall:
            minimum = (settings_.get(method) or {}).get("min_order_cents") or 0
            raise fulfilment.below_minimum(seller_id, name, method, shortfall, minimum)
        chosen[seller_id] = {
            "method": method,
            "slot_id": window["slot_id"],
            "start": window["start"],
            "end": window["end"],
            "local_date": window["local_date"],
            "local_start": window["local_start"],
            "local_end": window["local_end"],
            "cutoff_at": window["cutoff_at"],
            "label": fulfilment.window_label(window),
            "address": (settings_.get("pickup") or {}).get("address") if method == "pickup" else None,
            "window_key": fulfilment.capacity_key(seller_id, window["slot_id"]),
            "capacity": window["capacity"],
            "fee_cents": fulfilment.delivery_fee_cents(settings_, method, goods[seller_id]),
        }
    return chosen


def _carry_on(principal, state: dict) -> dict:
    """The next placement steps from the stored status; each step is safe to repeat."""
    checkout_id = state["_id"]
    if state["status"] == "reserving":
        short = []
        for line in state["lines"]:
            if not _stock().reserve(line["product_id"], line["quantity"], checkout_id):
                available = _stock().available(line["product_id"])
                name = next(
                    i["name"]
                    for o in state["orders"].values()
                    for i in o["items"]
                    if i["product_id"] == line["product_id"]
                )
                short.append(
                    _short(
                        line["product_id"],
                        name,
                        line["quantity"],
                        available,
                        "insufficient_stock" if available else "out_of_stock",
                    )
                )
        if short:
            execute(checkout_id, machine.Abandon("rejected"))
            raise Conflict(
                f"Not enough stock for: {', '.join(s['name'] for s in short)}.", code="out_of_stock", details=short
            )
        _reserve_windows(state)
        state = execute(checkout_id, machine.ReservationsTaken()).state
    from smartgrocer.domain.payments import PaymentProviderError

    try:
        if state["status"] == "creating_payment":
            intent = _gateway().create_payment_intent(
                state["amount_cents"], state["currency"], checkout_id, f"checkout-{checkout_id}"
            )
            state = execute(checkout_id, machine.PaymentRequested(intent.id)).state
            client_secret = intent.client_secret
        elif state["status"] not in ("closed", "reserving"):
            client_secret = _gateway().client_secret(state["payment_intent_id"])
        else:
            raise Conflict(
                "This checkout is closed; start a new one.",
                code="checkout_closed",
                details={"reason": state.get("close_reason")},
            )
    except PaymentProviderError:
        execute(checkout_id, machine.Abandon("payment_provider_error"))
        raise Unavailable(
            "The payment provider is not responding. Nothing was charged; please try again.",
            code="payment_provider_unavailable",
            retry_after=5,
        ) from None
    return {
        "checkout_id": checkout_id,
        "orders": [public_order(machine.order_view(state, oid), principal) for oid in sorted(state["orders"])],
        "payment": _payment_info(state, client_secret),
    }


def _reserve_windows(state: dict) -> None:
    """One place per seller's window, like stock: one conditional update each, marked by the checkout.
    A full window closes the checkout (giving back its stock and places) with a 409 naming it."""
    from smartgrocer.domain import fulfilment
    from smartgrocer.domain.checkout_ports import WindowRepository

    for order in sorted(state["orders"].values(), key=lambda o: o["seller_id"]):
        chosen = order.get("fulfilment")
        if not chosen:
            continue
        window = {k: chosen[k] for k in ("slot_id", "start", "end")}
        taken = ports.resolve(WindowRepository).reserve(
            chosen["window_key"], {"seller_id": order["seller_id"], **window}, chosen["capacity"], state["_id"]
        )
        if not taken:
            execute(state["_id"], machine.Abandon("rejected"))
            raise fulfilment.window_full(order["seller_id"], order["seller_name"], cast(fulfilment.Window, chosen))


def _payment_info(state: dict, client_secret: str) -> dict:
    gateway = _gateway()
    return {
        "provider": gateway.provider,
        "client_secret": client_secret,
        "amount": format_amount(state["amount_cents"]),
        "estimated_total": format_amount(state["estimated_cents"]),
        "capture": "manual",
        "currency": state["currency"],
        "publishable_key": gateway.publishable_key,
    }


def checkout_view(principal, checkout_id: str) -> dict:
    """The buyer's checkout: its orders, and while it awaits payment, what the payment page needs to
    resume the same payment (after a decline, or from another tab)."""
    state = _checkouts().load(checkout_id)
    if state is None or state["user_id"] != principal.user_id or state["status"] in ("reserving", "creating_payment"):
        raise NotFound("No such checkout.")
    payment = None
    if state["status"] == "pending_payment" and now() < state["expires_at"]:
        payment = _payment_info(state, _gateway().client_secret(state["payment_intent_id"]))
    return {
        "checkout_id": checkout_id,
        "status": state["status"],
        "amount": format_amount(state["amount_cents"]),
        "estimated_total": format_amount(state["estimated_cents"]),
        "captured": format_amount((state.get("capture") or {}).get("amount_cents", 0))
        if (state.get("capture") or {}).get("captured_at")
        else None,
        "currency": state["currency"],
        "expires_at": state["expires_at"],
        "payment_error": (state.get("decline") or {}).get("message") if payment else None,
        "orders": [public_order(machine.order_view(state, oid), principal) for oid in sorted(state["orders"])],
        "payment": payment,
    }


# -- orders: reading and moving --------------------------------------------------------------------


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _relations(principal, order: dict) -> frozenset[str]:
    relations = set()
    if order["user_id"] == principal.user_id:
        relations.add("buyer")
    if order["seller_id"] == principal.user_id and order.get("seller_visible", True):
        relations.add("seller")
    if principal.role == "admin":
        relations.add("admin")
    return frozenset(relations)


def _amount_or_none(cents: int | None) -> str | None:
    return None if cents is None else format_amount(cents)


def _public_line(item: dict) -> dict:
    packed, sub = item.get("packed"), item.get("substitute")
    return {
        "line_id": item.get("line_id", item["product_id"]),
        "product_id": item["product_id"],
        "name": item["name"],
        "unit": item["unit"],
        "sold_by": item.get("sold_by", "unit"),
        "unit_price": format_amount(item["unit_price_cents"]),
        "quantity": item.get("quantity"),
        "weight_g": item.get("weight_g"),
        "substitution": item.get("substitution", "none"),
        "line_total": format_amount(item["line_total_cents"]),
        "packed_quantity": packed.get("quantity") if packed else None,
        "packed_weight_g": packed.get("weight_g") if packed else None,
        "substitute": None
        if not sub
        else {
            "product_id": sub["product_id"],
            "name": sub["name"],
            "unit": sub["unit"],
            "unit_price": format_amount(sub["unit_price_cents"]),
            "quantity": sub.get("quantity"),
            "weight_g": sub.get("weight_g"),
            "line_total": format_amount(sub["cents"]),
        },
        "final_total": _amount_or_none(item.get("final_cents")),
    }


def public_order(doc: dict, principal=None) -> dict:
    history = sorted(
        (
            {"status": status, "at": _aware(entry["at"]), "by": entry["by"]}
            for status, entry in (doc.get("history") or {}).items()
        ),
        key=lambda h: h["at"],
    )
    pending = doc["status"] == "pending_payment"
    relations = _relations(principal, doc) if principal else frozenset()
    refundable = _refundable_by(doc, relations)
    return {
        "id": doc["_id"],
        "number": doc.get("number") or "",  # every order has one once the backfill (`indexes.py`) ran
        "checkout_id": doc["checkout_id"],
        "user_id": doc["user_id"],
        "seller_id": doc["seller_id"],
        "seller_name": doc.get("seller_name", ""),
        "items": [_public_line(i) for i in doc["items"]],
        "item_count": item_count(doc["items"]),
        "total": format_amount(doc["total_cents"]),
        "estimated_total": format_amount(doc.get("estimated_cents", doc["total_cents"])),
        "authorized_amount": format_amount(doc.get("authorized_cents", doc["total_cents"])),
        "final_total": _amount_or_none(doc.get("final_cents")),
        "released": _amount_or_none(doc.get("released_cents")),
        "currency": doc["currency"],
        "status": doc["status"],
        "payment_status": doc["payment_status"],
        "shipping_address": doc["shipping_address"],
        "status_history": history,
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "expires_at": doc.get("expires_at") if pending else None,
        "payment_error": doc.get("payment_error") if pending else None,
        "allowed_transitions": machine.allowed_transitions(doc, relations) if principal else [],
        "refunded": format_amount(doc.get("refunded_cents", 0)),
        "refundable": format_amount(refundable) if refundable is not None else None,
        "refunds": [
            {
                "number": r["number"],
                "amount": format_amount(r["amount_cents"]),
                "reason": r["reason"],
                "at": _aware(r["at"]),
                "status": "refunded" if r.get("refund_id") else "pending",
            }
            for r in doc.get("refunds") or []
        ],
        "payout": _public_payout(doc) if relations & {"seller", "admin"} else None,
        "delivery_fee": format_amount(doc.get("fee_cents", 0)),
        "fulfilment": _public_fulfilment(doc.get("fulfilment")),
    }


def _public_fulfilment(chosen: dict | None) -> dict | None:
    if not chosen:
        return None
    fields = ("method", "slot_id", "local_date", "label", "address")
    return {**{k: chosen.get(k) for k in fields}, "start": _aware(chosen["start"]), "end": _aware(chosen["end"])}


def _refundable_by(doc: dict, relations: frozenset[str]) -> int | None:
    if not relations & {"seller", "admin"} or doc["payment_status"] not in ("captured", "partially_refunded"):
        return None
    return int(doc.get("final_cents") or 0) - int(doc.get("refunded_cents", 0))


def _public_payout(doc: dict) -> dict | None:
    payout = doc.get("payout")
    if not payout:
        return None
    return {
        "gross": format_amount(payout["gross_cents"]),
        "commission": format_amount(payout["commission_cents"] - payout.get("commission_returned_cents", 0)),
        "commission_bps": doc.get("commission_bps") or 0,
        "net": format_amount(payout["net_cents"]),
        "reversed": format_amount(payout["reversed_cents"]),
        "status": payout["status"],
    }


def get_order(principal, order_id: str) -> dict:
    order = _orders().get(order_id)
    if not order or not _relations(principal, order):
        raise NotFound("No such order.")
    return public_order(order, principal)


def find_by_number(principal, text: str) -> dict:
    """An admin's search by order number, typed as people type it (any case, dashes or not): the order,
    or no items when no order has that number; 422 when the text cannot be an order number."""
    number = order_numbers.parse(text)
    if number is None:
        raise Invalid(
            f"That is not an order number: they look like {order_numbers.EXAMPLE}.", code="invalid_order_number"
        )
    doc = _orders().by_number(number)
    return {"items": [public_order(doc, principal)] if doc else [], "next_cursor": None}


def _listing_query(
    user_id: str | None, seller_id: str | None, status: str | None, slot_date: str | None, slot_id: str | None
) -> dict:
    query: dict = {}
    if user_id:
        query["user_id"] = user_id
    if seller_id:  # a seller sees an order once it is paid, never the failed or abandoned attempts
        query.update(seller_id=seller_id, seller_visible=True)
    if status:
        query["status"] = status
    if slot_id:  # a window is on one day: the day keeps the read on the index `seller_window_newest`
        from smartgrocer.domain.fulfilment import parse_slot_id

        query["fulfilment.slot_id"] = slot_id
        query["fulfilment.local_date"] = parse_slot_id(slot_id)[1].isoformat()
    if slot_date:  # the day of the window, in the seller's time zone (YYYY-MM-DD)
        query["fulfilment.local_date"] = slot_date
    return query


def list_orders(
    principal,
    *,
    user_id: str | None = None,
    seller_id: str | None = None,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    kind: str,
    slot_date: str | None = None,
    slot_id: str | None = None,
) -> dict:
    from smartgrocer.domain.ids import decode_cursor

    query = _listing_query(user_id, seller_id, status, slot_date, slot_id)
    after = decode_cursor(cursor, kind) if cursor else None
    docs, next_cursor = _orders().page(query, limit, after, kind)
    return {"items": [public_order(d, principal) for d in docs], "next_cursor": next_cursor}


# The statuses a seller's orders can be in (they see an order once it is paid). Each is counted on the
# index `seller_paid_status_newest` (or, for one window's day, `seller_window_newest`) and no further than
# COUNT_LIMIT: open work stays far below it, and the ever-growing delivered and cancelled piles cost at most
# that many index entries each, however long the seller has been selling.
SELLER_COUNTED = ("confirmed", "packed", "out_for_delivery", "delivered", "cancelled")
COUNT_LIMIT = 1000


def seller_order_counts(seller_id: str, *, slot_date: str | None = None, slot_id: str | None = None) -> dict:
    """`{by_status: [{status, count}], limit}` for the seller's own orders (in the window or on the day,
    when given)."""
    counts = []
    for status in SELLER_COUNTED:
        query = _listing_query(None, seller_id, status, slot_date, slot_id)
        counts.append({"status": status, "count": _orders().count(query, COUNT_LIMIT)})
    return {"by_status": counts, "limit": COUNT_LIMIT}


def seller_orders(
    principal,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
    slot_date: str | None = None,
    slot_id: str | None = None,
) -> dict:
    """The seller's own orders, newest first; the first page also counts them per status (same window
    filter, whatever the status filter), so every tab can say how many it holds."""
    window = f":{slot_date or ''}:{slot_id or ''}" if slot_date or slot_id else ""  # a cursor serves one listing
    page = list_orders(
        principal,
        seller_id=principal.user_id,
        status=status,
        limit=limit,
        cursor=cursor,
        kind=f"seller:{status or 'all'}{window}",
        slot_date=slot_date,
        slot_id=slot_id,
    )
    counts = None if cursor else seller_order_counts(principal.user_id, slot_date=slot_date, slot_id=slot_id)
    return {**page, "counts": counts}


def change_status(principal, order_id: str, target: str) -> dict:
    order = _orders().get(order_id)
    relations = _relations(principal, order) if order else frozenset()
    if order is None or not relations:  # no order, no relations
        raise NotFound("No such order.")
    command: machine.CancelOrder | machine.AdvanceOrder
    if target == "cancelled":
        command = machine.CancelOrder(order_id, relations, principal.user_id)
    else:
        command = machine.AdvanceOrder(order_id, target, relations, principal.user_id)
    execute(order["checkout_id"], command)
    return public_order(cast(dict, _orders().get(order_id)), principal)  # as projected, follow-ups (refunds) included


def refund_order(principal, order_id: str, amount_cents: int, reason: str, request_id: str | None = None) -> dict:
    """Give the shopper back part or all of a captured order; the seller's transfer is reversed by
    their share and the platform gives back its commission on it (`checkout_machine`)."""
    doc = _orders().get(order_id)
    if doc is None:
        raise NotFound("No such order.")
    relations = _relations(principal, doc)
    if not relations:
        raise NotFound("No such order.")  # another seller's or shopper's order does not exist for this caller
    command = machine.RefundOrder(
        order_id, amount_cents, reason, relations, principal.user_id, (request_id or "")[:128]
    )
    execute(doc["checkout_id"], command)
    return get_order(principal, order_id)


def pack_order(principal, order_id: str, lines: list[dict]) -> dict:
    """The seller's packing list: checked and priced by the machine before any stock moves; what it
    takes beyond the order (substitutes, extra weight) is held first, one conditional update per
    product (409 when short), then the packing is recorded and the holds become sales."""
    order = _orders().get(order_id)
    relations = _relations(principal, order) if order else frozenset()
    if order is None or not relations:
        raise NotFound("No such order.")
    state = _checkouts().load(order["checkout_id"])
    if state is None or order_id not in state["orders"]:
        raise NotFound("No such order.")
    wanted = sorted({str(s["product_id"]) for line in lines if (s := line.get("substitute"))})
    substitutes = _stock().active_products(wanted) if wanted else {}
    attempt = new_id()[:12]
    command = machine.PackOrder(order_id, tuple(lines), substitutes, relations, principal.user_id, attempt)
    machine.decide(state, command, now())  # a dry run: a bad list is refused before any stock moves
    plan = machine.plan_packing(state["orders"][order_id], command.lines, substitutes)
    holder = machine.pack_holder(order_id, attempt)
    taken: list[tuple[str, int]] = []
    try:
        for product_id, amount in sorted(plan.takes.items()):
            if not _stock().reserve(product_id, amount, holder):
                name = substitutes.get(product_id, {}).get("name") or product_id
                raise Conflict(
                    f"Not enough {name} in stock for this packing.",
                    code="out_of_stock",
                    details=[_short(product_id, name, amount, _stock().available(product_id), "insufficient_stock")],
                )
            taken.append((product_id, amount))
        execute(order["checkout_id"], command)
    except Exception:
        for product_id, amount in taken:  # nothing was packed by this request: what it held goes back
            _stock().release(product_id, amount, holder)
        raise
    return public_order(cast(dict, _orders().get(order_id)), principal)


# -- payment events --------------------------------------------------------------------------------

HANDLED = {
    "payment_intent.amount_capturable_updated",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
}


def _payment_command(event_type: str, intent: dict):
    currency = str(intent.get("currency") or "")
    if event_type == "payment_intent.amount_capturable_updated":
        return machine.PaymentAuthorized(int(intent.get("amount_capturable") or 0), currency)
    if event_type == "payment_intent.succeeded":
        charge = intent.get("latest_charge")
        return machine.PaymentCaptured(
            int(intent.get("amount_received") or 0), currency, charge if isinstance(charge, str) else ""
        )
    if event_type == "payment_intent.payment_failed":
        error = intent.get("last_payment_error") or {}
        return machine.PaymentFailed(str(error.get("message") or "Your card was declined."))
    return machine.PaymentCanceled()


def handle_payment_event(event: dict) -> dict:
    """A verified provider event: recorded once by id; the machine makes every effect conditional, so
    duplicates and out-of-order deliveries cannot move an order backwards."""
    log = ports.resolve(PaymentEventLog)
    event_id, event_type = cast(str, event.get("id")), event.get("type")
    if log.seen(event_id):
        return {"received": True, "duplicate": True}
    intent = (event.get("data") or {}).get("object") or {}
    checkout_id = (intent.get("metadata") or {}).get("checkout_id")
    outcome = "ignored"
    # Only an intent now waiting to be captured is an authorisation (the capturable amount also
    # changes, to 0, when it is captured or cancelled: those have their own events).
    authorising = event_type != "payment_intent.amount_capturable_updated" or intent.get("status") in (
        None,
        "requires_capture",
    )
    if event_type == "account.updated":  # a seller's payout account: their status, their products listed or not
        from smartgrocer.domain import sellers

        checkout_id = None
        outcome = sellers.account_updated(intent)
    elif event_type in HANDLED and authorising:
        state = _checkouts().load(checkout_id) if isinstance(checkout_id, str) else None
        if state is None or state.get("payment_intent_id") not in (None, intent.get("id")):
            outcome = "unknown_checkout"
        else:
            outcome = execute(cast(str, checkout_id), _payment_command(event_type, intent)).outcome
    # Recorded after the effect: a crash before this line means the retry redoes an idempotent command.
    if not log.record(
        event_id, {"type": event_type, "outcome": outcome, "checkout_id": checkout_id, "received_at": now()}
    ):
        return {"received": True, "duplicate": True}
    return {"received": True, "outcome": outcome}
