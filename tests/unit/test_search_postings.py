"""Search postings (adapters/mongo_postings.py): which buckets a product's key goes in, and reading them back
newest first, a page of buckets at a time, as the intersection of a query's words."""

from __future__ import annotations

import random

from smartgrocer.adapters import mongo_postings as postings
from smartgrocer.adapters.mongo_postings import MongoPostings, buckets_of, documents, intersect, union


def _product(pid: str, day: str, category: str, terms: list[str], active: bool = True) -> dict:
    return {
        "_id": pid,
        "k_newest": f"{day}120000000000|{pid}",
        "category": category,
        "terms": terms,
        "is_active": active,
    }


def test_a_product_is_posted_under_each_term_on_its_day_in_its_category():
    doc = _product("p1", "20240301", "bakery", ["n:bread", "k:bread", "k:br"])
    assert buckets_of(doc) == ["k:br 20240301 bakery", "k:bread 20240301 bakery", "n:bread 20240301 bakery"]
    assert buckets_of({**doc, "is_active": False}) == []  # a deleted product is in no bucket
    (first, *_) = documents([doc, _product("p2", "20240301", "bakery", ["k:br"])])
    assert first == {
        "_id": "k:br 20240301 bakery",
        "k": "k:br 20240301 bakery",
        "c": "bakery",
        "ids": sorted([doc["k_newest"], "20240301120000000000|p2"]),
    }


def test_intersection_and_union_of_descending_streams():
    assert list(intersect([iter("9754321"), iter("975421"), iter("97531")])) == ["9", "7", "5", "1"]
    assert list(intersect([iter("97"), iter("")])) == []
    assert list(intersect([])) == []
    assert list(union([iter("953"), iter("9641")])) == ["9", "6", "5", "4", "3", "1"]


class _Buckets:
    """Just enough of a collection for `MongoPostings.newest`: a range on `k`, an equality on `c`, sorted, limited."""

    def __init__(self, docs: list[dict]):
        self.docs, self.reads = docs, 0

    def find(self, where: dict, projection: dict):
        self.reads += 1
        found = [
            d
            for d in self.docs
            if where["k"]["$gte"] <= d["k"] < where["k"]["$lt"] and ("c" not in where or d["c"] == where["c"])
        ]
        return _Cursor(found)


class _Cursor:
    def __init__(self, docs):
        self.docs = docs

    def sort(self, field, direction):
        return _Cursor(sorted(self.docs, key=lambda d: d[field], reverse=direction < 0))

    def limit(self, count):
        return iter(self.docs[:count])


def test_keys_come_back_newest_first_across_pages_of_buckets(monkeypatch):
    monkeypatch.setattr(postings, "PAGE", 2)  # fewer than a day's categories: pages end mid-day, and grow
    rng = random.Random(7)
    categories = ["bakery", "dairy-eggs", "pantry"]
    products = [
        _product(
            f"p{i:03d}",
            f"202403{rng.randrange(1, 10):02d}",
            rng.choice(categories),
            rng.sample(["k:a", "k:b", "k:ab"], 2),
        )
        for i in range(120)
    ]
    buckets = _Buckets(documents(products))
    reader = MongoPostings(lambda: None)
    monkeypatch.setattr(MongoPostings, "_buckets", property(lambda self: buckets))

    def expected(terms, category=None):
        hits = [p for p in products if set(terms) <= set(p["terms"]) and category in (None, p["category"])]
        return sorted((p["k_newest"] for p in hits), reverse=True)

    assert list(reader.newest("k:a", None)) == expected(["k:a"])
    assert list(reader.newest("k:a", "pantry")) == expected(["k:a"], "pantry")
    assert list(reader.matching((("k:a",), ("k:b",)), None)) == expected(["k:a", "k:b"])
    assert list(reader.matching((("k:a",), ("k:b",)), "bakery")) == expected(["k:a", "k:b"], "bakery")
    assert list(reader.newest("k:c", None)) == []
    monkeypatch.setattr(postings, "PAGE", 4)  # more than a day's categories
    buckets.reads = 0
    assert reader.first((("k:ab",),), None, 3) == expected(["k:ab"])[:3]
    assert buckets.reads == 1  # the newest keys cost one page of buckets, however many are older
