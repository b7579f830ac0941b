"""Seller analytics, computed by MongoDB aggregation (no Python loops over all orders)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from smartgrocer import settings
from smartgrocer.adapters.mongo import db  # orders only (the money core's); products come through the port
from smartgrocer.domain import ports
from smartgrocer.domain.catalog_ports import ProductRepository
from smartgrocer.money import format_amount

DAYS = 30
LOW_STOCK_THRESHOLD = 10


def seller_analytics(seller_id: str) -> dict:
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=DAYS - 1)
    # Sold = paid and not being refunded (a cancelled paid order is refund_pending, then refunded).
    # Spelled as an explicit `$and`: same meaning on MongoDB, and nx-27017 (the local server) ignores a
    # date range in an aggregation `$match` unless it is written this way.
    sold = {"$and": [{"seller_id": seller_id}, {"paid_at": {"$gte": since}}, {"payment_status": "paid"},
                     {"refund_pending": False}]}
    per_day = {row["_id"]: row for row in db().orders.aggregate([
        {"$match": sold},
        {"$group": {"_id": {"$dateToString": {"format": "%Y-%m-%d", "date": "$paid_at"}},
                    "revenue": {"$sum": "$total_cents"}, "orders": {"$sum": 1}}},
    ])}
    days = [(since + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(DAYS)]
    revenue_by_day = [{"date": d, "revenue": format_amount(per_day.get(d, {}).get("revenue", 0)),
                       "orders": per_day.get(d, {}).get("orders", 0)} for d in days]
    total = sum(row["revenue"] for row in per_day.values())
    top = db().orders.aggregate([
        {"$match": sold}, {"$unwind": "$items"},
        {"$group": {"_id": "$items.product_id", "name": {"$first": "$items.name"},
                    "quantity": {"$sum": "$items.quantity"}, "revenue": {"$sum": "$items.line_total_cents"}}},
        {"$sort": {"revenue": -1, "_id": 1}}, {"$limit": 5},
    ])
    low = ports.resolve(ProductRepository).low_stock(seller_id, LOW_STOCK_THRESHOLD, 10)
    return {
        "currency": settings.CURRENCY, "revenue_by_day": revenue_by_day, "total_revenue": format_amount(total),
        "top_products": [{"product_id": t["_id"], "name": t["name"], "quantity": t["quantity"],
                          "revenue": format_amount(t["revenue"])} for t in top],
        "low_stock": [{"product_id": p["_id"], "name": p["name"], "stock": p["stock"]} for p in low],
    }
