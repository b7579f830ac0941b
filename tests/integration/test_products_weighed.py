"""Products sold by weight and the comparable unit price, over HTTP: creating a weighed product, the
minimum/step rules, `sold_by` fixed once created, the unit price in every answer, `sort=unit_price`
with keyset pages, and products stored before any of it (listed as they are, filled in by the
apply-indexes step)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.integration.helpers import assert_error

INTERNAL = {"unit_price_cents", "unit_price_basis", "k_unit_price", "price_cents", "received", "sold"}


def _comte(**fields):
    return {
        "name": "Comté 18 months",
        "description": "Cut to order.",
        "price": "28.50",
        "category": "dairy-eggs",
        "stock": 20_000,
        "sold_by": "weight",
        "min_weight_g": 100,
        "step_g": 50,
        **fields,
    }


def _stored(product_id: str) -> dict:
    from smartgrocer.adapters.mongo import db

    doc = db().products.find_one({"_id": product_id})
    assert doc is not None
    return doc


def _fresh_seller(api, prefix: str):
    return api.signup(f"{prefix}-{uuid.uuid4().hex[:10]}@example.com", is_seller=True)


# -- creating --------------------------------------------------------------------------------------


def test_seller_creates_a_product_sold_by_weight(api, seller):
    created = api.post("/api/products", seller, json=_comte())
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["sold_by"] == "weight" and product["unit"] == "kg"
    assert (product["min_weight_g"], product["step_g"]) == (100, 50)
    assert product["price"] == "28.50" and product["stock"] == 20_000
    assert product["unit_price"] == {"amount": "28.50", "basis": "kg", "label": "$28.50/kg"}
    assert not INTERNAL & set(product)
    assert api.get(f"/api/products/{product['id']}").json() == product
    assert api.get(f"/api/seller/products/{product['id']}", seller).json() == product
    stored = _stored(product["id"])
    assert stored["price_cents"] == 2850 and stored["stock"] == 20_000  # per kg, in grams
    assert (stored["unit_price_cents"], stored["unit_price_basis"]) == (2850, "kg")
    assert stored["received"] == 20_000 and stored["sold"] == 0  # stock accounting, in grams


def test_unit_kg_may_be_sent_for_a_weighed_product(api, seller):
    product = api.create_product(seller, **_comte(unit="KG"))
    assert product["unit"] == "kg" and product["sold_by"] == "weight"


def test_products_are_sold_by_the_unit_by_default(api, seller):
    product = api.create_product(seller, price="1.40", unit="250 g")
    assert product["sold_by"] == "unit" and product["min_weight_g"] is None and product["step_g"] is None
    assert product["unit"] == "250 g"
    assert product["unit_price"] == {"amount": "5.60", "basis": "kg", "label": "$5.60/kg"}
    defaulted = api.post(
        "/api/products", seller, json={"name": "Plain", "price": "2.40", "category": "bakery", "stock": 3}
    ).json()
    assert defaulted["unit"] == "each" and defaulted["sold_by"] == "unit"
    assert defaulted["unit_price"] == {"amount": "2.40", "basis": "item", "label": "$2.40/item"}


@pytest.mark.parametrize(
    "unit, price, expected",
    [
        ("kg", "1.10", ("1.10", "kg")),
        ("1.5 kg", "1.70", ("1.13", "kg")),
        ("750 ml", "6.40", ("8.53", "l")),
        ("2L", "2.00", ("1.00", "l")),
        ("pack of 6", "2.40", ("0.40", "item")),
        ("6 pack", "2.40", ("0.40", "item")),
        ("x6", "2.40", ("0.40", "item")),
        ("each", "0.45", ("0.45", "item")),
        ("box", "3.10", ("3.10", "item")),
    ],
)
def test_unit_price_of_unit_products(api, seller, unit, price, expected):
    product = api.create_product(seller, unit=unit, price=price)
    assert (product["unit_price"]["amount"], product["unit_price"]["basis"]) == expected


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"min_weight_g": None}, "min_weight_g"),  # required when sold by weight
        ({"step_g": None}, "step_g"),
        ({"step_g": 0}, "step_g"),
        ({"step_g": 5_001}, "step_g"),
        ({"min_weight_g": 0}, "min_weight_g"),
        ({"min_weight_g": 10_050}, "min_weight_g"),
        ({"min_weight_g": 120}, "min_weight_g"),  # not a whole number of 50 g steps
        ({"min_weight_g": 25}, "min_weight_g"),
        ({"min_weight_g": "100"}, "min_weight_g"),  # integers only
        ({"min_weight_g": 100.5}, "min_weight_g"),
        ({"step_g": True}, "step_g"),
        ({"unit": "500 g"}, "unit"),  # a weighed product is priced per kg
        ({"sold_by": "kilo"}, "sold_by"),
        ({"sold_by": "unit"}, "min_weight_g"),  # minimum and step are for weighed products only
        ({"sold_by": "unit", "min_weight_g": None}, "step_g"),
    ],
)
def test_nonsense_weights_are_422(api, seller, fields, field):
    error = assert_error(api.post("/api/products", seller, json=_comte(**fields)), 422, "validation_error")
    assert any(d["loc"][:2] == ["body", field] for d in error["details"]), error


def test_weight_errors_say_what_to_send(api, seller):
    error = assert_error(api.post("/api/products", seller, json=_comte(min_weight_g=120)), 422, "validation_error")
    assert error["message"] == "min_weight_g must be a whole number of steps of 50 g (for example 100)."
    error = assert_error(api.post("/api/products", seller, json=_comte(step_g=None)), 422)
    assert error["details"] == [{"loc": ["body", "step_g"], "msg": "is required for a product sold by weight"}]


# -- editing ---------------------------------------------------------------------------------------


def _put(api, account, product, **changes):
    return api.put(f"/api/products/{product['id']}", account, json=changes, headers={"If-Match": product["etag"]})


def test_sold_by_is_fixed_once_created(api, seller):
    weighed, counted = api.create_product(seller, **_comte()), api.create_product(seller)
    for product, other in ((weighed, "unit"), (counted, "weight")):
        error = assert_error(_put(api, seller, product, sold_by=other, price="1.00"), 422, "sold_by_fixed")
        assert "cannot change" in error["message"]
        assert error["details"] == [{"loc": ["body", "sold_by"], "msg": f"fixed at {product['sold_by']!r}"}]
        assert api.get(f"/api/products/{product['id']}").json() == product  # nothing written
    same = _put(api, seller, weighed, sold_by="weight")
    assert same.status_code == 200 and same.json() == weighed  # the same value is no change at all


def test_sold_by_fixed_is_checked_before_the_precondition(api, seller):
    product = api.create_product(seller, **_comte())
    response = api.put(f"/api/products/{product['id']}", seller, json={"sold_by": "unit"})
    assert_error(response, 422, "sold_by_fixed")


def test_minimum_and_step_can_change(api, seller):
    product = api.create_product(seller, **_comte())
    response = _put(api, seller, product, min_weight_g=200, step_g=100)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["min_weight_g"], changed["step_g"]) == (200, 100) and changed["etag"] != product["etag"]
    error = assert_error(_put(api, seller, changed, step_g=75), 422, "validation_error")  # 200 g is not 75 g steps
    assert error["details"][0]["loc"] == ["body", "min_weight_g"]
    assert_error(_put(api, seller, changed, step_g=5_001), 422, "validation_error")
    assert_error(_put(api, seller, changed, unit="500 g"), 422, "validation_error")
    assert_error(_put(api, seller, changed, min_weight_g=None), 422, "validation_error")  # never null
    kilo = _put(api, seller, changed, unit="kg")
    assert kilo.status_code == 200 and kilo.json() == changed
    assert api.get(f"/api/products/{product['id']}").json() == changed


def test_weights_are_for_weighed_products_only(api, seller):
    product = api.create_product(seller)
    for field in ("min_weight_g", "step_g"):
        error = assert_error(_put(api, seller, product, **{field: 100}), 422, "validation_error")
        assert error["details"][0]["loc"] == ["body", field]


def test_edits_recompute_the_unit_price(api, seller):
    product = api.create_product(seller, price="2.99", unit="500 g")
    assert product["unit_price"]["amount"] == "5.98"
    relabelled = _put(api, seller, product, unit="1 l").json()
    assert relabelled["unit_price"] == {"amount": "2.99", "basis": "l", "label": "$2.99/l"}
    repriced = _put(api, seller, relabelled, price="0.50").json()
    assert repriced["unit_price"]["amount"] == "0.50"
    weighed = api.create_product(seller, **_comte())
    assert _put(api, seller, weighed, price="31.00").json()["unit_price"]["amount"] == "31.00"
    stored = _stored(repriced["id"])
    assert (stored["unit_price_cents"], stored["unit_price_basis"]) == (50, "l")


def test_restocking_a_weighed_product_counts_grams(api, seller):
    product = api.create_product(seller, **_comte(stock=5_000))
    restocked = _put(api, seller, product, stock=12_500).json()
    assert restocked["stock"] == 12_500 and _stored(product["id"])["received"] == 12_500


# -- sorting by unit price -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def comparable(api, runtime):
    """One seller, unit prices across bases, with ties (2.00 per kg, per kg, per litre)."""
    seller = _fresh_seller(api, "unitprice")
    rows = [
        {"name": "Loose apples", "price": "1.10", "sold_by": "weight", "min_weight_g": 250, "step_g": 250},
        {"name": "Apples bag", "price": "1.40", "unit": "250 g"},
        {"name": "Rolls", "price": "2.40", "unit": "pack of 6"},
        {"name": "Olive oil", "price": "6.40", "unit": "750 ml"},
        {"name": "Garlic", "price": "0.45", "unit": "each"},
        {"name": "Rice", "price": "2.00", "unit": "1 kg"},
        {"name": "Pasta", "price": "1.00", "unit": "500 g"},
        {"name": "Water", "price": "4.00", "unit": "2 l"},
        {"name": "Cheese", "price": "28.50", "sold_by": "weight", "min_weight_g": 100, "step_g": 50},
        {"name": "Tea", "price": "3.10", "unit": "box"},
        {"name": "Eggs", "price": "2.60", "unit": "12 pack"},
    ]
    products = [api.create_product(seller, **row) for row in rows]
    return seller, products


def _walk(api, params: dict, limit: int) -> list[dict]:
    items, cursor = [], None
    for _ in range(100):
        response = api.get("/api/products", params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("pagination does not terminate")


@pytest.mark.parametrize("sort", ["unit_price", "-unit_price"])
@pytest.mark.parametrize("limit", [1, 2, 3, 11, 100])
def test_sort_by_unit_price_pages_through_every_product_once(api, comparable, sort, limit):
    seller, products = comparable
    items = _walk(api, {"seller_id": seller.user_id, "sort": sort}, limit)
    ids = [p["id"] for p in items]
    assert len(ids) == len(set(ids)) == len(products) and set(ids) == {p["id"] for p in products}
    amounts = [Decimal(p["unit_price"]["amount"]) for p in items]
    assert amounts == sorted(amounts, reverse=sort == "-unit_price")


def test_unit_price_order_is_the_comparison_a_shopper_makes(api, comparable):
    seller, _ = comparable
    names = [p["name"] for p in _walk(api, {"seller_id": seller.user_id, "sort": "unit_price"}, 4)]
    assert names.index("Loose apples") < names.index("Apples bag")  # $1.10/kg before $5.60/kg
    assert names[:2] == ["Eggs", "Rolls"] and names[-1] == "Cheese"  # $0.22/item, $0.40/item ... $28.50/kg


def test_unit_price_ties_are_broken_by_id_both_ways(api, comparable):
    seller, _ = comparable
    up = [p["id"] for p in _walk(api, {"seller_id": seller.user_id, "sort": "unit_price"}, 2)]
    down = [p["id"] for p in _walk(api, {"seller_id": seller.user_id, "sort": "-unit_price"}, 3)]
    assert up == list(reversed(down))
    ties = [p for p in _walk(api, {"seller_id": seller.user_id, "sort": "unit_price"}, 100)]
    tied = [p["id"] for p in ties if p["unit_price"]["amount"] == "2.00"]
    assert len(tied) == 3 and tied == sorted(tied)


def test_unit_price_cursor_belongs_to_its_sort(api, comparable):
    seller, _ = comparable
    page = api.get("/api/products", params={"seller_id": seller.user_id, "sort": "unit_price", "limit": 2}).json()
    cursor = page["next_cursor"]
    assert cursor
    for other in ("-unit_price", "price", "newest", "name"):
        assert_error(api.get("/api/products", params={"sort": other, "cursor": cursor}), 400, "invalid_cursor")
    next_page = api.get(
        "/api/products", params={"seller_id": seller.user_id, "sort": "unit_price", "limit": 2, "cursor": cursor}
    )
    assert next_page.status_code == 200 and not {p["id"] for p in page["items"]} & {
        p["id"] for p in next_page.json()["items"]
    }


def test_unit_price_sort_with_filters(api, comparable):
    seller, products = comparable
    category = products[0]["category"]
    items = _walk(api, {"seller_id": seller.user_id, "category": category, "sort": "-unit_price"}, 3)
    assert len(items) == len(products)  # all in one category
    searched = _walk(api, {"seller_id": seller.user_id, "q": "apples", "sort": "unit_price"}, 1)
    assert [p["name"] for p in searched] == ["Loose apples", "Apples bag"]
    assert_error(api.get("/api/products", params={"sort": "unit-price"}), 422)


def test_the_sort_has_its_indexes(runtime):
    from smartgrocer.adapters.mongo import db

    keys = [[tuple(k) for k in spec["key"]] for spec in db().products.index_information().values()]
    for prefix in ([], [("category", 1)], [("seller_id", 1)]):  # as for every other sort
        assert [*prefix, ("k_unit_price", 1)] in keys, keys


# -- products stored before sold_by and the unit price ---------------------------------------------


def _old_product(seller, name: str, price_cents: int, unit: str) -> dict:
    """A product as stored before this feature (and before revisions and stock accounting)."""
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain import catalog
    from smartgrocer.domain.ids import new_id

    created = datetime.now(UTC).replace(microsecond=0)
    doc = {
        "_id": new_id(),
        "seller_id": seller.user_id,
        "seller_name": "Old Shop",
        "name": name,
        "description": "",
        "price_cents": price_cents,
        "currency": "usd",
        "category": "pantry",
        "stock": 7,
        "unit": unit,
        "images": [],
        "is_active": True,
        "seller_payable": True,  # (what the apply-indexes step gives it from its seller, who can be paid)
        "created_at": created,
        "updated_at": created,
    }
    doc.update({k: v for k, v in catalog.sort_keys(doc).items() if k in ("k_price", "k_newest", "k_name", "terms")})
    db().products.insert_one(doc)
    return doc


def test_products_stored_before_keep_working_and_are_filled_in(api, runtime):
    from smartgrocer.adapters.mongo import db
    from smartgrocer.indexes import apply_indexes, backfill_products

    seller = _fresh_seller(api, "oldshop")
    old = _old_product(seller, "Old Lentils", 155, "500 g")
    new = api.create_product(seller, name="New Lentils", price="1.00", unit="kg", category="pantry")
    shown = api.get(f"/api/products/{old['_id']}").json()
    assert shown["sold_by"] == "unit" and shown["min_weight_g"] is None and shown["step_g"] is None
    assert shown["unit"] == "500 g" and shown["unit_price"] == {"amount": "3.10", "basis": "kg", "label": "$3.10/kg"}
    for sort in ("newest", "price", "-price", "name"):
        assert old["_id"] in {p["id"] for p in _walk(api, {"seller_id": seller.user_id, "sort": sort}, 1)}

    apply_indexes(db())  # the deploy step (and the local runner's start) fills in what old products lack
    stored = _stored(old["_id"])
    assert (stored["unit_price_cents"], stored["unit_price_basis"]) == (310, "kg")
    assert stored["k_unit_price"].endswith(f"|{old['_id']}")
    assert "rev" not in stored and "sold_by" not in stored  # not an edit: the ETag stays as it was
    assert api.get(f"/api/products/{old['_id']}").json() == shown
    ordered = _walk(api, {"seller_id": seller.user_id, "sort": "unit_price"}, 1)
    assert [p["id"] for p in ordered] == [new["id"], old["_id"]]  # $1.00/kg, then $3.10/kg
    assert backfill_products(db()) == 0  # idempotent: nothing left to fill in


def test_editing_an_old_product_stores_its_unit_price(api, runtime):
    seller = _fresh_seller(api, "oldedit")
    old = _old_product(seller, "Old Oats", 120, "kg")
    shown = api.get(f"/api/products/{old['_id']}").json()
    response = api.put(
        f"/api/products/{old['_id']}",
        seller,
        json={"price": "1.30", "sold_by": "unit"},
        headers={"If-Match": shown["etag"]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["unit_price"]["amount"] == "1.30"
    stored = _stored(old["_id"])
    assert stored["unit_price_cents"] == 130 and "sold_by" not in stored
