"""The product catalog: listing, search, seller-owned edits, soft delete, categories.

Listing is keyset-paginated on one stored sort key per order (`k_price`, `k_newest`, `k_name`),
each the sort value followed by the product id, so every page is an index range scan.
Search uses `terms`: lower-cased words of the name, category and description plus prefixes of
the name words (search-as-you-type), matched with `$all` on a multikey index.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from smartgrocer import settings
from smartgrocer.adapters.mongo import db
from smartgrocer.domain.ids import decode_cursor, keyset_page, new_id, sort_key_time
from smartgrocer.errors import Conflict, Invalid, NotFound
from smartgrocer.money import format_amount

SORTS: dict[str, tuple[str, bool]] = {  # sort name -> (key field, descending)
    "price": ("k_price", False),
    "-price": ("k_price", True),
    "newest": ("k_newest", True),
    "name": ("k_name", False),
}
MAX_LIMIT = 100
_WORD = re.compile(r"[a-z0-9]+")
_PREFIX_MIN, _PREFIX_MAX, _MAX_TERMS = 2, 15, 120
NAME_KEY_WIDTH = 64


def _now() -> datetime:
    """Millisecond precision, as BSON stores it: what we return on create is what a later read returns."""
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def search_terms(name: str, category: str, description: str) -> list[str]:
    terms: dict[str, None] = {}
    for word in words(name):
        for size in range(_PREFIX_MIN, min(len(word), _PREFIX_MAX) + 1):
            terms[word[:size]] = None
        terms[word] = None
    for word in words(category) + words(description):
        terms[word[:_PREFIX_MAX]] = None
    return list(terms)[:_MAX_TERMS]


def _query_terms(q: str) -> list[str]:
    return [w[:_PREFIX_MAX] for w in words(q)][:8]


def sort_keys(product: dict) -> dict:
    pid = product["_id"]
    return {
        "k_price": f"{product['price_cents']:010d}|{pid}",
        "k_newest": sort_key_time(product["created_at"], pid),
        "k_name": f"{product['name'].lower()[:NAME_KEY_WIDTH]:<{NAME_KEY_WIDTH}}|{pid}",
        "terms": search_terms(product["name"], product["category"], product.get("description", "")),
    }


def public_product(doc: dict) -> dict:
    return {
        "id": doc["_id"], "seller_id": doc["seller_id"], "seller_name": doc.get("seller_name", ""),
        "name": doc["name"], "description": doc.get("description", ""), "price": format_amount(doc["price_cents"]),
        "currency": doc["currency"], "category": doc["category"], "stock": doc["stock"], "unit": doc["unit"],
        "images": doc.get("images", []), "is_active": doc["is_active"], "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
    }


_LIST_PROJECTION = {"terms": 0}


def list_products(*, q: str | None = None, category: str | None = None, min_price: int | None = None,
                  max_price: int | None = None, seller_id: str | None = None, sort: str = "newest",
                  limit: int = 24, cursor: str | None = None) -> dict:
    if min_price is not None and max_price is not None and min_price > max_price:
        raise Invalid("min_price must not exceed max_price.",
                      details=[{"loc": ["query", "min_price"], "msg": "greater than max_price"}])
    query: dict = {"is_active": True}
    if category:
        query["category"] = category
    if seller_id:
        query["seller_id"] = seller_id
    if min_price is not None or max_price is not None:
        query["price_cents"] = {k: v for k, v in (("$gte", min_price), ("$lte", max_price)) if v is not None}
    if q:
        terms = _query_terms(q)
        if not terms:  # punctuation only: nothing can match
            return {"items": [], "next_cursor": None}
        query["terms"] = {"$all": terms} if len(terms) > 1 else terms[0]
    key_field, descending = SORTS[sort]
    after = decode_cursor(cursor, sort) if cursor else None
    docs, next_cursor = keyset_page(db().products, query, key_field, descending, min(limit, MAX_LIMIT), after,
                                    kind=sort, projection=_LIST_PROJECTION)
    return {"items": [public_product(d) for d in docs], "next_cursor": next_cursor}


def get_product(product_id: str) -> dict:
    doc = db().products.find_one({"_id": product_id, "is_active": True}, _LIST_PROJECTION)
    if not doc:
        raise NotFound("No such product.")
    return public_product(doc)


def _check_images(images: list[str], product_id: str | None) -> None:
    """Only photos uploaded through our presigned POST: no server-side fetches of arbitrary URLs."""
    base = images_base_url()
    prefix = f"{base}/products/{product_id}/" if product_id else f"{base}/products/"
    for index, url in enumerate(images):
        # No "%": an encoded "../" (%2e%2e) is decoded by browsers and would walk out of the images prefix.
        if not url.startswith(prefix) or ".." in url or not re.fullmatch(r"[\w\-./:]+", url):
            raise Invalid("Images must be photos uploaded for this product.",
                          details=[{"loc": ["body", "images", index], "msg": "not an uploaded product photo"}])


def images_base_url() -> str:
    return (settings.env("IMAGES_BASE_URL", "") or "").rstrip("/")


def create_product(seller, fields: dict) -> dict:
    _check_images(fields.get("images", []), None)
    created = _now()
    doc = {"_id": new_id(), "seller_id": seller.user_id, "seller_name": seller.full_name,
           "name": fields["name"], "description": fields.get("description", ""), "price_cents": fields["price"],
           "currency": settings.CURRENCY, "category": fields["category"], "stock": fields["stock"],
           "unit": fields.get("unit", "each"), "images": fields.get("images", []), "is_active": True,
           "created_at": created, "updated_at": created}
    doc.update(sort_keys(doc))
    db().products.insert_one(doc)
    return public_product(doc)


def _owned_filter(principal, product_id: str) -> dict:
    """Admins reach any product; a seller only their own (anyone else's is 'not found')."""
    query: dict = {"_id": product_id, "is_active": True}
    if principal.role != "admin":
        query["seller_id"] = principal.user_id
    return query


KEY_SOURCES = ("name", "price_cents", "category", "description")  # what sort keys and search terms derive from
UPDATE_ATTEMPTS = 3


def update_product(principal, product_id: str, changes: dict) -> dict:
    """Compare-and-set on the fields the sort keys derive from: two concurrent partial edits (say name
    and price) can never leave a sort key computed from a stale value."""
    from pymongo import ReturnDocument

    if "images" in changes:
        _check_images(changes["images"], product_id)
    update = {("price_cents" if k == "price" else k): v for k, v in changes.items()}
    for _ in range(UPDATE_ATTEMPTS):
        current = db().products.find_one(_owned_filter(principal, product_id))
        if not current:
            raise NotFound("No such product.")
        if not update:
            return public_product(current)
        unchanged = {field: current.get(field) for field in KEY_SOURCES}
        # $currentDate, not $set of a datetime: nx-27017 stores a $set datetime as a string
        doc = db().products.find_one_and_update(
            {**_owned_filter(principal, product_id), **unchanged},
            {"$set": {**update, **sort_keys({**current, **update})}, "$currentDate": {"updated_at": True}},
            return_document=ReturnDocument.AFTER)
        if doc:
            return public_product(doc)
    raise Conflict("The product changed meanwhile; reload it and try again.", code="concurrent_update")


def delete_product(principal, product_id: str) -> None:
    result = db().products.update_one(_owned_filter(principal, product_id),
                                      {"$set": {"is_active": False}, "$currentDate": {"updated_at": True}})
    if result.matched_count == 0:
        raise NotFound("No such product.")


def require_owned_product(principal, product_id: str) -> dict:
    doc = db().products.find_one(_owned_filter(principal, product_id), {"_id": 1})
    if not doc:
        raise NotFound("No such product.")
    return doc


def categories() -> list[dict]:
    from smartgrocer.models.products import CATEGORY_NAMES

    counts = {row["_id"]: row["count"] for row in db().products.aggregate([
        {"$match": {"is_active": True}}, {"$group": {"_id": "$category", "count": {"$sum": 1}}}])}
    return [{"slug": slug, "name": name, "count": counts.get(slug, 0)} for slug, name in CATEGORY_NAMES.items()]
