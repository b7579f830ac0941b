"""Every MongoDB index, declared once and applied by an explicit, idempotent step.

Run by the local runner and the tests at start-up, and by the `apply_indexes` function on every
deploy; never on a cold start. Product listing uses keyset pagination on single-field sort keys
(`k_price`, `k_newest`, `k_name`: the sort value plus the id as tie-breaker), so each sort is one
index range scan with no `$or` and no skip().
"""

from __future__ import annotations

from pymongo import ASCENDING as ASC
from pymongo import DESCENDING as DESC
from pymongo import IndexModel
from pymongo.database import Database

INDEXES: dict[str, list[IndexModel]] = {
    "users": [
        IndexModel([("email", ASC)], unique=True, name="email_unique"),
        IndexModel([("k_created", DESC)], name="users_newest"),
    ],
    "refresh_tokens": [
        IndexModel([("family_id", ASC)], name="family"),
        IndexModel([("expires_at", ASC)], expireAfterSeconds=0, name="expiry_ttl"),
    ],
    "products": [
        *[IndexModel([(key, ASC)], name=f"list_{key}") for key in ("k_price", "k_newest", "k_name")],
        *[
            IndexModel([("category", ASC), (key, ASC)], name=f"category_{key}")
            for key in ("k_price", "k_newest", "k_name")
        ],
        *[
            IndexModel([("seller_id", ASC), (key, ASC)], name=f"seller_{key}")
            for key in ("k_price", "k_newest", "k_name")
        ],
        IndexModel([("terms", ASC), ("k_newest", ASC)], name="search_terms"),
        IndexModel([("seller_id", ASC), ("stock", ASC)], name="seller_stock"),
    ],
    "orders": [
        IndexModel([("user_id", ASC), ("k_created", DESC)], name="buyer_newest"),
        # sellers list confirmed orders only (`seller_visible`), newest first, optionally by status
        IndexModel([("seller_id", ASC), ("seller_visible", ASC), ("k_created", DESC)], name="seller_paid_newest"),
        IndexModel(
            [("seller_id", ASC), ("seller_visible", ASC), ("status", ASC), ("k_created", DESC)],
            name="seller_paid_status_newest",
        ),
        IndexModel([("checkout_id", ASC)], name="checkout"),
        IndexModel([("status", ASC), ("expires_at", ASC)], name="awaiting_payment_scan"),  # reconciler
        IndexModel([("seller_id", ASC), ("captured_at", ASC)], name="seller_sales"),
    ],
    "checkouts": [
        IndexModel([("status", ASC), ("expires_at", ASC)], name="expiry_scan"),
        IndexModel([("status", ASC), ("created_at", ASC)], name="interrupted_scan"),
        IndexModel([("status", ASC), ("capture_by", ASC)], name="capture_deadline_scan"),
        IndexModel([("outbox_pending", ASC), ("outbox_at", ASC)], name="pending_effects_scan"),
    ],
    "payment_events": [
        IndexModel([("received_at", ASC)], expireAfterSeconds=90 * 24 * 3600, name="events_ttl"),
    ],
    "idempotency_keys": [
        IndexModel([("expires_at", ASC)], expireAfterSeconds=0, name="idempotency_ttl"),
    ],
    "rate_limits": [
        IndexModel([("expires_at", ASC)], expireAfterSeconds=0, name="rate_limit_ttl"),
    ],
}


def apply_indexes(db: Database) -> dict[str, list[str]]:
    """Create what is missing; existing indexes with the same definition are left alone."""
    return {name: db[name].create_indexes(models) for name, models in INDEXES.items()}


if __name__ == "__main__":  # python -m smartgrocer.indexes
    from smartgrocer.adapters.mongo import db

    for collection, names in apply_indexes(db()).items():
        print(f"{collection}: {', '.join(names)}")
