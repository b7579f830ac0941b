"""Seller analytics: sums computed by the order repository (a database aggregation, no Python loops
over all orders), shaped here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smartgrocer import settings
from smartgrocer.domain import ports
from smartgrocer.domain.catalog_ports import ProductRepository
from smartgrocer.domain.checkout_ports import OrderRepository
from smartgrocer.money import format_amount

DAYS = 30
LOW_STOCK_THRESHOLD = 10  # items
LOW_STOCK_GRAMS = 1000  # products sold by weight: 1 kg left


def seller_analytics(seller_id: str) -> dict:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=DAYS - 1)
    sales = ports.resolve(OrderRepository).sales(seller_id, since, top=5)
    per_day = {row["_id"]: row for row in sales["per_day"]}
    days = [(since + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(DAYS)]
    revenue_by_day = [
        {
            "date": d,
            "revenue": format_amount(per_day.get(d, {}).get("revenue", 0)),
            "orders": per_day.get(d, {}).get("orders", 0),
        }
        for d in days
    ]
    total = sum(row["revenue"] for row in per_day.values())
    top = sales["top_products"]
    products = ports.resolve(ProductRepository)
    low = products.low_stock(seller_id, LOW_STOCK_THRESHOLD, 10) + products.low_stock(
        seller_id, LOW_STOCK_GRAMS, 10, sold_by="weight"
    )
    # lowest relative to its own threshold first (integers: stock / threshold compared by cross-multiplying)
    low.sort(key=lambda p: p["stock"] * (LOW_STOCK_THRESHOLD if p.get("sold_by") == "weight" else LOW_STOCK_GRAMS))
    return {
        "currency": settings.CURRENCY,
        "revenue_by_day": revenue_by_day,
        "total_revenue": format_amount(total),
        "top_products": [
            {
                "product_id": t["_id"],
                "name": t["name"],
                "quantity": t["quantity"],
                "revenue": format_amount(t["revenue"]),
            }
            for t in top
        ],
        "low_stock": [
            {"product_id": p["_id"], "name": p["name"], "stock": p["stock"], "sold_by": p.get("sold_by", "unit")}
            for p in low[:10]
        ],
    }
