"""The product catalog: listing, search, seller-owned edits, soft delete, categories.

Listing is keyset-paginated on one stored sort key per order (`k_price`, `k_newest`, `k_name`,
`k_unit_price`), each the sort value followed by the product id, so every page is an index range scan.
Search (`domain/search.py`) matches the terms every write stores in `terms` (`domain/search_text.py`),
one term per query word, found through the search postings every write then brings in line
(`post_search`); with a query the listing is ranked by relevance unless another sort is asked for, and
the relevance pages are keyset pages too (the cursor carries the score and the id). Search loads only
with the calls that search or write.

Edits are optimistic: every product carries an ETag naming its revision, and an edit must send it
back (`If-Match`). The write is one compare-and-set on that revision, so a seller's form that is
out of date (a sale moved the stock, another tab saved) is refused with 412 instead of silently
undoing what happened meanwhile.

Products are sold by the unit (the default; a product stored before `sold_by` existed is one) or by
weight: then the price is per kg, the stock is in grams and a basket takes at least `min_weight_g` in
steps of `step_g` (domain/weights.py); `sold_by` is fixed once created, as it says what the stock
counts. Every product also has a comparable unit price (per kg, litre or item, domain/unit_price.py),
computed when it is written and stored (`unit_price_cents`, `unit_price_basis`) with its sort key.

Shoppers see only products of sellers who can be paid (payout account active, domain/sellers.py): each
product stores `seller_payable`, set when it is created and kept in line by the `account.updated`
webhook; the listing, search, suggestions, category counts and the public read filter on it, while a
seller's own reads (the edit form, packing, low stock) do not.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from smartgrocer import settings
from smartgrocer.domain import etags, ports, weights
from smartgrocer.domain.catalog_ports import ProductFilter, ProductRepository, SearchWords, revision
from smartgrocer.domain.ids import decode_cursor, encode_cursor, new_id, sort_key_time
from smartgrocer.domain.unit_price import BASES, KEY_DIGITS, UnitPrice, label, unit_price
from smartgrocer.errors import BadRequest, Invalid, NotFound, PreconditionFailed, PreconditionRequired
from smartgrocer.money import format_amount

SORTS: dict[str, tuple[str, bool]] = {  # sort name -> (key field, descending)
    "price": ("k_price", False),
    "-price": ("k_price", True),
    "newest": ("k_newest", True),
    "name": ("k_name", False),
    "unit_price": ("k_unit_price", False),
    "-unit_price": ("k_unit_price", True),
}
RELEVANCE = "relevance"  # the default order of a listing with a query; without one it is "newest"
MAX_LIMIT = 100
NAME_KEY_WIDTH = 64


def _now() -> datetime:
    """Millisecond precision, as BSON stores it: what we return on create is what a later read returns."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def search_fields(product: dict) -> dict:
    """The stored search terms, the version of the rules that made them (apply-indexes rebuilds the terms
    of products stored under other rules) and a new `search_pending` token: the search postings follow
    the terms in a second step (`post_search`), which clears the token if no other write renewed it."""
    from smartgrocer.domain import search_text  # search loads with the routes that search or write, not every read

    return {
        "terms": search_text.stored_terms(product["name"], product["category"], product.get("description", "")),
        "search_v": search_text.SEARCH_VERSION,
        "search_pending": new_id(),
    }


def post_search(product_id: str) -> None:
    """The second step of every product write: its search postings follow what it now stores. A crash
    before it leaves the product's `search_pending` token, and `repair_search` finishes the job."""
    _products().post_search([product_id])


def repair_search(batch: int = 500, products: ProductRepository | None = None) -> int:
    """Post every product a write left pending (a crash between the product and its postings); run by the
    apply-indexes step. How many were posted."""
    products, repaired = products or _products(), 0
    while pending := products.pending_search(batch):
        posted = products.post_search(pending)
        repaired += posted
        if not posted:  # all of them rewritten meanwhile by writes that post themselves: leave them to those
            break
    return repaired


def _learn_words(product: dict) -> None:
    """The product's words join the vocabulary typos are corrected against. Written before the product
    itself: if this fails the product is not written either (and a retry is safe), while a word whose
    product then fails to be written costs nothing."""
    from smartgrocer.domain import search_text

    ports.resolve(SearchWords).add(search_text.vocabulary(product["name"], product.get("description", "")))


def unit_price_fields(product: dict) -> dict:
    """The stored comparable unit price and its sort key (written with every product write; filled in
    for products stored before them by the apply-indexes step)."""
    price = unit_price(product["price_cents"], product.get("unit") or "", weights.sold_by(product))
    return {
        "unit_price_cents": price.cents,
        "unit_price_basis": price.basis,
        "k_unit_price": f"{price.cents:0{KEY_DIGITS}d}|{product['_id']}",
    }


def _unit_price_of(doc: dict) -> UnitPrice:
    cents, basis = doc.get("unit_price_cents"), doc.get("unit_price_basis")
    if isinstance(cents, int) and not isinstance(cents, bool) and basis in BASES:
        return UnitPrice(cents, basis)
    return unit_price(doc["price_cents"], doc.get("unit") or "", weights.sold_by(doc))  # stored before the field


def sort_keys(product: dict) -> dict:
    """Everything stored that is derived from a product's own fields: the sort keys, the search terms and
    the comparable unit price."""
    pid = product["_id"]
    return {
        **unit_price_fields(product),
        "k_price": f"{product['price_cents']:010d}|{pid}",
        "k_newest": sort_key_time(product["created_at"], pid),
        "k_name": f"{product['name'].lower()[:NAME_KEY_WIDTH]:<{NAME_KEY_WIDTH}}|{pid}",
        **search_fields(product),
    }


def _products() -> ProductRepository:
    return ports.resolve(ProductRepository)


def etag(doc: dict) -> str:
    """Names the revision a seller saw. The stock is part of it as well: the stock is the one field
    written outside this module (checkout), and an edit of the stock is only right against the stock
    the seller saw (see `update_product`), whichever writer moved it."""
    return etags.quote(f"r{revision(doc)}.s{doc['stock']}")


def public_product(doc: dict) -> dict:
    weighed = weights.is_weighed(doc)
    per = _unit_price_of(doc)
    amount = format_amount(per.cents)
    return {
        "id": doc["_id"],
        "seller_id": doc["seller_id"],
        "seller_name": doc.get("seller_name", ""),
        "name": doc["name"],
        "description": doc.get("description", ""),
        "price": format_amount(doc["price_cents"]),
        "currency": doc["currency"],
        "category": doc["category"],
        "stock": doc["stock"],
        "unit": weights.WEIGHED_UNIT if weighed else doc["unit"],
        "sold_by": weights.sold_by(doc),
        "min_weight_g": doc.get("min_weight_g") if weighed else None,
        "step_g": doc.get("step_g") if weighed else None,
        "unit_price": {"amount": amount, "basis": per.basis, "label": label(amount, per.basis, doc["currency"])},
        "images": doc.get("images", []),
        "is_active": doc["is_active"],
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "etag": etag(doc),
    }


def list_products(
    *,
    q: str | None = None,
    category: str | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    seller_id: str | None = None,
    sort: str | None = None,
    limit: int = 24,
    cursor: str | None = None,
    payable_only: bool = True,
) -> dict:
    """A page of the catalog (`payable_only=False`: a seller's own listing, their products shown even
    before their payouts are set up). With a query, the products matching every word of it (search.py), best
    match first unless `sort` says otherwise; an empty first page then carries `did_you_mean`, a query
    that finds something, when there is one."""
    if min_price is not None and max_price is not None and min_price > max_price:
        raise Invalid(
            "min_price must not exceed max_price.",
            details=[{"loc": ["query", "min_price"], "msg": "greater than max_price"}],
        )
    from smartgrocer.domain import search

    where = ProductFilter(
        category=category or None,
        seller_id=seller_id or None,
        min_price_cents=min_price,
        max_price_cents=max_price,
        payable_only=payable_only,
    )
    query = search.plan(q) if q else None
    if sort is None or (sort == RELEVANCE and query is None):
        sort = RELEVANCE if query is not None else "newest"
    after = decode_cursor(cursor, sort) if cursor else None
    limit = min(limit, MAX_LIMIT)
    if q and query is None:  # punctuation only: nothing can match
        return {"items": [], "next_cursor": None, "did_you_mean": None}
    next_key: str | None = None
    if query is not None and sort == RELEVANCE:
        docs, next_key = search.ranked_page(query, where, limit, after)
    else:
        if query is not None:
            where = replace(where, term_groups=query.groups)
        key_field, descending = SORTS[sort]
        docs = _products().page(where, key_field, descending, after, limit + 1)  # one more: is there a next page?
        if len(docs) > limit:
            docs = docs[:limit]
            next_key = docs[-1][key_field]
    suggestion = None
    if query is not None and not docs and cursor is None:
        suggestion = search.did_you_mean(query, where)
    return {
        "items": [public_product(d) for d in docs],
        "next_cursor": encode_cursor({"s": sort, "k": next_key}) if next_key is not None else None,
        "did_you_mean": suggestion,
    }


def suggest(q: str) -> dict:
    """What to offer while a shopper types: categories and product names (search.suggest)."""
    from smartgrocer.domain import search

    return {"items": search.suggest(q)}


def get_product(product_id: str) -> dict:
    doc = _products().get(product_id, payable_only=True)  # shoppers see only what they can buy
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
            raise Invalid(
                "Images must be photos uploaded for this product.",
                details=[{"loc": ["body", "images", index], "msg": "not an uploaded product photo"}],
            )


def _check_new_photos(images: list[str], attached: list[str]) -> None:
    """Each photo not attached yet must really be a JPEG, PNG or WebP (domain/images.py reads its first
    bytes); one that is not is refused and deleted before anything is written."""
    new = [(index, url) for index, url in enumerate(images) if url not in attached]
    if not new:
        return
    from smartgrocer.domain import images as photos  # object storage loads only for writes that add photos

    for index, url in new:
        photos.check_uploaded(url, ["body", "images", index])


def images_base_url() -> str:
    return (settings.env("IMAGES_BASE_URL", "") or "").rstrip("/")


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise Invalid(
            " ".join(f"{field} {message}." for field, message in problems.items()),
            details=[{"loc": ["body", field], "msg": message} for field, message in problems.items()],
        )


_WEIGHT_ONLY = "is only for a product sold by weight (sold_by: weight)"
_PER_KG = 'must be "kg" (or left out): a product sold by weight is priced per kg'


def _selling(fields: dict) -> dict:
    """How a new product is sold: `sold_by`, `unit`, `min_weight_g`, `step_g` as stored; 422 for nonsense."""
    sold_by = fields.get("sold_by") or "unit"
    if sold_by == "weight":
        problems = weights.rule_problems(fields.get("min_weight_g"), fields.get("step_g"))
        if fields.get("unit", weights.WEIGHED_UNIT).lower() != weights.WEIGHED_UNIT:
            problems["unit"] = _PER_KG
        _refuse(problems)
        unit = weights.WEIGHED_UNIT
    else:
        _refuse({f: _WEIGHT_ONLY for f in ("min_weight_g", "step_g") if fields.get(f) is not None})
        unit = fields.get("unit", "each")
    return {
        "sold_by": sold_by,
        "unit": unit,
        "min_weight_g": fields.get("min_weight_g") if sold_by == "weight" else None,
        "step_g": fields.get("step_g") if sold_by == "weight" else None,
    }


def _selling_changes(current: dict, changes: dict) -> dict:
    """`changes` as they may be written to how `current` is sold; 422 for what may not change."""
    changes = dict(changes)
    sold_by = weights.sold_by(current)
    if "sold_by" in changes and changes.pop("sold_by") != sold_by:
        counted = "grams" if sold_by == "weight" else "items"
        raise Invalid(
            f"A product's sold_by cannot change once it is created: its stock is counted in {counted}. "
            "List the product again as a new product instead.",
            code="sold_by_fixed",
            details=[{"loc": ["body", "sold_by"], "msg": f"fixed at {sold_by!r}"}],
        )
    if sold_by == "weight":
        problems: dict[str, str] = {}
        if "unit" in changes:
            if changes["unit"].lower() != weights.WEIGHED_UNIT:
                problems["unit"] = _PER_KG
            changes["unit"] = weights.WEIGHED_UNIT
        if "min_weight_g" in changes or "step_g" in changes:
            problems.update(
                weights.rule_problems(
                    changes.get("min_weight_g", current.get("min_weight_g")),
                    changes.get("step_g", current.get("step_g")),
                )
            )
        _refuse(problems)
    else:
        _refuse({f: _WEIGHT_ONLY for f in ("min_weight_g", "step_g") if f in changes})
    return changes


def create_product(seller, fields: dict, *, drawn_pictures: bool = False) -> dict:
    """`fields` as sent: what is left out takes its default (unit "each", or "kg" sold by weight).
    `drawn_pictures`: the demo seed's own pictures, stored by the seed itself, are not uploads to check."""
    _check_images(fields.get("images", []), None)
    selling = _selling(fields)
    if not drawn_pictures:
        _check_new_photos(fields.get("images", []), [])
    created = _now()
    doc = {
        "_id": new_id(),
        "seller_id": seller.user_id,
        "seller_name": seller.full_name,
        "name": fields["name"],
        "description": fields.get("description", ""),
        "price_cents": fields["price"],  # per kg, sold by weight
        "currency": settings.CURRENCY,
        "category": fields["category"],
        "stock": fields["stock"],  # grams, sold by weight
        **selling,
        "images": fields.get("images", []),
        "is_active": True,
        "created_at": created,
        "updated_at": created,
        # stock accounting: stock + reserved + sold == received, from the first write on
        "rev": 1,
        "received": fields["stock"],
        "sold": 0,
    }
    doc.update(sort_keys(doc))
    from smartgrocer.domain import sellers

    doc["seller_payable"] = sellers.is_payable(seller.user_id)  # listed only once the seller can be paid
    _learn_words(doc)
    _products().insert(doc)
    post_search(doc["_id"])
    if sellers.is_payable(seller.user_id) != doc["seller_payable"]:
        # The payout status moved while this product was being written, and the webhook's update of the
        # seller's products may have run before the insert: bring all of them in line with it again.
        _products().set_seller_payable(seller.user_id, not doc["seller_payable"])
    return public_product(doc)


def _owner(principal) -> str | None:
    """Admins reach any product; a seller only their own (anyone else's is 'not found')."""
    return None if principal.role == "admin" else principal.user_id


def get_own_product(principal, product_id: str) -> dict:
    """The seller's own product as stored now (the edit form's starting point and its ETag)."""
    doc = _products().get(product_id, owner=_owner(principal))
    if not doc:
        raise NotFound("No such product.")
    return public_product(doc)


def _stale(current: dict) -> PreconditionFailed:
    from smartgrocer.models.products import ProductOut

    # Exactly what GET answers (timestamps, money): the client shows it field by field and edits on from it.
    shown = ProductOut.model_validate(public_product(current)).model_dump(mode="json")
    return PreconditionFailed(
        "This product changed after you loaded it (a sale or another edit), so nothing was saved. "
        "Reload it to see the current values, then make your change again.",
        code="stale_product",
        details={"current": shown},
    )


def _check_if_match(current: dict, if_match: str | None) -> None:
    """428 without a usable precondition, 400 for a header that is not a list of entity tags, 412 when
    none of the listed tags names the current revision."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Edits must say which version of the product they change: send If-Match "
            "with the ETag you read (GET /api/seller/products/{id})."
        )
    try:
        tags = etags.parse_if_match(if_match)
    except ValueError:
        raise BadRequest(
            'If-Match must be the ETag you read, quotes included (for example "r3.s10").', code="invalid_if_match"
        ) from None
    if tags is None:
        raise PreconditionRequired(
            "If-Match: * would overwrite whatever is stored now; send the product's ETag instead."
        )
    if etag(current).strip('"') not in tags:
        raise _stale(current)


def update_product(principal, product_id: str, changes: dict, if_match: str | None = None) -> dict:
    """Partial update guarded by If-Match, written as one compare-and-set on the revision (and stock)
    the precondition was checked against: a sale or edit landing between our read and our write makes
    the write match nothing, which is a 412 like any other stale edit, never a lost update."""
    if "images" in changes:
        _check_images(changes["images"], product_id)
    owner = _owner(principal)
    current = _products().get(product_id, owner=owner)
    if not current:
        raise NotFound("No such product.")
    changes = _selling_changes(current, changes)
    _check_if_match(current, if_match)
    if "images" in changes:
        _check_new_photos(changes["images"], current.get("images", []))
    wanted = {("price_cents" if k == "price" else k): v for k, v in changes.items()}
    update = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not update:  # nothing differs: no write, the revision (and ETag) stay as they are
        return public_product(current)
    if {"name", "description"} & update.keys():
        _learn_words({**current, **update})
    increments = {"rev": 1}
    if "stock" in update and "received" in current:
        # No sale happened since the seller read the stock (the precondition says so): the difference is
        # goods the seller added or wrote off. A product from before stock accounting has no `received`
        # to adjust; inventing one here would only look authoritative.
        increments["received"] = update["stock"] - current["stock"]
    written = _products().update(
        product_id,
        owner=owner,
        changes={**update, **sort_keys({**current, **update})},
        increments=increments,
        expect={"rev": revision(current), "stock": current["stock"]},
    )
    if written is None:
        latest = _products().get(product_id, owner=owner)
        if not latest:
            raise NotFound("No such product.")
        raise _stale(latest)
    post_search(product_id)
    return public_product(written)


def delete_product(principal, product_id: str) -> None:
    changes = {"is_active": False, "search_pending": new_id()}  # its postings go with it (post_search)
    if _products().update(product_id, owner=_owner(principal), changes=changes, increments={"rev": 1}) is None:
        raise NotFound("No such product.")
    post_search(product_id)


def require_owned_product(principal, product_id: str) -> dict:
    doc = _products().get(product_id, owner=_owner(principal))
    if not doc:
        raise NotFound("No such product.")
    return doc


def categories() -> list[dict]:
    from smartgrocer.models.products import CATEGORY_NAMES

    counts = _products().category_counts()
    return [{"slug": slug, "name": name, "count": counts.get(slug, 0)} for slug, name in CATEGORY_NAMES.items()]
