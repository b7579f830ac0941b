"""Stored sort keys and search terms: string order of the keys must equal the documented sort order."""

import random
from datetime import UTC, datetime, timedelta

from smartgrocer.domain import catalog, search_text
from smartgrocer.domain.ids import new_id


def _product(name="Apples", price=100, created=None, category="fruit-veg", description=""):
    return {
        "_id": new_id(),
        "name": name,
        "price_cents": price,
        "category": category,
        "description": description,
        "created_at": created or datetime(2024, 1, 1, tzinfo=UTC),
    }


def _with_keys(p):
    return {**p, **catalog.sort_keys(p)}


def test_price_key_orders_numerically_not_lexically():
    prices = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 10_000_00, 5, 50, 500]
    products = [_with_keys(_product(price=p)) for p in prices]
    by_key = sorted(products, key=lambda p: p["k_price"])
    assert [p["price_cents"] for p in by_key] == sorted(prices)


def test_price_ties_are_broken_by_id_and_keys_are_unique():
    products = [_with_keys(_product(price=250)) for _ in range(20)]
    keys = [p["k_price"] for p in products]
    assert len(set(keys)) == 20
    assert [p["_id"] for p in sorted(products, key=lambda p: p["k_price"])] == sorted(p["_id"] for p in products)


def test_name_key_is_case_insensitive_and_prefix_first():
    names = ["banana", "Apple", "apple pie", "APPLES", "Zucchini", "a", "Ab", "aa"]
    products = [_with_keys(_product(name=n)) for n in names]
    ordered = [p["name"] for p in sorted(products, key=lambda p: p["k_name"])]
    assert ordered == sorted(names, key=str.lower)


def test_name_key_ties_unique():
    products = [_with_keys(_product(name="Same Name")) for _ in range(10)]
    assert len({p["k_name"] for p in products}) == 10


def test_newest_key_orders_by_creation_time():
    base = datetime(2024, 3, 1, tzinfo=UTC)
    offsets = list(range(50))
    random.Random(7).shuffle(offsets)
    products = [_with_keys(_product(created=base + timedelta(milliseconds=o))) for o in offsets]
    ordered = sorted(products, key=lambda p: p["k_newest"], reverse=True)
    times = [p["created_at"] for p in ordered]
    assert times == sorted(times, reverse=True)


def test_sort_keys_carry_the_search_terms_and_their_rules():
    keys = catalog.sort_keys(_product(name="Gala Apples", description="Crisp, sweet apples."))
    assert {"n:apple", "k:apple", "k:gal", "k:chip", "k:fruit"} <= set(keys["terms"])  # (chip: crisp's group)
    assert keys["search_v"] == search_text.SEARCH_VERSION  # what apply-indexes compares to rebuild older terms


def test_public_product_hides_internal_fields():
    doc = {
        **_with_keys(_product(price=349)),
        "seller_id": "s1",
        "currency": "usd",
        "stock": 3,
        "unit": "kg",
        "is_active": True,
        "updated_at": datetime(2024, 1, 1, tzinfo=UTC),
    }
    out = catalog.public_product(doc)
    assert out["price"] == "3.49" and out["id"] == doc["_id"]
    assert not {"k_price", "k_name", "k_newest", "terms", "price_cents", "_id"} & set(out)


def test_unit_price_key_orders_numerically_with_ties_by_id():
    units = ["250 g", "kg", "pack of 6", "750 ml", "each", "500 g", "2 l", "box", "1 kg", "12 pack"]
    products = [_with_keys({**_product(price=p), "unit": u}) for p in (99, 140, 240, 280, 1000) for u in units]
    by_key = sorted(products, key=lambda p: p["k_unit_price"])
    assert [p["unit_price_cents"] for p in by_key] == sorted(p["unit_price_cents"] for p in products)
    assert len({p["k_unit_price"] for p in products}) == len(products)
    tied = [p["_id"] for p in by_key if p["unit_price_cents"] == 280]  # 1.40 per 500 g; 2.80 per kg, each, box
    assert len(tied) == 5 and tied == sorted(tied)


def test_weighed_products_compare_per_kg():
    loose = _with_keys({**_product(price=110), "unit": "kg", "sold_by": "weight"})
    bag = _with_keys({**_product(price=140), "unit": "250 g"})
    assert (loose["unit_price_cents"], loose["unit_price_basis"]) == (110, "kg")
    assert (bag["unit_price_cents"], bag["unit_price_basis"]) == (560, "kg")
    assert loose["k_unit_price"] < bag["k_unit_price"]


def _shown(doc):
    return catalog.public_product(
        {
            "seller_id": "s1",
            "currency": "usd",
            "stock": 3,
            "is_active": True,
            "updated_at": datetime(2024, 1, 1, tzinfo=UTC),
            **doc,
        }
    )


def test_a_product_stored_before_sold_by_and_unit_prices_is_shown_as_sold_by_the_unit():
    old = {**_product(price=155), "unit": "500 g"}  # no sold_by, no unit_price_*, no k_unit_price
    out = _shown(old)
    assert out["sold_by"] == "unit" and out["min_weight_g"] is None and out["step_g"] is None
    assert out["unit"] == "500 g"
    assert out["unit_price"] == {"amount": "3.10", "basis": "kg", "label": "$3.10/kg"}


def test_public_product_of_a_weighed_product():
    doc = _with_keys({**_product(price=2850), "unit": "kg", "sold_by": "weight", "min_weight_g": 100, "step_g": 50})
    out = _shown(doc)
    assert (out["sold_by"], out["unit"], out["min_weight_g"], out["step_g"]) == ("weight", "kg", 100, 50)
    assert out["unit_price"] == {"amount": "28.50", "basis": "kg", "label": "$28.50/kg"}
    assert not {"unit_price_cents", "unit_price_basis", "k_unit_price"} & set(out)
