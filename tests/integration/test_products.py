"""The catalog over HTTP: roles and ownership, validation, keyset pagination under every sort (ties
included), search and filters, soft delete, cursors, image URLs, category counts."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import pytest

from tests.integration.helpers import assert_error

SORTS = ["price", "-price", "newest", "name"]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _tag() -> str:
    """A word no other test uses (search terms are lower-case letters and digits)."""
    return "zq" + uuid.uuid4().hex[:8]


def _payload(**fields):
    return {
        "name": "Test Apples",
        "description": "Fresh",
        "price": "2.50",
        "category": "fruit-veg",
        "stock": 10,
        "unit": "kg",
        **fields,
    }


# -- who may do what -------------------------------------------------------------------------------


def test_only_sellers_create(api, shopper, admin):
    assert_error(api.post("/api/products", json=_payload()), 401, "missing_token")
    assert_error(api.post("/api/products", shopper, json=_payload()), 403, "wrong_role")
    assert_error(api.post("/api/products", admin, json=_payload()), 403)


def test_seller_creates_and_anyone_reads(api, seller):
    created = api.post("/api/products", seller, json=_payload(name="Conference Pears", price=1.2))
    assert created.status_code == 201
    product = created.json()
    assert product["price"] == "1.20" and product["seller_id"] == seller.user_id and product["stock"] == 10
    fetched = api.get(f"/api/products/{product['id']}")
    assert fetched.status_code == 200 and fetched.json() == product


def test_owner_updates_partially(api, seller):
    product = api.create_product(seller, name="Old Name", price="1.00", stock=5)
    response = api.put(
        f"/api/products/{product['id']}",
        seller,
        json={"price": "3.49", "name": "New Name"},
        headers={"If-Match": product["etag"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["price"] == "3.49" and body["name"] == "New Name" and body["stock"] == 5
    assert body["created_at"] == product["created_at"]
    assert _when(body["updated_at"]) >= _when(product["updated_at"])
    assert body["updated_at"].endswith("Z")  # a real UTC timestamp, not a naive or string-typed one
    assert api.get(f"/api/products/{product['id']}").json() == body


def test_update_keeps_sort_keys_and_search_in_step(api, seller):
    tag = _tag()
    product = api.create_product(seller, name=f"Before {tag}", price="9.00")
    renamed = api.put(
        f"/api/products/{product['id']}",
        seller,
        json={"name": "After Renamed", "price": "0.01"},
        headers={"If-Match": product["etag"]},
    )
    assert renamed.status_code == 200, renamed.text
    assert api.get("/api/products", params={"q": tag}).json()["items"] == []
    found = api.get("/api/products", params={"q": "renamed", "seller_id": seller.user_id}).json()["items"]
    assert [p["id"] for p in found] == [product["id"]]
    cheapest = api.get("/api/products", params={"seller_id": seller.user_id, "sort": "price", "limit": 1})
    assert cheapest.json()["items"][0]["id"] == product["id"]


def test_another_seller_gets_404_not_403(api, seller, other_seller):
    product = api.create_product(seller)
    path = f"/api/products/{product['id']}"
    assert_error(api.put(path, other_seller, json={"price": "0.01"}), 404, "not_found")
    assert_error(api.delete(path, other_seller), 404, "not_found")
    assert api.get(path).json()["price"] == product["price"]  # untouched


def test_shopper_cannot_update_or_delete(api, seller, shopper):
    product = api.create_product(seller)
    path = f"/api/products/{product['id']}"
    assert_error(api.put(path, shopper, json={"price": "0.01"}), 403)
    assert_error(api.delete(path, shopper), 403)
    assert_error(api.put(path, json={"price": "0.01"}), 401)
    assert_error(api.delete(path), 401)


def test_admin_updates_and_deletes_any_product(api, seller, admin):
    product = api.create_product(seller)
    path = f"/api/products/{product['id']}"
    response = api.put(path, admin, json={"stock": 0}, headers={"If-Match": product["etag"]})
    assert response.status_code == 200 and response.json()["stock"] == 0
    assert response.json()["seller_id"] == seller.user_id  # ownership unchanged
    assert api.delete(path, admin).status_code == 204


def test_missing_product_is_404_for_everyone(api, seller, admin):
    path = f"/api/products/{'f' * 24}"
    assert_error(api.get(path), 404)
    assert_error(api.put(path, seller, json={"stock": 1}), 404)
    assert_error(api.put(path, admin, json={"stock": 1}), 404)
    assert_error(api.delete(path, admin), 404)


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("price", ["2.555", 2.555, -1, "-0.01", "NaN", True, False, "", "two"])
def test_bad_prices(api, seller, price):
    error = assert_error(api.post("/api/products", seller, json=_payload(price=price)), 422, "validation_error")
    assert any(d["loc"][-1] == "price" for d in error["details"])


def test_bad_price_on_update(api, seller):
    product = api.create_product(seller)
    for price in ("1.001", -3, True, "NaN"):
        assert_error(api.put(f"/api/products/{product['id']}", seller, json={"price": price}), 422)


@pytest.mark.parametrize(
    "extra", [{"seller_id": "0" * 24}, {"is_active": False}, {"price_cents": 1}, {"created_at": "2000-01-01T00:00:00Z"}]
)
def test_unknown_fields_rejected_on_create_and_update(api, seller, extra):
    assert_error(api.post("/api/products", seller, json=_payload(**extra)), 422, "validation_error")
    product = api.create_product(seller)
    assert_error(api.put(f"/api/products/{product['id']}", seller, json=extra), 422, "validation_error")
    assert api.get(f"/api/products/{product['id']}").json()["seller_id"] == seller.user_id


def test_limit_bounds(api):
    assert_error(api.get("/api/products", params={"limit": 101}), 422)
    assert_error(api.get("/api/products", params={"limit": 0}), 422)
    assert api.get("/api/products", params={"limit": 100}).status_code == 200


# -- pagination ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paged_catalog(api, runtime):
    """One seller with 23 products: duplicate prices and duplicate (case-varying) names."""
    seller = api.signup(f"pager-{uuid.uuid4().hex[:10]}@example.com", is_seller=True)
    prices = [
        "1.00",
        "1.00",
        "1.00",
        "2.50",
        "2.50",
        "0.99",
        "10.00",
        "10.00",
        "3.25",
        "2.50",
        "0.10",
        "1.00",
        "7.77",
        "7.77",
        "7.77",
        "7.77",
        "0.99",
        "12.00",
        "2.50",
        "5.00",
        "5.00",
        "1.00",
        "99999.99",
    ]
    names = [
        "Apple",
        "apple",
        "APPLE",
        "Banana",
        "banana",
        "Cherry",
        "Apple",
        "date",
        "Date",
        "Elder",
        "fig",
        "Fig",
        "Grape",
        "grape",
        "Apple pie",
        "Apple",
        "Kiwi",
        "Lime",
        "lime",
        "Mango",
        "Apple",
        "Nectarine",
        "Zucchini",
    ]
    products = [
        api.create_product(seller, name=n, price=p, stock=i) for i, (n, p) in enumerate(zip(names, prices, strict=True))
    ]
    return seller, products


def _walk(api, params, limit):
    ids, cursor, pages = [], None, 0
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get("/api/products", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        ids += [p["id"] for p in body["items"]]
        items_by_id.update({p["id"]: p for p in body["items"]})
        pages += 1
        assert pages < 100, "pagination does not terminate"
        cursor = body["next_cursor"]
        if not cursor:
            return ids


items_by_id: dict[str, dict] = {}


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("limit", [1, 4, 5, 23, 100])
def test_pagination_returns_every_product_once(api, paged_catalog, sort, limit):
    seller, products = paged_catalog
    ids = _walk(api, {"seller_id": seller.user_id, "sort": sort}, limit)
    assert len(ids) == len(set(ids)) == len(products)
    assert set(ids) == {p["id"] for p in products}
    ordered = [items_by_id[i] for i in ids]
    if sort in ("price", "-price"):
        prices = [Decimal(p["price"]) for p in ordered]
        assert prices == sorted(prices, reverse=sort == "-price")
    elif sort == "name":
        names = [p["name"].lower() for p in ordered]
        assert names == sorted(names)
    else:
        # compared as instants: RFC 3339 text drops the fraction on a whole second, so strings do not sort
        created = [datetime.fromisoformat(p["created_at"].replace("Z", "+00:00")) for p in ordered]
        assert created == sorted(created, reverse=True)


def test_pages_are_stable_between_sorts(api, paged_catalog):
    seller, products = paged_catalog
    by_price = _walk(api, {"seller_id": seller.user_id, "sort": "price"}, 4)
    by_price_desc = _walk(api, {"seller_id": seller.user_id, "sort": "-price"}, 4)
    assert by_price == list(reversed(by_price_desc))  # ties broken by id, consistently in both directions


def test_newest_first_is_creation_order(api, paged_catalog):
    seller, products = paged_catalog
    assert _walk(api, {"seller_id": seller.user_id}, 7) == [p["id"] for p in reversed(products)]


def test_cursor_from_another_sort_is_400(api, paged_catalog):
    seller, _ = paged_catalog
    cursor = api.get("/api/products", params={"seller_id": seller.user_id, "sort": "price", "limit": 2}).json()[
        "next_cursor"
    ]
    assert cursor
    for other in ("-price", "newest", "name"):
        assert_error(api.get("/api/products", params={"sort": other, "cursor": cursor}), 400, "invalid_cursor")
    assert api.get("/api/products", params={"sort": "price", "cursor": cursor}).status_code == 200


@pytest.mark.parametrize("cursor", ["nonsense", "e30", "eyJzIjoicHJpY2UiLCJrIjoxfQ", "!!!!"])
def test_invalid_cursor_is_400(api, cursor):
    assert_error(api.get("/api/products", params={"cursor": cursor}), 400, "invalid_cursor")


# -- search and filters ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def searchable(api, runtime):
    tag = _tag()
    seller = api.signup(f"search-{uuid.uuid4().hex[:10]}@example.com", is_seller=True)
    rows = [
        (f"Crunchy Gala Apples {tag}", "fruit-veg", "1.50", "Sweet and crisp."),
        (f"Granny Smith Apples {tag}", "fruit-veg", "2.00", "Tart green apples."),
        (f"Apple Juice {tag}", "drinks", "3.00", "Pressed from Gala apples."),
        (f"Crunchy Peanut Butter {tag}", "pantry", "4.00", "No palm oil."),
        (f"Sourdough {tag}", "bakery", "4.20", "Slow fermented loaf."),
    ]
    products = {
        name.split(" " + tag)[0]: api.create_product(seller, name=name, category=cat, price=price, description=desc)
        for name, cat, price, desc in rows
    }
    return tag, seller, products


def _names(api, **params):
    response = api.get("/api/products", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return sorted(p["name"].rsplit(" ", 1)[0] for p in response.json()["items"])


def test_search_by_tag_finds_all(api, searchable):
    tag, _, products = searchable
    assert _names(api, q=tag) == sorted(products)
    assert _names(api, q=tag.upper()) == sorted(products)


def test_search_prefix_matching(api, searchable):
    tag, _, _ = searchable
    assert _names(api, q=f"{tag} appl") == ["Apple Juice", "Crunchy Gala Apples", "Granny Smith Apples"]
    assert _names(api, q=f"{tag} cru") == ["Crunchy Gala Apples", "Crunchy Peanut Butter"]
    assert _names(api, q=tag[:6]) == sorted(searchable[2])  # prefix of the tag itself


def test_search_multi_word_requires_every_word(api, searchable):
    tag, _, _ = searchable
    assert _names(api, q=f"crunchy apples {tag}") == ["Crunchy Gala Apples"]
    assert _names(api, q=f"{tag} gala") == ["Apple Juice", "Crunchy Gala Apples"]  # description words count
    assert _names(api, q=f"{tag} pantry") == ["Crunchy Peanut Butter"]  # category words count
    assert _names(api, q=f"{tag} crunchy nothingmatches") == []


def test_search_punctuation_only_is_empty(api, searchable):
    answer = api.get("/api/products", params={"q": "!!! ???"}).json()
    assert answer == {"items": [], "next_cursor": None, "did_you_mean": None}


def test_filters(api, searchable):
    tag, seller, _ = searchable
    assert _names(api, q=tag, category="fruit-veg") == ["Crunchy Gala Apples", "Granny Smith Apples"]
    assert _names(api, seller_id=seller.user_id, min_price="2", max_price="4.00") == [
        "Apple Juice",
        "Crunchy Peanut Butter",
        "Granny Smith Apples",
    ]
    assert _names(api, seller_id=seller.user_id, min_price="4.20") == ["Sourdough"]
    assert _names(api, seller_id=seller.user_id, max_price="1.49") == []
    assert _names(api, seller_id=seller.user_id, category="bakery", q="sour") == ["Sourdough"]
    assert _names(api, seller_id="0" * 24, q=tag) == []


def test_search_results_paginate(api, searchable):
    tag, _, products = searchable
    for sort in SORTS:
        ids = _walk(api, {"q": tag, "sort": sort}, 2)
        assert sorted(ids) == sorted(p["id"] for p in products.values())


# -- soft delete -----------------------------------------------------------------------------------


def test_soft_deleted_products_disappear(api, seller):
    tag = _tag()
    product = api.create_product(seller, name=f"Doomed {tag}")
    path = f"/api/products/{product['id']}"
    assert [p["id"] for p in api.get("/api/products", params={"q": tag}).json()["items"]] == [product["id"]]
    response = api.delete(path, seller)
    assert response.status_code == 204 and response.content == b""
    assert_error(api.get(path), 404, "not_found")
    assert api.get("/api/products", params={"q": tag}).json()["items"] == []
    assert product["id"] not in _walk(api, {"seller_id": seller.user_id}, 100)
    assert_error(api.delete(path, seller), 404)  # already gone
    assert_error(api.put(path, seller, json={"stock": 3}), 404)
    from smartgrocer.adapters.mongo import db

    stored = db().products.find_one({"_id": product["id"]})
    assert stored is not None and not stored["is_active"]  # soft: still stored (nx-27017 stores $set False as 0)
    assert isinstance(stored["updated_at"], datetime)


def test_categories_count_active_products(api, seller):
    def counts():
        return {c["slug"]: c["count"] for c in api.get("/api/categories").json()["items"]}

    before = counts()
    first = api.create_product(seller, category="household")
    api.create_product(seller, category="household")
    assert counts()["household"] == before["household"] + 2
    api.delete(f"/api/products/{first['id']}", seller)
    after = counts()
    assert after["household"] == before["household"] + 1
    assert {k: v for k, v in after.items() if k != "household"} == {k: v for k, v in before.items() if k != "household"}


# -- image URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/x.jpg",
        "http://169.254.169.254/latest/meta-data",
        "javascript:alert(1)",
        "{base}/other/x.jpg",
        "{base}/products/../../x.jpg",
        "{base}/products/x.jpg?<script>",
    ],
)
def test_image_urls_must_be_ours(api, runtime, seller, url):
    url = url.format(base=runtime.env["IMAGES_BASE_URL"])
    error = assert_error(api.post("/api/products", seller, json=_payload(images=[url])), 422)
    assert error["details"][0]["loc"][-2:] == ["images", 0]


def test_update_images_only_for_this_product(api, runtime, seller):
    base = runtime.env["IMAGES_BASE_URL"]
    product, other = api.create_product(seller), api.create_product(seller)
    path = f"/api/products/{product['id']}"
    assert_error(api.put(path, seller, json={"images": [f"{base}/products/{other['id']}/a.jpg"]}), 422)
    photo = api.upload_photo(seller, product["id"])["image_url"]
    assert photo.startswith(f"{base}/products/{product['id']}/")
    ok = api.put(path, seller, json={"images": [photo]}, headers={"If-Match": product["etag"]})
    assert ok.status_code == 200 and ok.json()["images"] == [photo]
