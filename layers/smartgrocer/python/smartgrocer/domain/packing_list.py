"""A seller's packing list for one delivery or pickup window (`GET /api/seller/packing-list?slot_id=`):
the live orders of the window (confirmed, packed, out for delivery) with their lines, and the lines
summed by product, so the seller picks once per product and then packs order by order.

Orders keep the window they were placed for (`fulfilment: {method, slot_id, start, end, local_date,
label, address}`), so the list reads them by `fulfilment.slot_id`, whatever the seller's settings
say now. Pure apart from the small read port below.
"""

from __future__ import annotations

from typing import Any, Protocol

from smartgrocer.domain import fulfilment, ports
from smartgrocer.domain.counts import item_count

# What is packed and sent: paid orders that are neither delivered nor cancelled.
LIVE_STATUSES = ("confirmed", "packed", "out_for_delivery")
MAX_ORDERS = 1000  # a window takes at most 500 orders (fulfilment.MAX_CAPACITY): a safe bound on the read


class PackingListReader(Protocol):
    def window_orders(self, seller_id: str, slot_id: str, local_date: str, statuses: tuple[str, ...]) -> list[dict]:
        """The seller's visible orders for the window in `statuses`, oldest first (at most MAX_ORDERS):
        `{_id, number, status, items, shipping_address, fulfilment, created_at}`."""


def _reader() -> PackingListReader:
    return ports.resolve(PackingListReader)


def packing_list(principal, slot_id: str) -> dict:
    """The signed-in seller's packing list for the window `slot_id` (422 `invalid_window` when it is not
    a window id). A window without orders, or another seller's, is an empty list."""
    method, day, start = fulfilment.parse_slot_id(slot_id)
    docs = _reader().window_orders(principal.user_id, slot_id, day.isoformat(), LIVE_STATUSES)
    orders = [_order(doc) for doc in docs]
    label = next((doc["fulfilment"].get("label") for doc in docs if (doc.get("fulfilment") or {}).get("label")), None)
    return {
        "slot_id": slot_id,
        "method": method,
        "local_date": day.isoformat(),
        "local_start": start,
        "label": label or f"{fulfilment.WEEKDAYS[day.weekday()]} {day.day} {fulfilment.MONTHS[day.month - 1]}, {start}",
        "order_count": len(orders),
        "products": summed_by_product(orders),
        "orders": orders,
    }


def _line(item: dict) -> dict:
    sold_by = item.get("sold_by", "unit")
    return {
        "line_id": item.get("line_id", item["product_id"]),
        "product_id": item["product_id"],
        "name": item["name"],
        "unit": item.get("unit") or "",
        "sold_by": sold_by,
        "quantity": item.get("quantity") if sold_by == "unit" else None,
        "weight_g": item.get("weight_g") if sold_by == "weight" else None,
        "substitution": item.get("substitution", "none"),
    }


def _order(doc: dict) -> dict:
    address = doc.get("shipping_address") or {}
    window = doc.get("fulfilment") or {}
    return {
        "order_id": doc["_id"],
        "number": doc.get("number") or "",
        "status": doc["status"],
        "buyer_name": address.get("full_name") or "",
        # the delivery address on delivery orders; a pickup order is collected, so it has none to show
        "address": address if window.get("method", "delivery") == "delivery" and address else None,
        "created_at": doc.get("created_at"),
        "lines": [_line(item) for item in doc.get("items") or []],
        "item_count": item_count(doc.get("items") or []),
    }


def summed_by_product(orders: list[dict]) -> list[dict]:
    """Each product once, by name: the units (or grams, for products sold by weight) across the orders,
    and how many orders ask for it."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for order in orders:
        seen: set[tuple[str, str]] = set()
        for line in order["lines"]:
            key = (line["product_id"], line["sold_by"])
            total = totals.setdefault(
                key,
                {
                    "product_id": line["product_id"],
                    "name": line["name"],
                    "unit": line["unit"],
                    "sold_by": line["sold_by"],
                    "quantity": 0 if line["sold_by"] == "unit" else None,
                    "weight_g": 0 if line["sold_by"] == "weight" else None,
                    "orders": 0,
                },
            )
            if line["sold_by"] == "unit":
                total["quantity"] += line["quantity"] or 0
            else:
                total["weight_g"] += line["weight_g"] or 0
            if key not in seen:
                seen.add(key)
                total["orders"] += 1
    return sorted(totals.values(), key=lambda t: (t["name"].casefold(), t["product_id"], t["sold_by"]))
