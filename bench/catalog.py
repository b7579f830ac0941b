"""Catalog listing at scale: 100 000 products in the embedded MongoDB (nx-27017).

    python -m bench.catalog [--products 100000] [--calls 200] [--budget 20]

Starts nx-27017 on a temporary folder, applies the declared indexes, bulk-inserts products built with the
same `catalog.sort_keys` logic the API uses, then measures the warm `products_list` lambda_handler
in-process (API Gateway v2 events, the same code path as Lambda) and, as the floor, the raw pymongo
`find()` with the same filter/sort/limit, both interleaved in the same run:
  * page 1 vs page 500 (limit 20, cursor built from the data) for every sort: keyset pagination means
    the ratio page500/page1 should stay near 1 (target <= 1.5);
  * a category-filtered listing, a seller listing, a price range, a one-word and a two-word search sorted
    newest first (a listing with a query; bench.search measures the ranked searches);
  * explain() for every query shape: index or collection scan. nx-27017 answers with a SQLite plan
    (`winningPlan` = [{"detail": "SEARCH products USING INDEX ..."} | {"detail": "SCAN products"}]),
    real MongoDB with IXSCAN/COLLSCAN stages; `plan_summary()` understands both.
Each shape is capped by --budget seconds so a slow shape on nx-27017 cannot stall the run.
Set MONGODB_URI to run the same measurements against a real MongoDB instead.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.common import FUNCTIONS, ROOT, load_catalog, markdown_table, percentile, table, with_database, write_results

CATEGORIES = ["fruit-veg", "dairy-eggs", "bakery", "meat-fish", "pantry", "drinks", "frozen", "snacks", "household"]
WORDS = {
    "fruit-veg": ["apples", "bananas", "carrots", "spinach", "tomatoes", "onions", "pears", "grapes", "lemons", "kale"],
    "dairy-eggs": ["milk", "eggs", "butter", "cheddar", "yogurt", "cream", "mozzarella", "feta", "brie", "kefir"],
    "bakery": ["sourdough", "bagels", "croissants", "baguette", "rye", "focaccia", "muffins", "buns", "pitta", "loaf"],
    "meat-fish": ["chicken", "beef", "salmon", "sausages", "cod", "bacon", "lamb", "prawns", "turkey", "mackerel"],
    "pantry": ["rice", "spaghetti", "lentils", "oats", "flour", "honey", "jam", "granola", "olive oil", "beans"],
    "drinks": ["coffee", "tea", "juice", "water", "lemonade", "cola", "kombucha", "smoothie", "cocoa", "cider"],
    "frozen": [
        "peas",
        "pizza",
        "ice cream",
        "chips",
        "berries",
        "spinach",
        "fish fingers",
        "sweetcorn",
        "waffles",
        "dumplings",
    ],
    "snacks": [
        "crisps",
        "chocolate",
        "peanuts",
        "popcorn",
        "pretzels",
        "cookies",
        "brownies",
        "almonds",
        "bars",
        "crackers",
    ],
    "household": [
        "washing up liquid",
        "kitchen roll",
        "detergent",
        "bin bags",
        "sponges",
        "bleach",
        "foil",
        "candles",
        "soap",
        "tissues",
    ],
}
ADJECTIVES = [
    "organic",
    "fresh",
    "free range",
    "wholegrain",
    "smoked",
    "sweet",
    "crunchy",
    "classic",
    "premium",
    "local",
    "mild",
    "extra mature",
    "family size",
    "value",
    "gluten free",
    "spicy",
    "light",
    "rich",
]
UNITS = ["each", "kg", "500 g", "1 l", "6 pack", "250 g", "box"]
PAGE = 20
DEEP_PAGE = 500


def build_products(count: int, sellers: list[str], seed: int = 42):
    from smartgrocer.domain import catalog

    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(count):
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        noun = rng.choice(WORDS[category])
        name = f"{rng.choice(ADJECTIVES).title()} {noun.title()}"  # many duplicate names: ties are realistic
        price = rng.choice([rng.randrange(19, 1500), rng.randrange(100, 600) // 10 * 10 + 9])  # x.x9 clusters
        created = start + timedelta(seconds=i * 37 + rng.randrange(30), microseconds=rng.randrange(1000) * 1000)
        doc = {
            "_id": f"{rng.getrandbits(96):024x}",  # like ids.new_id, but seeded: a reused --data-dir holds these
            "seller_id": sellers[rng.randrange(len(sellers))],
            "seller_name": "Bench Seller",
            "name": name,
            "description": f"{name} from a local producer. Great with {rng.choice(WORDS['bakery'])}.",
            "price_cents": price,
            "currency": "usd",
            "category": category,
            "stock": rng.randrange(0, 500),
            "unit": rng.choice(UNITS),
            "images": [],
            "is_active": rng.random() > 0.02,
            "seller_payable": True,  # bench sellers can be paid: every active product is listed
            "created_at": created,
            "updated_at": created,
        }
        doc.update(catalog.sort_keys(doc))
        yield doc


# -- explain ---------------------------------------------------------------------------------------


def plan_summary(explain: dict) -> dict:
    """Whether a query uses an index, for nx-27017 (SQLite plan) and real MongoDB (stage tree)."""
    plan = explain.get("queryPlanner", {}).get("winningPlan", explain.get("queryPlanner", {}))
    if isinstance(plan, list):  # nx-27017: SQLite EXPLAIN QUERY PLAN rows
        details = [str(row.get("detail", "")) for row in plan]
        main = [d for d in details if d.startswith(("SCAN ", "SEARCH ")) and "json_each" not in d]
        uses_index = any("USING" in d and "INDEX" in d for d in main)
        scans = any(d.startswith("SCAN ") and "INDEX" not in d for d in main)
        sorts = any("TEMP B-TREE" in d for d in details)
        return {
            "engine": "nx-27017/sqlite",
            "index": uses_index and not scans,
            "collection_scan": scans,
            "in_memory_sort": sorts,
            "plan": details,
        }
    stages: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if "stage" in node:
                stages.append(node)
            for key in ("inputStage", "queryPlan"):
                if key in node:
                    walk(node[key])
            for child in node.get("inputStages", []):
                walk(child)

    walk(plan)
    names = [s["stage"] for s in stages]
    return {
        "engine": "mongodb",
        "index": "IXSCAN" in names and "COLLSCAN" not in names,
        "collection_scan": "COLLSCAN" in names,
        "in_memory_sort": "SORT" in names,
        "plan": [f"{s['stage']}{'(' + s['indexName'] + ')' if 'indexName' in s else ''}" for s in stages],
    }


# -- measurement -----------------------------------------------------------------------------------


def handler_caller():
    import importlib.util

    from local.apigw import http_event, lambda_context, match_route

    spec = importlib.util.spec_from_file_location("bench_products_list", FUNCTIONS / "products_list" / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    route, params, _ = match_route("GET", "/api/products")
    context = lambda_context("products_list")

    def call(query: str) -> dict:
        response = module.lambda_handler(http_event(route, "GET", "/api/products", params, query), context)
        if response["statusCode"] != 200:
            raise RuntimeError(f"{query}: {response['statusCode']} {response['body'][:300]}")
        return json.loads(response["body"])

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--budget", type=float, default=15.0, help="seconds per measured series at most")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument(
        "--data-dir",
        help="keep nx-27017's data here and reuse it when it already holds the "
        "products (skips the bulk insert on later runs)",
    )
    options = parser.parse_args()

    with_database(run, options)


def run(options, engine: str) -> None:
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain.catalog import SORTS
    from smartgrocer.domain.ids import encode_cursor

    database = db()
    sellers = [f"{i:024x}" for i in range(1, 201)]
    catalog_docs = list(build_products(options.products, sellers))  # also the oracle for expected pages
    active = sum(1 for doc in catalog_docs if doc["is_active"])
    loaded = load_catalog(database, catalog_docs, options.batch)
    insert_s, index_s = loaded["insert"], loaded["indexes"]
    total = len(catalog_docs)
    print(f"\r{engine}: {total} products ({active} active) inserted in {insert_s:.0f} s, indexes in {index_s:.1f} s")

    call = handler_caller()
    from collections import Counter

    busiest_seller = Counter(d["seller_id"] for d in catalog_docs).most_common(1)[0][0]
    shapes: list[dict] = []
    for sort in SORTS:
        for page in (1, DEEP_PAGE):
            shapes.append(
                {
                    "name": f"sort={sort} page {page}",
                    "sort": sort,
                    "page": page,
                    "filter": {},
                    "query": {},
                    "match": lambda d: True,
                }
            )
    shapes += [
        {
            "name": "category=dairy-eggs newest page 1",
            "sort": "newest",
            "page": 1,
            "filter": {"category": "dairy-eggs"},
            "query": {"category": "dairy-eggs"},
            "match": lambda d: d["category"] == "dairy-eggs",
        },
        {
            "name": "category=dairy-eggs price page 200",
            "sort": "price",
            "page": 200,
            "filter": {"category": "dairy-eggs"},
            "query": {"category": "dairy-eggs"},
            "match": lambda d: d["category"] == "dairy-eggs",
        },
        {
            "name": "seller newest page 1",
            "sort": "newest",
            "page": 1,
            "filter": {"seller_id": busiest_seller},
            "query": {"seller_id": busiest_seller},
            "match": lambda d: d["seller_id"] == busiest_seller,
        },
        {
            "name": "price 2.00-3.00 sort=price page 1",
            "sort": "price",
            "page": 1,
            "filter": {"price_cents": {"$gte": 200, "$lte": 300}},
            "query": {"min_price": "2.00", "max_price": "3.00"},
            "match": lambda d: 200 <= d["price_cents"] <= 300,
        },
        {
            "name": "q=cheddar page 1",
            "sort": "newest",
            "page": 1,
            "filter": {"terms": {"$all": ["k:cheddar"]}},  # search.py: one stored term per query word
            "query": {"q": "cheddar"},
            "match": lambda d: "k:cheddar" in d["terms"],
        },
        {
            "name": "q='organic che' page 1",
            "sort": "newest",
            "page": 1,
            "filter": {"terms": {"$all": ["k:organic", "k:che"]}},
            "query": {"q": "organic che"},
            "match": lambda d: {"k:organic", "k:che"} <= set(d["terms"]),
        },
    ]

    from urllib.parse import urlencode

    rows, results = [], []
    for shape in shapes:
        field, descending = SORTS[shape["sort"]]
        mongo_filter = {"is_active": True, "seller_payable": True, **shape["filter"]}
        ordered = sorted(
            (d for d in catalog_docs if d["is_active"] and shape["match"](d)),
            key=lambda d: d[field],
            reverse=descending,
        )  # computed here, never with skip()
        first_index = (shape["page"] - 1) * PAGE
        if len(ordered) <= first_index:
            print(f"  {shape['name']}: not enough products, skipped")
            continue
        after = ordered[first_index - 1][field] if shape["page"] > 1 else None  # what page N-1's cursor carries
        expected = [d["_id"] for d in ordered[first_index : first_index + PAGE]]
        params = {**shape["query"], "sort": shape["sort"], "limit": PAGE}
        if after is not None:
            params["cursor"] = encode_cursor({"s": shape["sort"], "k": after})
        query_string = urlencode(params)
        raw_filter = dict(mongo_filter)
        if after is not None:
            raw_filter[field] = {"$lt" if descending else "$gt": after}
        projection = {"terms": 0}

        def raw(raw_filter=raw_filter, projection=projection, field=field, descending=descending):
            return list(
                database.products.find(raw_filter, projection).sort(field, -1 if descending else 1).limit(PAGE + 1)
            )

        handler_ms, raw_ms = [], []
        deadline = time.monotonic() + options.budget
        for index in range(options.calls):  # interleaved: the floor sees the same machine noise
            started = time.perf_counter()
            page = call(query_string)
            handler_ms.append((time.perf_counter() - started) * 1000)
            if index == 0:
                assert [p["id"] for p in page["items"]] == expected, f"{shape['name']}: wrong page"
            started = time.perf_counter()
            raw()
            raw_ms.append((time.perf_counter() - started) * 1000)
            if time.monotonic() > deadline:  # strict: a slow shape on nx-27017 must not stall the run
                break
        explain = (
            database.products.find(raw_filter, projection)
            .sort(field, -1 if descending else 1)
            .limit(PAGE + 1)
            .explain()
        )
        plan = plan_summary(explain)
        result = {
            "shape": shape["name"],
            "sort": shape["sort"],
            "page": shape["page"],
            "calls": len(handler_ms),
            "handler_p50_ms": percentile(handler_ms, 50),
            "handler_p99_ms": percentile(handler_ms, 99),
            "raw_p50_ms": percentile(raw_ms, 50),
            "raw_p99_ms": percentile(raw_ms, 99),
            "items": len(page["items"]),
            "index": plan["index"],
            "collection_scan": plan["collection_scan"],
            "in_memory_sort": plan["in_memory_sort"],
            "plan": plan["plan"],
        }
        result["handler_over_raw"] = result["handler_p50_ms"] / max(result["raw_p50_ms"], 1e-6)
        results.append(result)
        print(
            f"  {shape['name']:<38} handler p50 {result['handler_p50_ms']:7.2f} ms  raw p50 "
            f"{result['raw_p50_ms']:7.2f} ms  ({len(handler_ms)} calls)  index={plan['index']}"
        )

    by_name = {r["shape"]: r for r in results}
    deep = []
    for sort in SORTS:
        one, deep_page = by_name.get(f"sort={sort} page 1"), by_name.get(f"sort={sort} page {DEEP_PAGE}")
        if one and deep_page:
            ratio = deep_page["handler_p50_ms"] / one["handler_p50_ms"]
            deep.append(
                {
                    "sort": sort,
                    "page1_p50_ms": one["handler_p50_ms"],
                    "page500_p50_ms": deep_page["handler_p50_ms"],
                    "ratio": ratio,
                    "target_met": ratio <= 1.5,
                }
            )
    headers = [
        "query shape",
        "handler p50 ms",
        "handler p99 ms",
        "raw p50 ms",
        "handler/raw",
        "calls",
        "index",
        "scan",
        "temp sort",
    ]
    rows = [
        [
            r["shape"],
            r["handler_p50_ms"],
            r["handler_p99_ms"],
            r["raw_p50_ms"],
            r["handler_over_raw"],
            r["calls"],
            r["index"],
            r["collection_scan"],
            r["in_memory_sort"],
        ]
        for r in results
    ]
    deep_headers = ["sort", "page 1 p50 ms", "page 500 p50 ms", "page500/page1", "<= 1.5"]
    deep_rows = [[d["sort"], d["page1_p50_ms"], d["page500_p50_ms"], d["ratio"], d["target_met"]] for d in deep]
    print()
    print(table(headers, rows))
    print()
    print(table(deep_headers, deep_rows))
    print("\nplans:")
    for r in results:
        print(f"  {r['shape']:<38} {' ; '.join(r['plan'])}")
    path = write_results(
        "catalog",
        {
            "engine": engine,
            "products": total,
            "active": active,
            "insert_seconds": round(insert_s, 1),
            "index_seconds": round(index_s, 1),
            "page_size": PAGE,
            "deep_page": DEEP_PAGE,
            "shapes": results,
            "deep_pagination": deep,
            "markdown": markdown_table(headers, rows) + "\n\n" + markdown_table(deep_headers, deep_rows),
        },
    )
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
