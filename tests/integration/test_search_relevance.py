"""Relevance over the demo catalog, on the real MongoDB adapter and server (nx-27017): the committed test set
(search_relevance.json) scored as precision at 1 and at 3, against a threshold.

The demo catalog is written into a database of its own (the suites' shared one holds thousands of test
products) through the same domain calls the seed uses, with the declared indexes applied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SET = json.loads((Path(__file__).with_name("search_relevance.json")).read_text())["queries"]
THRESHOLD_AT_1, THRESHOLD_AT_3 = 0.9, 0.9


@pytest.fixture(scope="module")
def demo_catalog(runtime):
    from local.seed import CATALOG, demo_products
    from smartgrocer.adapters.mongo import client
    from smartgrocer.adapters.mongo_catalog import MongoProductRepository, MongoSearchWords
    from smartgrocer.adapters.mongo_sellers import MongoSellers
    from smartgrocer.domain import catalog, ports
    from smartgrocer.domain.auth import Principal
    from smartgrocer.domain.catalog_ports import ProductRepository, SearchWords
    from smartgrocer.domain.checkout_ports import SellerRepository
    from smartgrocer.indexes import apply_indexes

    database = client()["smartgrocer_relevance"]
    for name in ("products", "search_words", "search_postings", "sellers"):
        database[name].drop()
    apply_indexes(database)
    previous = {port: ports._factories.get(port) for port in (ProductRepository, SearchWords, SellerRepository)}
    ports.use(ProductRepository, MongoProductRepository(lambda: database))
    ports.use(SearchWords, MongoSearchWords(lambda: database))
    ports.use(SellerRepository, MongoSellers(lambda: database))
    sellers = {
        email: Principal(f"{i:024x}", "seller", email, shop) for i, (email, (shop, _)) in enumerate(CATALOG.items())
    }
    database.sellers.insert_many(  # the demo sellers can be paid: their products are listed
        [
            {"_id": s.user_id, "name": s.full_name, "payouts": {"account_id": f"acct_{s.user_id}", "status": "active"}}
            for s in sellers.values()
        ]
    )
    for email, _, fields in demo_products(pictures=False):
        catalog.create_product(sellers[email], fields)
    yield catalog
    for port, factory in previous.items():
        if factory is not None:
            ports.register(port, factory)


def _judge(catalog, case: dict) -> tuple[float | None, float | None, list[str]]:
    """(hit at 1, share at 3, the first names) for one query; None where the query has no answer."""
    found = [p["name"] for p in catalog.list_products(q=case["q"], limit=10)["items"]]
    relevant = set(case.get("top1") or case.get("top3") or [])
    if not relevant:
        return None, None, found
    at_1 = 1.0 if found and found[0] in relevant else 0.0
    at_3 = len(set(found[:3]) & relevant) / min(3, len(relevant))
    if "top1" in case:  # one right answer: it must be in the top 3 as well
        at_3 = 1.0 if set(found[:3]) & relevant else 0.0
    return at_1, at_3, found


def test_the_set_is_big_and_varied_enough():
    kinds = {case["kind"] for case in SET}
    assert len(SET) >= 40
    assert {"misspelling", "plural/singular", "everyday word", "category", "multi-word", "no answer"} <= kinds


def test_precision_at_1_and_3(demo_catalog, capsys):
    at_1, at_3, misses = [], [], []
    for case in SET:
        hit_1, share_3, found = _judge(demo_catalog, case)
        if hit_1 is None:
            if found:
                misses.append(f"{case['q']!r} has no answer but found {found[:3]}")
            continue
        at_1.append(hit_1)
        at_3.append(share_3)
        if hit_1 < 1 or share_3 < 1:
            misses.append(f"{case['q']!r} ({case['kind']}): @1 {hit_1:.0f}, @3 {share_3:.2f}, got {found[:3]}")
    p_1, p_3 = sum(at_1) / len(at_1), sum(at_3) / len(at_3)
    with capsys.disabled():
        print(f"\nsearch relevance: {len(SET)} queries, precision@1 {p_1:.3f}, precision@3 {p_3:.3f}")
        for miss in misses:
            print(f"  miss: {miss}")
    assert p_1 >= THRESHOLD_AT_1 and p_3 >= THRESHOLD_AT_3, misses
    assert not [m for m in misses if "no answer" in m], misses


@pytest.mark.parametrize("case", [c for c in SET if c["kind"] == "no answer"], ids=lambda c: c["q"])
def test_queries_without_an_answer_find_nothing(demo_catalog, case):
    assert demo_catalog.list_products(q=case["q"])["items"] == []
