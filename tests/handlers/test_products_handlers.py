"""Catalog handlers with v2 events: validation -> 422, malformed input -> 400, size -> 413, roles -> 401/403,
and the order of those checks (an anonymous caller learns nothing about the schema)."""

from __future__ import annotations

import json

import pytest

from tests.handlers.helpers import assert_error

GOOD = {
    "name": "Handler Pears",
    "description": "Juicy",
    "price": "1.25",
    "category": "fruit-veg",
    "stock": 4,
    "unit": "kg",
}


def test_create_returns_201_with_money_as_string(raw_invoke, seller):
    response = raw_invoke("POST", "/api/products", body={**GOOD, "price": 1.5}, token=seller.access_token)
    assert response["statusCode"] == 201, response["body"]
    body = response["json"]
    assert body["price"] == "1.50" and body["seller_id"] == seller.user_id and body["is_active"] is True
    assert body["currency"] == "usd" and body["images"] == []
    assert not {"price_cents", "terms", "k_price", "k_name", "k_newest", "_id"} & set(body)


@pytest.mark.parametrize(
    "price",
    ["1.255", 1.255, -1, "-0.50", "NaN", "Infinity", True, False, None, "", "1,50", "1" * 40 + ".001", "100000.01"],
)
def test_bad_price_is_422(raw_invoke, seller, price):
    response = raw_invoke("POST", "/api/products", body={**GOOD, "price": price}, token=seller.access_token)
    error = assert_error(response, 422, "validation_error")
    assert any(d["loc"][-1] == "price" for d in error["details"]), error


def test_nan_literal_in_json_is_rejected(raw_invoke, seller):
    raw = json.dumps(GOOD).replace('"1.25"', "NaN")
    response = raw_invoke("POST", "/api/products", raw_body=raw, token=seller.access_token)
    assert response["statusCode"] in (400, 422), response["body"]
    assert_error(response, response["statusCode"])


@pytest.mark.parametrize(
    "extra", [{"seller_id": "0" * 24}, {"is_active": False}, {"price_cents": 1}, {"seller_name": "Someone"}]
)
def test_unknown_fields_are_422(raw_invoke, seller, extra):
    error = assert_error(
        raw_invoke("POST", "/api/products", body={**GOOD, **extra}, token=seller.access_token), 422, "validation_error"
    )
    assert error["details"][0]["type"] == "extra_forbidden"


def test_anonymous_invalid_body_is_401_not_422(raw_invoke):
    """Authentication comes before validation: no schema details for anonymous callers."""
    assert_error(raw_invoke("POST", "/api/products", body={"price": "x"}), 401, "missing_token")


def test_shopper_invalid_body_is_403_not_422(raw_invoke, shopper):
    assert_error(raw_invoke("POST", "/api/products", body={"bogus": 1}, token=shopper.access_token), 403)


@pytest.mark.parametrize("raw", ["{", '{"name": ', "not json", "[1,2", '{"name": "x",}', "\x00"])
def test_malformed_json_is_400(raw_invoke, seller, raw):
    assert_error(raw_invoke("POST", "/api/products", raw_body=raw, token=seller.access_token), 400, "malformed_json")


def test_body_over_64_kib_is_413(raw_invoke, seller):
    body = {**GOOD, "description": "x" * (65 * 1024)}
    error = assert_error(
        raw_invoke("POST", "/api/products", body=body, token=seller.access_token), 413, "payload_too_large"
    )
    assert "65536" in error["message"]


def test_multibyte_body_over_64_kib_is_413(raw_invoke, seller):
    # 22 000 characters but 66 000 bytes: the limit is in bytes
    body = {**GOOD, "description": "€" * 22_000}
    assert len(json.dumps(body, ensure_ascii=False)) < 64 * 1024 < len(json.dumps(body, ensure_ascii=False).encode())
    response = raw_invoke(
        "POST", "/api/products", raw_body=json.dumps(body, ensure_ascii=False).encode(), token=seller.access_token
    )
    assert_error(response, 413, "payload_too_large")


def test_malformed_json_over_64_kib_is_413_not_400(raw_invoke, seller):
    assert_error(raw_invoke("POST", "/api/products", raw_body="{" * (70 * 1024), token=seller.access_token), 413)


def test_anonymous_oversized_body_is_413(raw_invoke):
    assert_error(raw_invoke("POST", "/api/auth/login", raw_body="x" * (70 * 1024)), 413, "payload_too_large")


def test_body_just_under_limit_is_processed(raw_invoke, seller):
    body = {**GOOD, "description": "x" * 1990}
    assert raw_invoke("POST", "/api/products", body=body, token=seller.access_token)["statusCode"] == 201


def test_base64_body_is_decoded(raw_invoke, seller):
    raw = json.dumps({**GOOD, "name": "Base64 Plums"}).encode("utf-16")  # not UTF-8: the runner base64-encodes it
    response = raw_invoke("POST", "/api/products", raw_body=raw, token=seller.access_token)
    # not valid UTF-8 JSON: a clean 400/422, never a 500
    assert response["statusCode"] in (400, 422), response["body"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("sort=cheapest", "sort"),
        ("min_price=1.001", "min_price"),
        ("max_price=-1", "max_price"),
        ("category=weapons", "category"),
        ("q=" + "x" * 101, "q"),
        ("min_price=" + "9" * 40, "min_price"),
    ],
)
def test_list_query_validation(raw_invoke, query, field):
    error = assert_error(raw_invoke("GET", "/api/products", query=query), 422, "validation_error")
    assert any(d["loc"][-1] == field for d in error["details"]), error


def test_list_min_greater_than_max_is_422(raw_invoke):
    assert_error(raw_invoke("GET", "/api/products", query="min_price=5&max_price=1"), 422)


@pytest.mark.parametrize("cursor", ["garbage", "eyJzIjoicHJpY2UifQ", "%%%"])
def test_list_invalid_cursor_is_400(raw_invoke, cursor):
    assert_error(raw_invoke("GET", "/api/products", query=f"cursor={cursor}"), 400, "invalid_cursor")


def test_list_limit_100_is_allowed(raw_invoke):
    response = raw_invoke("GET", "/api/products", query="limit=100")
    assert response["statusCode"] == 200 and len(response["json"]["items"]) <= 100


def test_get_missing_product_is_404_with_error_shape(raw_invoke):
    assert_error(raw_invoke("GET", f"/api/products/{'0' * 24}"), 404, "not_found")


def test_path_id_too_long_is_422(raw_invoke):
    assert_error(raw_invoke("GET", "/api/products/" + "a" * 65), 422)


def test_health_ok(raw_invoke):
    response = raw_invoke("GET", "/api/health")
    assert response["statusCode"] == 200 and response["json"] == {"status": "ok", "db": "ok"}


def test_categories_lists_every_category(raw_invoke):
    from smartgrocer.models.products import CATEGORY_NAMES

    items = raw_invoke("GET", "/api/categories")["json"]["items"]
    assert [i["slug"] for i in items] == list(CATEGORY_NAMES)
    assert all(isinstance(i["count"], int) and i["count"] >= 0 for i in items)


def test_update_checks_the_body_then_ownership_then_if_match(raw_invoke, seller, other_seller):
    """422 for a bad body and 404 for someone else's product come before the precondition (428 / 412)."""
    created = raw_invoke("POST", "/api/products", body=GOOD, token=seller.access_token)
    assert created["hdrs"]["etag"] == created["json"]["etag"]
    path, etag = f"/api/products/{created['json']['id']}", created["hdrs"]["etag"]
    assert_error(raw_invoke("PUT", path, body={"bogus": 1}, token=seller.access_token), 422, "validation_error")
    assert_error(raw_invoke("PUT", path, body={"stock": 1}, token=other_seller.access_token), 404, "not_found")
    assert_error(raw_invoke("PUT", path, body={"stock": 1}, token=seller.access_token), 428, "precondition_required")
    saved = raw_invoke("PUT", path, body={"stock": 1}, token=seller.access_token, headers={"if-match": etag})
    assert saved["statusCode"] == 200 and saved["hdrs"]["etag"] == saved["json"]["etag"] != etag
    stale = raw_invoke("PUT", path, body={"stock": 2}, token=seller.access_token, headers={"If-Match": etag})
    assert assert_error(stale, 412, "stale_product")["details"]["current"] == saved["json"]


def test_read_for_editing_is_no_store_and_carries_the_etag(raw_invoke, seller):
    created = raw_invoke("POST", "/api/products", body=GOOD, token=seller.access_token)["json"]
    fresh = raw_invoke("GET", f"/api/seller/products/{created['id']}", token=seller.access_token)
    assert fresh["statusCode"] == 200 and fresh["json"] == created
    assert fresh["hdrs"]["etag"] == created["etag"] and fresh["hdrs"]["cache-control"] == "no-store"
    public = raw_invoke("GET", f"/api/products/{created['id']}")
    assert public["hdrs"]["etag"] == created["etag"] and "s-maxage" in public["hdrs"]["cache-control"]
