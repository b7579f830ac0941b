"""The catalog's ProductRepository on MongoDB (the `products` collection).

Formulated for both MongoDB and nx-27017 (README, "Known gaps"): listings range-scan one stored
sort key (no `(field, _id)` pairs, no `$or`), search finds its candidates in the postings
(`mongo_postings`: a few index ranges) and fetches them by `_id` with the multikey `terms` array
checked by `$all` (one term per query word; no `$and`, see `_query`), and timestamps are stamped
with `$currentDate` (nx-27017 stores a `$set` datetime as a string). The search vocabulary (`MongoSearchWords`) is the
`search_words` collection: one document per word, `_id` the word, with its trigrams `g` (multikey
index with the length `n`) and its rank `r`.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

from pymongo import ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from smartgrocer.adapters.mongo_postings import MongoPostings
from smartgrocer.domain.catalog_ports import ProductFilter
from smartgrocer.domain.search_text import trigrams

_NO_TERMS = {"terms": 0, "posted": 0}  # search terms are an index, never part of what callers read
_RANKED = {"name": 1, "category": 1, "description": 1, "k_newest": 1}  # what search scores a candidate by
MAX_EXAMINED = 5_000  # posted keys a search fetches at most to find its candidates (filters beyond category)
SORTED_IDS = 200  # a sorted search reads its matches by id when this few (each document fetched costs, on nx-27017)


def _selector(product_id: str, owner: str | None, payable_only: bool = False) -> dict:
    selector: dict = {"_id": product_id, "is_active": True}
    if owner is not None:
        selector["seller_id"] = owner
    if payable_only:
        selector["seller_payable"] = True
    return selector


def _expected(field: str, value):
    # A product stored before revisions has no `rev`: it is at revision 0. `$in: [None, 0]` matches a
    # missing, null or 0 field on MongoDB and on nx-27017 alike.
    return {"$in": [None, 0]} if field == "rev" and value == 0 else value


def _query(where: ProductFilter) -> dict:
    query: dict = {"is_active": True}
    if where.payable_only:  # an equality beside the sort key's range: the listing indexes serve it as before
        query["seller_payable"] = True
    if where.category:
        query["category"] = where.category
    if where.seller_id:
        query["seller_id"] = where.seller_id
    if where.min_price_cents is not None or where.max_price_cents is not None:
        query["price_cents"] = {
            op: v for op, v in (("$gte", where.min_price_cents), ("$lte", where.max_price_cents)) if v is not None
        }
    # Every term of a one-term group, and one of the terms of the first larger group, on the field itself:
    # both operators translate to SQL on nx-27017, which answers `$and` by reading every document into
    # Python (README, "Known gaps"). Search asks for one term per word, so `$and` is for the unusual rest.
    singles = [group[0] for group in where.term_groups if len(group) == 1]
    larger = [list(group) for group in where.term_groups if len(group) > 1]
    terms: dict = {}
    if singles:
        terms["$all"] = singles
    if larger:
        terms["$in"] = larger[0]
    if terms:
        query["terms"] = terms
    if larger[1:]:
        query["$and"] = [{"terms": {"$in": group}} for group in larger[1:]]
    return query


class MongoProductRepository:
    def __init__(self, database: Callable[[], Database]):
        self._db = database  # called per use: tests point the process at another database

    @property
    def _products(self):
        return self._db().products

    @property
    def _postings(self) -> MongoPostings:
        return MongoPostings(self._db)

    def post_search(self, product_ids: list[str]) -> int:
        return self._postings.post(self._products, product_ids)

    def pending_search(self, limit: int) -> list[str]:
        found = self._products.find({"search_pending": {"$gt": ""}}, {"_id": 1}).limit(limit)
        return [doc["_id"] for doc in found]

    def insert(self, doc: dict) -> None:
        self._products.insert_one(doc)

    def get(self, product_id: str, *, owner: str | None = None, payable_only: bool = False) -> dict | None:
        return self._products.find_one(_selector(product_id, owner, payable_only), _NO_TERMS)

    def page(self, where: ProductFilter, key_field: str, descending: bool, after: str | None, limit: int) -> list[dict]:
        query = _query(where)
        if where.term_groups:
            keys = self._postings.first(where.term_groups, where.category, SORTED_IDS + 1)
            if len(keys) <= SORTED_IDS:  # few matches: read them by id; many: they are dense along the sort key
                query["_id"] = {"$in": [key.rsplit("|", 1)[1] for key in keys]}
        if after is not None:
            query[key_field] = {"$lt" if descending else "$gt": after}
        cursor = self._products.find(query, _NO_TERMS).sort(key_field, -1 if descending else 1).limit(limit)
        return list(cursor)

    def candidates(self, where: ProductFilter, limit: int) -> list[dict]:
        # The postings name the newest products that may match; the products themselves decide (their
        # `terms`, the filters): first as many as asked for, then more while filters turn some away.
        if not where.term_groups:
            return list(self._products.find(_query(where), _RANKED).sort("k_newest", -1).limit(limit))
        keys = self._postings.matching(where.term_groups, where.category)
        found: list[dict] = []
        examined, chunk = 0, limit
        while len(found) < limit and examined < MAX_EXAMINED:
            batch = list(islice(keys, min(chunk, MAX_EXAMINED - examined)))
            if not batch:
                break
            examined += len(batch)
            query = {**_query(where), "_id": {"$in": [key.rsplit("|", 1)[1] for key in batch]}}
            found += sorted(self._products.find(query, _RANKED), key=lambda d: d["k_newest"], reverse=True)
            chunk *= 2  # the filters turned some away: look further, faster
        return found[:limit]

    def by_ids(self, product_ids: list[str]) -> list[dict]:
        if not product_ids:
            return []
        return list(self._products.find({"_id": {"$in": product_ids}, "is_active": True}, _NO_TERMS))

    def update(
        self, product_id: str, *, owner: str | None, changes: dict, increments: dict, expect: dict | None = None
    ) -> dict | None:
        selector = _selector(product_id, owner)
        for field, value in (expect or {}).items():
            selector[field] = _expected(field, value)
        operations: dict = {"$currentDate": {"updated_at": True}}
        if changes:
            operations["$set"] = changes
        if increments:
            operations["$inc"] = increments
        return self._products.find_one_and_update(
            selector, operations, projection=_NO_TERMS, return_document=ReturnDocument.AFTER
        )

    def category_counts(self) -> dict[str, int]:
        return {
            row["_id"]: row["count"]
            for row in self._products.aggregate(
                [
                    {"$match": {"is_active": True, "seller_payable": True}},
                    {"$group": {"_id": "$category", "count": {"$sum": 1}}},
                ]
            )
        }

    def set_seller_payable(self, seller_id: str, payable: bool) -> int:
        # `rev` stays: the flag is not part of what a seller edits, so their open edit form stays current.
        written = self._products.update_many({"seller_id": seller_id}, {"$set": {"seller_payable": payable}})
        return written.modified_count

    def low_stock(self, seller_id: str, threshold: int, limit: int, sold_by: str = "unit") -> list[dict]:
        weighed = {"sold_by": "weight"} if sold_by == "weight" else {"sold_by": {"$ne": "weight"}}
        return list(
            self._products.find(
                {"seller_id": seller_id, "is_active": True, "stock": {"$lte": threshold}, **weighed},
                {"name": 1, "stock": 1, "sold_by": 1},
            )
            .sort("stock", 1)
            .limit(limit)
        )


class MongoSearchWords:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    @property
    def _words(self):
        return self._db().search_words

    def add(self, words: dict[str, int]) -> None:
        if not words:
            return
        writes = [
            UpdateOne({"_id": w}, {"$setOnInsert": {"g": trigrams(w), "n": len(w)}, "$max": {"r": r}}, upsert=True)
            for w, r in sorted(words.items())
        ]
        try:
            self._words.bulk_write(writes, ordered=False)
        except BulkWriteError as error:  # two writers inserting the same new word: one wins, which is all we need
            if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
                raise

    def known(self, words: list[str]) -> set[str]:
        if not words:
            return set()
        return {doc["_id"] for doc in self._words.find({"_id": {"$in": words}}, {"_id": 1})}

    def near(self, grams: list[str], min_length: int, max_length: int, limit: int) -> dict[str, int]:
        found = self._words.find({"g": {"$in": grams}, "n": {"$gte": min_length, "$lte": max_length}}, {"r": 1})
        return {doc["_id"]: doc.get("r") or 1 for doc in found.limit(limit)}
