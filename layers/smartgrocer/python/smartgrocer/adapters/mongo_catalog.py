"""The catalog's ProductRepository on MongoDB (the `products` collection).

Formulated for both MongoDB and nx-27017 (README, "Known gaps"): listings range-scan one stored
sort key (no `(field, _id)` pairs, no `$or`), search matches the multikey `terms` array, and
timestamps are stamped with `$currentDate` (nx-27017 stores a `$set` datetime as a string).
"""

from __future__ import annotations

from collections.abc import Callable

from pymongo import ReturnDocument
from pymongo.database import Database

from smartgrocer.domain.catalog_ports import ProductFilter

_NO_TERMS = {"terms": 0}  # search terms are an index, never part of what callers read


def _selector(product_id: str, owner: str | None) -> dict:
    selector: dict = {"_id": product_id, "is_active": True}
    if owner is not None:
        selector["seller_id"] = owner
    return selector


def _expected(field: str, value):
    # A product stored before revisions has no `rev`: it is at revision 0. `$in: [None, 0]` matches a
    # missing, null or 0 field on MongoDB and on nx-27017 alike.
    return {"$in": [None, 0]} if field == "rev" and value == 0 else value


class MongoProductRepository:
    def __init__(self, database: Callable[[], Database]):
        self._db = database  # called per use: tests point the process at another database

    @property
    def _products(self):
        return self._db().products

    def insert(self, doc: dict) -> None:
        self._products.insert_one(doc)

    def get(self, product_id: str, *, owner: str | None = None) -> dict | None:
        return self._products.find_one(_selector(product_id, owner), _NO_TERMS)

    def page(self, where: ProductFilter, key_field: str, descending: bool, after: str | None, limit: int) -> list[dict]:
        query: dict = {"is_active": True}
        if where.category:
            query["category"] = where.category
        if where.seller_id:
            query["seller_id"] = where.seller_id
        if where.min_price_cents is not None or where.max_price_cents is not None:
            query["price_cents"] = {
                op: v for op, v in (("$gte", where.min_price_cents), ("$lte", where.max_price_cents)) if v is not None
            }
        if where.terms:
            query["terms"] = {"$all": list(where.terms)} if len(where.terms) > 1 else where.terms[0]
        if after is not None:
            query[key_field] = {"$lt" if descending else "$gt": after}
        cursor = self._products.find(query, _NO_TERMS).sort(key_field, -1 if descending else 1).limit(limit)
        return list(cursor)

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
                [{"$match": {"is_active": True}}, {"$group": {"_id": "$category", "count": {"$sum": 1}}}]
            )
        }

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
