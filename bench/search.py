"""Search at scale: 100 000 products in the embedded MongoDB (nx-27017), ranked queries against a plain listing.

    python -m bench.search [--products 100000] [--calls 100] [--budget 15] [--data-dir DIR]

The same catalog as bench.catalog (same generator, seed and loader, `bench.common.load_catalog`, so `--data-dir`
can share one loaded database): the products and their search postings bulk-inserted, then the declared
indexes and the search vocabulary (the apply-indexes step). Then, in-process through
the warm `products_list` and `products_suggest` lambda_handlers (API Gateway v2 events, the code path of
Lambda), each query shape interleaved call by call with the floor, a plain category listing
(`category=dairy-eggs`, newest first, page 1), so both see the same machine noise (a ranked query's page 1
and page 2 are measured in the same rounds, with twice the budget):
  * 1-, 2- and 3-word queries, a misspelling, an everyday word (synonyms), a query with a filter and one with
    another sort, each for page 1 and page 2 (page 2 with the cursor page 1 answered): ranked pages are
    keyset pages over a bounded candidate set, so page 2 should cost what page 1 costs (ratio ~1);
  * suggestions for a prefix and for two words being typed;
  * explain() of each query's reads: its first word's postings range and, sorted, the page read (nx-27017's
    SQLite plan or MongoDB's stages, see bench.catalog).
Page 1 of every ranked shape is checked against an oracle computed here from the generated documents.
Each shape is capped by --budget seconds. Set MONGODB_URI to run the same measurements against a real MongoDB.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from urllib.parse import urlencode

from bench.catalog import build_products, plan_summary
from bench.common import FUNCTIONS, ROOT, load_catalog, markdown_table, percentile, table, with_database, write_results

PAGE = 20
FLOOR = {"category": "dairy-eggs", "limit": PAGE}
SHAPES = [  # (name, query string parameters) of products_list
    ("1 word: cheddar", {"q": "cheddar"}),
    ("2 words: organic cheddar", {"q": "organic cheddar"}),
    ("3 words: extra mature cheddar", {"q": "extra mature cheddar"}),
    ("typo: choclate", {"q": "choclate"}),
    ("everyday word: bread", {"q": "bread"}),
    ("1 word + category: organic in snacks", {"q": "organic", "category": "snacks"}),
    ("1 word, sort=price: cheddar", {"q": "cheddar", "sort": "price"}),
]
SUGGESTIONS = [("suggest: che", {"q": "che"}), ("suggest: organic ch", {"q": "organic ch"})]


def _caller(function: str, path: str):
    import importlib.util

    from local.apigw import http_event, lambda_context, match_route

    spec = importlib.util.spec_from_file_location(f"bench_{function}", FUNCTIONS / function / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    route, params, _ = match_route("GET", path)
    context = lambda_context(function)

    def call(params_: dict) -> dict:
        query = urlencode(params_)
        response = module.lambda_handler(http_event(route, "GET", path, params, query), context)
        if response["statusCode"] != 200:
            raise RuntimeError(f"{path}?{query}: {response['statusCode']} {response['body'][:300]}")
        return json.loads(response["body"])

    return call


def _oracle(docs: list[dict], params: dict) -> list[str]:
    """Page 1 of a ranked query, computed from the generated documents with the domain's own plan and score."""
    from smartgrocer.domain import search
    from smartgrocer.domain.catalog import SORTS

    query = search.plan(params["q"])
    live = [d for d in docs if d["is_active"] and (not params.get("category") or d["category"] == params["category"])]

    def matching(groups):
        return [d for d in live if all(set(group) & set(d["terms"]) for group in groups)]

    if params.get("sort"):
        field, descending = SORTS[params["sort"]]
        return [d["_id"] for d in sorted(matching(query.groups), key=lambda d: d[field], reverse=descending)[:PAGE]]

    def newest(groups):
        return sorted(matching(groups), key=lambda d: d["k_newest"], reverse=True)

    named = newest(query.name_groups)[: search.NAMED_CANDIDATES]
    seen = {d["_id"] for d in named}
    others = [d for d in newest(query.groups) if d["_id"] not in seen][: search.CANDIDATES]
    ranked = sorted(search.key(query, d) for d in named) + sorted(search.key(query, d, search.OTHERS) for d in others)
    return [k.split("|", 1)[1] for k in ranked[:PAGE]]


def _explain(database, params: dict) -> dict:
    """The plan of a search's reads: its first word's postings (a range of buckets), and, sorted, the page
    read by id; each ranked candidate is then fetched by `_id` (`$in`)."""
    from smartgrocer.adapters import mongo_postings
    from smartgrocer.adapters.mongo_catalog import _query
    from smartgrocer.domain import search
    from smartgrocer.domain.catalog import SORTS
    from smartgrocer.domain.catalog_ports import ProductFilter

    query = search.plan(params["q"])
    term = query.groups[0][0]
    where = {"k": {"$gte": f"{term} ", "$lt": f"{term}!"}}
    if params.get("category"):
        where["c"] = params["category"]
    postings = database.search_postings.find(where, {"ids": 1}).sort("k", -1).limit(mongo_postings.PAGE)
    summary = plan_summary(postings.explain())
    if params.get("sort"):  # then the page on the sort key: among the matches' ids when they are few
        from smartgrocer.adapters.mongo_catalog import SORTED_IDS

        field, descending = SORTS[params["sort"]]
        found = _query(replace(ProductFilter(), term_groups=query.groups))
        keys = mongo_postings.MongoPostings(lambda: database).first(query.groups, None, SORTED_IDS + 1)
        if len(keys) <= SORTED_IDS:
            found["_id"] = {"$in": [key.rsplit("|", 1)[1] for key in keys]}
        cursor = database.products.find(found, {"terms": 0}).sort(field, -1 if descending else 1)
        page = plan_summary(cursor.limit(PAGE + 1).explain())
        summary = {
            "index": summary["index"] and page["index"],
            "collection_scan": summary["collection_scan"] or page["collection_scan"],
            "plan": summary["plan"] + ["then"] + page["plan"],
        }
    return summary


def _measure(calls_: list, budget: float, calls: int) -> tuple[list[list[float]], list]:
    """Interleaved: each callable in turn, round after round, until `calls` rounds or `budget` seconds; the
    times of each and its last answer. Page 1, page 2 and the floor in one series see the same noise."""
    times: list[list[float]] = [[] for _ in calls_]
    last: list = [None] * len(calls_)
    deadline = time.monotonic() + budget
    for _ in range(calls):
        for index, call in enumerate(calls_):
            started = time.perf_counter()
            last[index] = call()
            times[index].append((time.perf_counter() - started) * 1000)
        if time.monotonic() > deadline:
            break
    return times, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=100, help="calls per shape at most")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds per shape at most")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--data-dir", help="keep nx-27017's data here and reuse it (shared with bench.catalog)")
    options = parser.parse_args()

    with_database(run, options)


def run(options, engine: str) -> None:
    from smartgrocer.adapters.mongo import db

    database = db()
    sellers = [f"{i:024x}" for i in range(1, 201)]
    docs = list(build_products(options.products, sellers))
    loaded = load_catalog(database, docs, options.batch)
    insert_s, postings_s, index_s = loaded["insert"], loaded["postings"], loaded["indexes"]
    words = database.search_words.count_documents({})
    print(
        f"\r{engine}: {len(docs)} products inserted in {insert_s:.0f} s, their postings "
        f"({loaded['postings_documents']} buckets) in {postings_s:.0f} s; indexes and vocabulary ({words} words) "
        f"in {index_s:.1f} s"
    )

    products, suggest = _caller("products_list", "/api/products"), _caller("products_suggest", "/api/products/suggest")
    floor = lambda: products(FLOOR)  # noqa: E731
    results = []
    for name, params in SHAPES:
        first = products({**params, "limit": PAGE})
        expected = _oracle(docs, params)
        assert [p["id"] for p in first["items"]] == expected, f"{name}: page 1 is not the expected ranking"
        cursor = first["next_cursor"]
        plan = _explain(database, params)
        pages = [{**params, "limit": PAGE}] + ([{**params, "limit": PAGE, "cursor": cursor}] if cursor else [])
        if not cursor:
            print(f"  {name}: a single page, no page 2")
        readers = [lambda asked=asked: products(asked) for asked in pages]
        (*shape_times, floor_ms), answers = _measure([*readers, floor], 2 * options.budget, options.calls)
        for page, (shape_ms, answer) in enumerate(zip(shape_times, answers, strict=False), 1):
            results.append(_row(f"{name}, page {page}", page, shape_ms, floor_ms, len(answer["items"]), plan))
            print(
                f"  {results[-1]['shape']:<48} p50 {results[-1]['p50_ms']:8.2f} ms  floor p50 "
                f"{results[-1]['floor_p50_ms']:6.2f} ms  ({len(shape_ms)} calls)"
            )
    for name, params in SUGGESTIONS:
        (shape_ms, floor_ms), (last, _) = _measure(
            [lambda params=params: suggest(params), floor], options.budget, options.calls
        )
        results.append(_row(name, None, shape_ms, floor_ms, len(last["items"]), None))
        print(f"  {name:<48} p50 {results[-1]['p50_ms']:8.2f} ms  ({len(last['items'])} suggestions)")

    pages = []
    by_name = {r["shape"]: r for r in results}
    for name, params in SHAPES:
        one, two = by_name.get(f"{name}, page 1"), by_name.get(f"{name}, page 2")
        if one and two:
            pages.append(
                {
                    "query": name,
                    "ranked": "sort" not in params,  # a ranked page repeats page 1's reads; a sorted one reads on
                    "page1_p50_ms": one["p50_ms"],
                    "page2_p50_ms": two["p50_ms"],
                    "ratio": two["p50_ms"] / one["p50_ms"],
                }
            )
    headers = ["query shape", "p50 ms", "p99 ms", "floor p50 ms", "x floor (p50)", "calls", "items", "index", "scan"]
    rows = [
        [
            r["shape"],
            r["p50_ms"],
            r["p99_ms"],
            r["floor_p50_ms"],
            r["x_floor"],
            r["calls"],
            r["items"],
            r["index"],
            r["collection_scan"],
        ]
        for r in results
    ]
    page_headers = ["query", "page 1 p50 ms", "page 2 p50 ms", "page2/page1"]
    page_rows = [[p["query"], p["page1_p50_ms"], p["page2_p50_ms"], p["ratio"]] for p in pages]
    print()
    print(table(headers, rows))
    print()
    print(table(page_headers, page_rows))
    print("\ncandidate reads:")
    for r in results:
        if r["plan"]:
            print(f"  {r['shape']:<48} {' ; '.join(r['plan'])}")
    path = write_results(
        "search",
        {
            "engine": engine,
            "products": len(docs),
            "vocabulary_words": words,
            "insert_seconds": round(insert_s, 1),
            "postings_seconds": round(postings_s, 1),
            "postings_buckets": loaded["postings_documents"],
            "index_seconds": round(index_s, 1),
            "page_size": PAGE,
            "floor": "category=dairy-eggs, newest, page 1",
            "shapes": results,
            "pages": pages,
            "markdown": markdown_table(headers, rows) + "\n\n" + markdown_table(page_headers, page_rows),
        },
    )
    print(f"\nwritten to {path.relative_to(ROOT)}")


def _row(shape: str, page: int | None, shape_ms: list[float], floor_ms: list[float], items: int, plan) -> dict:
    p50, floor_p50 = percentile(shape_ms, 50), percentile(floor_ms, 50)
    return {
        "shape": shape,
        "page": page,
        "calls": len(shape_ms),
        "p50_ms": p50,
        "p99_ms": percentile(shape_ms, 99),
        "floor_p50_ms": floor_p50,
        "floor_p99_ms": percentile(floor_ms, 99),
        "x_floor": p50 / max(floor_p50, 1e-6),
        "items": items,
        "index": plan["index"] if plan else None,
        "collection_scan": plan["collection_scan"] if plan else None,
        "plan": plan["plan"] if plan else [],
    }


if __name__ == "__main__":
    sys.exit(main())
