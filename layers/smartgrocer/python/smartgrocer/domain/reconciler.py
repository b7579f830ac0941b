"""The reconciler (scheduled in AWS, periodic in the local runner): finishes every half-done money
operation and checks the integrity invariants, logging and counting whatever it had to repair.

- checkouts a crash left in `reserving`/`creating_payment` are closed, releasing what they held;
- checkouts whose payment window passed are expired;
- authorised checkouts at their capture deadline capture what is packed and cancel the rest;
- stock a packing held but never recorded (an interrupted pack request) goes back on the shelf once
  its order is no longer waiting to be packed;
- effects still pending in a checkout's outbox (a crash after the write, a provider or bus outage)
  are applied again (each is idempotent);
- orders still shown as awaiting payment after their window are re-projected from their checkout;
- products a write left with search postings behind their terms (`search_pending`: a crash between
  the product and its postings) are posted (`catalog.repair_search`);
- per product, `stock + held + sold == received` is checked, and per settled checkout that its
  money adds up (`checkout_machine.ledger_problems`: captured = transfers - reversals + commission
  - commission given back + refunds); violations are reported and alarmed, never "fixed" by guessing.
  Transfers and reversals that failed are pending effects like any other: retried here.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from smartgrocer.domain import checkout_machine as machine
from smartgrocer.domain import metrics as business_metrics
from smartgrocer.domain import ports
from smartgrocer.domain.catalog import repair_search
from smartgrocer.domain.checkout_ports import CheckoutRepository, OrderRepository, StockRepository
from smartgrocer.domain.orders import apply_effects, execute, now
from smartgrocer.domain.payouts import ledger_violations

STALE_BUILD = timedelta(minutes=2)  # a checkout still being placed after this was interrupted
OUTBOX_GRACE_SECONDS = 30.0  # effects younger than this are still being applied by their request
BATCH = 200


def reconcile(at: datetime | None = None, outbox_grace: float = OUTBOX_GRACE_SECONDS) -> dict:
    at = at or now()
    checkouts, orders = ports.resolve(CheckoutRepository), ports.resolve(OrderRepository)
    report = {
        "interrupted_closed": 0,
        "expired_checkouts": 0,
        "captured_at_deadline": 0,
        "pack_holds_released": 0,
        "effects_applied": 0,
        "orders_reprojected": 0,
        "stock_violations": 0,
    }
    for checkout_id in checkouts.stale_builds(at - STALE_BUILD, BATCH):
        if execute(checkout_id, machine.Abandon("interrupted"), at).changed:
            report["interrupted_closed"] += 1
    for checkout_id in checkouts.expired(at, BATCH):
        if execute(checkout_id, machine.Expire(), at).changed:
            report["expired_checkouts"] += 1
    for checkout_id in checkouts.capture_due(at, BATCH):
        if execute(checkout_id, machine.CaptureDeadline(), at).changed:
            report["captured_at_deadline"] += 1
    # Effects are stamped with wall time (epoch seconds) when written; `at` may be a test's future clock.
    cutoff = time.time() - outbox_grace + max(0.0, (at - now()).total_seconds())
    for checkout_id in checkouts.with_pending_effects(cutoff, BATCH):
        state = checkouts.load(checkout_id)
        if state is not None:
            report["effects_applied"] += apply_effects(state)
    for order in orders.waiting_past(at, BATCH):
        state = checkouts.load(order["checkout_id"])
        if state is None or order["_id"] not in state["orders"]:
            continue
        view = machine.order_view(state, order["_id"])
        if view["status"] != order["status"] or view["v"] != order.get("v"):
            orders.project(view)
            report["orders_reprojected"] += 1
    report["pack_holds_released"] = release_orphan_pack_holds()
    report["search_postings_repaired"] = repair_search()
    report["stock_violations"] = len(stock_violations())
    report["window_violations"] = len(window_violations())
    money = ledger_violations(at)
    report["ledger_violations"] = len(money)
    report["repairs"] = sum(v for k, v in report.items() if not k.endswith("_violations"))
    if report["repairs"] or report["stock_violations"] or report["window_violations"] or money:
        from smartgrocer.web.logging import logger

        # Counted by the stack's metric filter: repairs are expected after crashes, violations never.
        logger.warning("reconciler repaired state", extra={"reconciler": report})
    for violation in money:
        business_metrics.count(business_metrics.LEDGER_MISMATCHES)
        logger.error("a checkout's money does not add up", extra={"alarm": "ledger_mismatch", **violation})
    return report


def stock_violations(limit: int = 5000) -> list[str]:
    """Products whose accounting does not add up: `stock + held + sold == received`, nothing negative."""
    problems = []
    for product in ports.resolve(StockRepository).ledgers(limit):
        if "received" not in product:
            continue  # listed before stock accounting existed
        held = sum((product.get("reservations") or {}).values())
        sold = product.get("sold", 0)
        if product["stock"] < 0 or sold < 0:
            problems.append(f"{product['_id']}: negative stock {product['stock']} or sold {sold}")
        if product["stock"] + held + sold != product["received"]:
            problems.append(
                f"{product['_id']}: stock {product['stock']} + held {held} + sold {sold} "
                f"!= received {product['received']}"
            )
    return problems


def window_violations(limit: int = 2000) -> list[dict]:
    """Windows whose places taken differ from the live orders holding them (`fulfilment.capacity_violations`).
    A place whose order is on its way out (a cancelled order's release still pending, a checkout still
    being placed) is counted as live: it is in flight, not lost."""
    from smartgrocer.domain import fulfilment
    from smartgrocer.domain.checkout_ports import WindowRepository

    checkouts = ports.resolve(CheckoutRepository)
    taken: dict[str, int] = {}
    live: dict[str, int] = {}
    for window in ports.resolve(WindowRepository).ledgers(limit):
        key = window["_id"]
        taken[key] = int(window.get("taken", 0))
        for holder in window.get("holders") or {}:
            state = checkouts.load(holder) or {}
            order = next(
                (
                    o
                    for o in (state.get("orders") or {}).values()
                    if (o.get("fulfilment") or {}).get("window_key") == key
                ),
                None,
            )
            in_flight = state.get("status") in ("reserving", "creating_payment") or (
                f"release_window:{key}" in (state.get("outbox") or {})
            )
            if order is not None and (fulfilment.holds_window(order["status"]) or in_flight):
                live[key] = live.get(key, 0) + 1
    return fulfilment.capacity_violations(taken, live)


def release_orphan_pack_holds(limit: int = 5000) -> int:
    """A pack request holds substitutes and extra weight (under its own attempt's name) before it
    records the packing; if it died in between, the hold stays. Once its order is packed or cancelled
    and no pending effect will commit that hold, it goes back on the shelf."""
    stock, checkouts, orders = (
        ports.resolve(StockRepository),
        ports.resolve(CheckoutRepository),
        ports.resolve(OrderRepository),
    )
    released = 0
    for product in stock.ledgers(limit):
        for holder, amount in (product.get("reservations") or {}).items():
            order_id = machine.pack_hold_order(holder)
            if order_id is None:
                continue
            order = orders.get(order_id)
            state = checkouts.load(order["checkout_id"]) if order else None
            if order is not None and state is not None:
                if state["orders"][order["_id"]]["status"] == "confirmed":
                    continue  # the seller may still be packing it
                if f"commit:{holder}:{product['_id']}" in state.get("outbox", {}):
                    continue  # the packing was recorded; its commit is on the way
            stock.release(product["_id"], amount, holder)
            released += 1
    return released
