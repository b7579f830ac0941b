"""What sellers are paid and what the platform keeps: read models over the money core's ledger.

The money core (`checkout_machine`) decides payouts: at capture each order's final total splits into
the platform's commission and the seller's net, which is transferred from the captured charge;
refunds reverse the seller's share and give back the commission on the refunded part. Every
movement is a ledger entry in the checkout, written with the state change that caused it. Here:
a seller's payouts per order with totals, the admin's finance by day, and the reconciler's check
that each settled checkout's money adds up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smartgrocer import settings
from smartgrocer.domain import checkout_machine as machine
from smartgrocer.domain import ports
from smartgrocer.domain.checkout_ports import CheckoutRepository, OrderRepository
from smartgrocer.domain.ids import decode_cursor
from smartgrocer.money import format_amount

MAX_FINANCE_DAYS = 90
LEDGER_CHECK_WINDOW = timedelta(days=2)  # the reconciler runs every few minutes: ledgers that moved lately
LEDGER_CHECK_BATCH = 500


def _amounts(cents: dict, *names: str) -> dict:
    return {name: format_amount(cents.get(name, 0)) for name in names}


def seller_payouts(seller_id: str, limit: int = 50, cursor: str | None = None) -> dict:
    orders = ports.resolve(OrderRepository)
    after = decode_cursor(cursor, "payouts") if cursor else None
    docs, next_cursor = orders.payouts_page(seller_id, limit, after)
    totals = orders.payout_totals(seller_id)
    return {
        "currency": settings.CURRENCY,
        "items": [_payout_row(doc) for doc in docs],
        "next_cursor": next_cursor,
        "totals": {
            "orders": totals["orders"],
            **_amounts(totals, "gross", "commission", "net", "reversed", "paid"),
        },
    }


def _payout_row(doc: dict) -> dict:
    payout = doc["payout"]
    return {
        "order_id": doc["_id"],
        "order_number": doc.get("number") or "",
        "captured_at": doc.get("captured_at") or doc["created_at"],
        "order_status": doc["status"],
        "commission_bps": doc.get("commission_bps") or 0,
        "refunded": format_amount(doc.get("refunded_cents", 0)),
        "status": payout["status"],
        "gross": format_amount(payout["gross_cents"]),
        "commission": format_amount(payout["commission_cents"] - payout.get("commission_returned_cents", 0)),
        "net": format_amount(payout["net_cents"]),
        "reversed": format_amount(payout["reversed_cents"]),
    }


def finance(days: int = 30, at: datetime | None = None) -> dict:
    """Per day: captured, commission kept, refunds, transfers net of reversals (integer cents)."""
    today = (at or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=days - 1)
    sums: dict[str, dict[str, int]] = {}
    for row in ports.resolve(CheckoutRepository).ledger_by_day(since):
        sums.setdefault(row["day"], {})[row["kind"]] = int(row["cents"])
    rows = []
    for offset in range(days):
        day = (since + timedelta(days=offset)).strftime("%Y-%m-%d")
        kinds = sums.get(day, {})
        cents = {
            "captured": kinds.get("capture", 0),
            "commission": kinds.get("commission", 0) - kinds.get("commission_refund", 0),
            "refunds": kinds.get("refund", 0),
            "transfers": kinds.get("transfer", 0) - kinds.get("reversal", 0),
        }
        rows.append({"date": day, **_amounts(cents, *cents)})
    totals = {kind: sum(sums.get(day, {}).get(kind, 0) for day in sums) for kind in machine.LEDGER_KINDS}
    total_cents = {
        "captured": totals["capture"],
        "commission": totals["commission"] - totals["commission_refund"],
        "refunds": totals["refund"],
        "transfers": totals["transfer"] - totals["reversal"],
    }
    return {"currency": settings.CURRENCY, "days": rows, "totals": _amounts(total_cents, *total_cents)}


def ledger_violations(at: datetime) -> list[dict]:
    """Settled checkouts whose money does not add up (see `checkout_machine.ledger_problems`)."""
    found = []
    for state in ports.resolve(CheckoutRepository).settled_ledgers(at - LEDGER_CHECK_WINDOW, LEDGER_CHECK_BATCH):
        problems = machine.ledger_problems(state)
        if problems:
            found.append({"checkout_id": state["_id"], "problems": problems})
    return found
