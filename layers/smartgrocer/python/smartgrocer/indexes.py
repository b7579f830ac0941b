"""Every MongoDB index, declared once and applied by an explicit, idempotent step.

Run by the local runner and the tests at start-up, and by the `apply_indexes` function on every
deploy; never on a cold start. Product listing uses keyset pagination on single-field sort keys
(`k_price`, `k_newest`, `k_name`, `k_unit_price`: the sort value plus the id as tie-breaker), so each
sort is one index range scan with no `$or` and no skip().

The same step fills in the stored fields that products written before them lack (the comparable unit
price and its sort key; `seller_payable`, from the seller's payout status), so that every product is in
every sort's index range, rebuilds the search terms of products stored under other search rules
(`search_v` is not `search_text.SEARCH_VERSION`), builds the search vocabulary (`search_words`)
from the products when it was not built under the current rules, and posts the products whose search
postings lag behind their terms (`search_pending`). Orders placed before order numbers get one
(`backfill_order_numbers`). Idempotent too.
"""

from __future__ import annotations

from pymongo import ASCENDING as ASC
from pymongo import DESCENDING as DESC
from pymongo import IndexModel
from pymongo.database import Database

PRODUCT_SORT_KEYS = ("k_price", "k_newest", "k_name", "k_unit_price")

INDEXES: dict[str, list[IndexModel]] = {
    "users": [
        IndexModel([("email", ASC)], unique=True, name="email_unique"),
        IndexModel([("k_created", DESC)], name="users_newest"),
    ],
    "refresh_tokens": [
        IndexModel([("family_id", ASC)], name="family"),
        IndexModel([("parent", ASC)], name="parent"),
        IndexModel([("expires_at", ASC)], expireAfterSeconds=0, name="expiry_ttl"),
    ],
    "password_resets": [
        IndexModel([("user_id", ASC)], name="reset_user"),
        # Kept a day past expiry so a late click still hears "expired" rather than "unknown", then deleted.
        IndexModel([("expires_at", ASC)], expireAfterSeconds=24 * 3600, name="reset_expiry_ttl"),
    ],
    "audit": [
        IndexModel([("target_id", ASC), ("at", DESC)], name="audit_target_newest"),
    ],
    "products": [
        *[IndexModel([(key, ASC)], name=f"list_{key}") for key in PRODUCT_SORT_KEYS],
        *[IndexModel([("category", ASC), (key, ASC)], name=f"category_{key}") for key in PRODUCT_SORT_KEYS],
        *[IndexModel([("seller_id", ASC), (key, ASC)], name=f"seller_{key}") for key in PRODUCT_SORT_KEYS],
        # products whose search postings lag behind their terms (a write stopped half way): few, so sparse
        IndexModel([("search_pending", ASC)], sparse=True, name="search_pending"),
        IndexModel([("seller_id", ASC), ("stock", ASC)], name="seller_stock"),
    ],
    "sellers": [
        # an account belongs to one seller (the webhook finds the seller by it); sellers without one are many
        IndexModel(
            [("payouts.account_id", ASC)],
            unique=True,
            partialFilterExpression={"payouts.account_id": {"$type": "string"}},
            name="payout_account_unique",
        ),
    ],
    "search_postings": [
        # search candidates: a range of buckets per query word, newest month first (adapters/mongo_postings.py)
        IndexModel([("k", ASC)], name="postings_k"),
    ],
    "search_words": [
        IndexModel([("g", ASC), ("n", ASC)], name="word_trigrams"),  # typo candidates: a shared trigram, a length
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
        # admins find an order by its number; orders written before numbers have none until the backfill
        IndexModel(
            [("number", ASC)],
            unique=True,
            partialFilterExpression={"number": {"$type": "string"}},
            name="number_unique",
        ),
        IndexModel([("status", ASC), ("expires_at", ASC)], name="awaiting_payment_scan"),  # reconciler
        IndexModel([("seller_id", ASC), ("captured_at", ASC)], name="seller_sales"),
        # sellers list orders by the day of their window (`slot_date`, `slot_id`) and print packing lists
        IndexModel(
            [("seller_id", ASC), ("seller_visible", ASC), ("fulfilment.local_date", ASC), ("k_created", DESC)],
            name="seller_window_newest",
        ),
    ],
    "windows": [
        IndexModel([("seller_id", ASC), ("start", ASC)], name="seller_windows"),
    ],
    "checkouts": [
        IndexModel([("status", ASC), ("expires_at", ASC)], name="expiry_scan"),
        IndexModel([("status", ASC), ("created_at", ASC)], name="interrupted_scan"),
        IndexModel([("status", ASC), ("capture_by", ASC)], name="capture_deadline_scan"),
        IndexModel([("outbox_pending", ASC), ("outbox_at", ASC)], name="pending_effects_scan"),
        IndexModel([("ledger_at", ASC)], name="ledger_recent"),  # finance by day, the reconciler's money check
    ],
    "order_numbers": [  # `_id` is the number: one order per number (`MongoOrderNumbers`)
        IndexModel([("order_id", ASC)], name="order"),
    ],
    "sent_notifications": [
        IndexModel([("at", ASC)], expireAfterSeconds=30 * 24 * 3600, name="sent_ttl"),
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
    """Create what is missing; existing indexes with the same definition are left alone. Then fill in
    the derived fields older products lack (`backfill_products`)."""
    applied = {name: db[name].create_indexes(models) for name, models in INDEXES.items()}
    backfill_products(db)
    backfill_order_numbers(db)
    return applied


def backfill_products(db: Database) -> int:
    """Products stored before the comparable unit price get it and its sort key, computed as a write
    computes them; how many were filled in (with the search terms rebuilt by `backfill_search`). Each
    fill is conditional on the product still lacking it and still having the price and unit it was
    computed from, so a concurrent edit (which writes its own) always wins."""
    from smartgrocer.domain.catalog import unit_price_fields

    products = db.products
    filled = 0
    lacking = {"k_unit_price": {"$exists": False}}
    for doc in list(products.find(lacking, {"price_cents": 1, "unit": 1, "sold_by": 1})):
        if not isinstance(doc.get("price_cents"), int):  # not a product the catalog could show anyway
            continue
        selector = {**lacking, "_id": doc["_id"], "price_cents": doc["price_cents"], "unit": doc.get("unit")}
        filled += products.update_one(selector, {"$set": unit_price_fields(doc)}).modified_count
    return filled + backfill_seller_payable(db) + backfill_search(db)


def backfill_seller_payable(db: Database) -> int:
    """Products stored before `seller_payable` get it from their seller's payout status (`sellers`): true
    only for a seller whose account is active; a seller without a document is not payable. One
    conditional update per seller, on the products still lacking the flag, so the webhook's own writes
    (which set it on all of a seller's products) are never undone. How many products were filled in."""
    products, lacking = db.products, {"seller_payable": {"$exists": False}}
    seller_ids = sorted({doc.get("seller_id") for doc in products.find(lacking, {"seller_id": 1})} - {None})
    if not seller_ids:
        return 0
    active = {
        doc["_id"]
        for doc in db.sellers.find({"_id": {"$in": seller_ids}}, {"payouts": 1})
        if (doc.get("payouts") or {}).get("status") == "active"
    }
    return sum(
        products.update_many(
            {**lacking, "seller_id": seller_id}, {"$set": {"seller_payable": seller_id in active}}
        ).modified_count
        for seller_id in seller_ids
    )


def backfill_order_numbers(db: Database) -> int:
    """Orders placed before order numbers get one, claimed in `order_numbers` like a new order's: first in
    their checkout (a compare-and-set on its `version`, which it moves on, so a concurrent change of the
    checkout decides again on the numbered state), then in the orders' projections. Run again after a
    crash it finishes what it started: an order keeps the number claimed for it. How many orders were
    numbered."""
    from smartgrocer.adapters.mongo_checkouts import MongoOrderNumbers

    registry = MongoOrderNumbers(lambda: db)

    def number_for(checkout_id: str, order_id: str) -> str:
        return registry.number_of(order_id) or _claim_number(registry, checkout_id, order_id)

    filled = 0
    lacking = [{"numbered": {"$exists": False}}, {"numbered": False}]  # (nx-27017's `$ne` skips a missing field)
    for query in lacking:
        for found in list(db.checkouts.find(query, {"_id": 1})):
            for _ in range(8):  # the checkout changed meanwhile: read it again
                state = db.checkouts.find_one({"_id": found["_id"]})
                if state is None or state.get("numbered"):
                    break
                numbers = {oid: o.get("number") or number_for(state["_id"], oid) for oid, o in state["orders"].items()}
                changes = {f"orders.{order_id}.number": number for order_id, number in numbers.items()}
                saved = db.checkouts.update_one(
                    {"_id": state["_id"], "version": state["version"]},
                    {"$set": {**changes, "numbered": True}, "$inc": {"version": 1}},
                )
                if saved.modified_count:
                    filled += len(numbers)
                    break
    # the projections: from their checkout (also after a crash between the two writes)
    for doc in list(db.orders.find({"number": {"$exists": False}}, {"checkout_id": 1})):
        checkout = db.checkouts.find_one({"_id": doc.get("checkout_id")}, {"orders": 1}) or {}
        order = (checkout.get("orders") or {}).get(doc["_id"]) or {}
        number = order.get("number") or number_for(doc.get("checkout_id") or "", doc["_id"])
        db.orders.update_one({"_id": doc["_id"], "number": {"$exists": False}}, {"$set": {"number": number}})
    return filled


def _claim_number(registry, checkout_id: str, order_id: str) -> str:
    from smartgrocer.domain import order_numbers

    for _ in range(order_numbers.CLAIM_ATTEMPTS):
        number = order_numbers.new_number()
        if registry.claim(number, checkout_id, order_id):
            return number
    raise RuntimeError(f"no free order number for {order_id}")


VOCABULARY_MARK = "#rules"  # the search_words document saying which rules built the vocabulary (not a word)


def backfill_search(db: Database, batch: int = 1000) -> int:
    """Rebuild the search terms of products stored under other rules (or none), each conditional on the
    name, category and description it was computed from, in bulk writes of `batch`; then, if the vocabulary
    was not built under the current rules, build it from every active product (else add the words of the
    rebuilt ones). How many products were rebuilt. Stopped part way (a deploy's time limit on a very large
    catalog), it carries on where it stopped when run again."""
    from pymongo import UpdateOne

    from smartgrocer.adapters.mongo_catalog import MongoSearchWords
    from smartgrocer.domain import search_text
    from smartgrocer.domain.catalog import search_fields

    products, version = db.products, search_text.SEARCH_VERSION
    shape = {"name": 1, "category": 1, "description": 1}
    rebuilt, learnt = 0, {}
    # (two passes: nx-27017's `$ne` does not match a missing field)
    for outdated in ({"search_v": {"$exists": False}}, {"search_v": {"$ne": version}}):
        ids = [doc["_id"] for doc in products.find(outdated, {"_id": 1})]
        for start in range(0, len(ids), batch):
            writes = []
            for doc in products.find({**outdated, "_id": {"$in": ids[start : start + batch]}}, shape):
                if not isinstance(doc.get("name"), str) or not isinstance(doc.get("category"), str):
                    continue  # not a product the catalog could show anyway
                same = {field: doc.get(field) for field in ("_id", "name", "category", "description")}
                writes.append(UpdateOne({**outdated, **same}, {"$set": search_fields(doc)}))
                learnt.update(search_text.vocabulary(doc["name"], doc.get("description") or ""))
            if writes:
                rebuilt += products.bulk_write(writes, ordered=False).modified_count
    mark = db.search_words.find_one({"_id": VOCABULARY_MARK})
    if mark is None or mark.get("v") != version:
        learnt = {}
        for doc in products.find({"is_active": True}, {"name": 1, "description": 1}):
            for word, rank in search_text.vocabulary(doc.get("name") or "", doc.get("description") or "").items():
                learnt[word] = max(rank, learnt.get(word, 0))
    words, ordered = MongoSearchWords(lambda: db), sorted(learnt.items())
    for start in range(0, len(ordered), batch):
        words.add(dict(ordered[start : start + batch]))
    if mark is None or mark.get("v") != version:
        db.search_words.update_one({"_id": VOCABULARY_MARK}, {"$set": {"v": version}}, upsert=True)
    repair_postings(db, batch)
    return rebuilt


def repair_postings(db: Database, batch: int = 500) -> int:
    """Post every product still holding a `search_pending` token: the ones rebuilt above, and any whose
    write stopped between the product and its postings (`catalog.repair_search`). How many were posted."""
    from smartgrocer.adapters.mongo_catalog import MongoProductRepository
    from smartgrocer.domain import catalog

    return catalog.repair_search(batch, MongoProductRepository(lambda: db))


if __name__ == "__main__":  # python -m smartgrocer.indexes
    from smartgrocer.adapters.mongo import db

    for collection, names in apply_indexes(db()).items():
        print(f"{collection}: {', '.join(names)}")
