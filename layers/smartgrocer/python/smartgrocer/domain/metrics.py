"""Business metrics: a small port, and the one place that says which outcome counts as what.

The domain records counts through `BusinessMetrics` (CloudWatch EMF in functions, see
`adapters.emf_metrics`; nothing is recorded when no implementation is registered, e.g. in unit tests
of the money core that did not ask for one). Metric names are the dashboard's and the alarms'.
"""

from __future__ import annotations

from typing import Protocol

from smartgrocer.domain import ports

ORDERS_PLACED = "OrdersPlaced"  # per-seller orders of a checkout that reached payment
AMOUNT_AUTHORISED = "AmountAuthorisedCents"  # the checkout amount, when the card was authorised
AMOUNT_CAPTURED = "AmountCapturedCents"  # the packed total, when it was captured
PAYMENT_FAILURES = "PaymentFailures"  # declined payments
STOCK_CONFLICTS = "StockConflicts"  # 409 out_of_stock answers
LOGIN_LOCKOUTS = "LoginLockouts"  # 429 answers to a login
RECONCILER_REPAIRS = "ReconcilerRepairs"  # money state the reconciler had to finish or close
AMOUNT_TRANSFERRED = "AmountTransferredCents"  # paid out to sellers (net of commission)
AMOUNT_REFUNDED = "AmountRefundedCents"  # given back to shoppers after capture
LEDGER_MISMATCHES = "LedgerMismatches"  # settled checkouts whose money does not add up (alarmed)

BUSINESS_METRICS = (
    ORDERS_PLACED,
    AMOUNT_AUTHORISED,
    AMOUNT_CAPTURED,
    PAYMENT_FAILURES,
    STOCK_CONFLICTS,
    LOGIN_LOCKOUTS,
    RECONCILER_REPAIRS,
    AMOUNT_TRANSFERRED,
    AMOUNT_REFUNDED,
    LEDGER_MISMATCHES,
)


class BusinessMetrics(Protocol):
    def count(self, name: str, value: float = 1) -> None: ...


def count(name: str, value: float = 1) -> None:
    try:
        sink = ports.resolve(BusinessMetrics)
    except RuntimeError:  # no implementation registered: not counted
        return
    sink.count(name, value)


def checkout_outcome(outcome: str, state: dict) -> None:
    """Called by the money shell once per *saved* transition of a checkout (a replay saves nothing)."""
    if outcome == "awaiting_payment":
        count(ORDERS_PLACED, len(state.get("orders") or {}))
    elif outcome == "authorized":
        count(AMOUNT_AUTHORISED, int(state.get("amount_cents") or 0))
    elif outcome == "captured":
        count(AMOUNT_CAPTURED, int((state.get("capture") or {}).get("amount_cents") or 0))
    elif outcome == "declined":
        count(PAYMENT_FAILURES)
    elif outcome in ("transferred", "refunded"):  # the ledger entry this transition just wrote
        kind = "transfer" if outcome == "transferred" else "refund"
        entry = next((e for e in reversed(state.get("ledger") or []) if e["kind"] == kind), None)
        if entry:
            count(AMOUNT_TRANSFERRED if kind == "transfer" else AMOUNT_REFUNDED, entry["amount_cents"])
