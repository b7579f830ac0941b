"""The HTTP edge over the local runner: body size, malformed JSON, unknown routes, error shape, headers."""

from __future__ import annotations

import json

import pytest

from tests.integration.helpers import assert_error


def test_body_over_64_kib_is_413(api, seller):
    payload = {"name": "Big", "price": "1.00", "category": "pantry", "stock": 1, "description": "x" * 70_000}
    assert_error(api.post("/api/products", seller, json=payload), 413, "payload_too_large")


def test_multibyte_body_over_64_kib_is_413(api, seller):
    payload = {"name": "Big", "price": "1.00", "category": "pantry", "stock": 1, "description": "ü" * 33_000}
    data = json.dumps(payload, ensure_ascii=False).encode()
    assert len(data) > 64 * 1024
    response = api.post("/api/products", seller, data=data, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("path", ["/api/auth/signup", "/api/auth/login", "/api/auth/refresh"])
def test_anonymous_oversized_body_is_413(api, path):
    # The CSRF header the cookie routes ask for: the size limit is what this checks.
    headers = {"Content-Type": "application/json", "X-SmartGrocer-CSRF": "1"}
    assert_error(api.post(path, data="{" + " " * 70_000 + "}", headers=headers), 413)


def test_body_at_limit_is_not_413(api, seller):
    # 64 KiB of JSON that fails validation for another reason: the size check lets it through
    payload = {"name": "x", "price": "1.00", "category": "pantry", "stock": 1, "description": "d" * 60_000}
    assert_error(api.post("/api/products", seller, json=payload), 422)


@pytest.mark.parametrize("data", ["{", "not json", '{"email": "a@b.c",}', "[1, 2", '{"a": NaN'])
def test_malformed_json_is_400(api, data):
    response = api.post("/api/auth/signup", data=data, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "malformed_json")


def test_non_utf8_body_is_400_not_500(api, seller):
    response = api.post(
        "/api/products", seller, data=b"\xff\xfe{\x00}\x00", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


def test_json_array_instead_of_object_is_422(api):
    assert_error(api.post("/api/auth/login", json=[1, 2]), 422)


def test_unknown_route_is_404(api):
    assert api.get("/api/nope").status_code == 404
    assert api.delete("/api/products").status_code == 404  # no such method on the path


def test_security_headers_on_success_and_error(api, seller):
    for response in (api.get("/api/health"), api.get("/api/products/" + "0" * 24), api.get("/api/auth/me", seller)):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" in response.headers


def test_catalog_reads_are_cacheable_by_the_cdn_only_and_errors_never(api, seller):
    from smartgrocer.routes import ROUTES_BY_NAME

    product = api.create_product(seller, name="Cache Figs")
    seconds = ROUTES_BY_NAME["products_get"].cache_seconds
    assert seconds > 0
    for response in (api.get(f"/api/products/{product['id']}"), api.get("/api/products", params={"limit": 1})):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == f"public, max-age=0, s-maxage={seconds}"
    assert api.get("/api/products/" + "f" * 24).headers["Cache-Control"] == "no-store"
    assert api.get("/api/products", params={"limit": 1000}).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/api/products?categroy=dairy", None),  # a typo'd filter must not silently list everything
        ("/api/seller/orders?slot=2026-12-01", "seller"),
        ("/api/orders/my-orders?page=2", "shopper"),
    ],
)
def test_an_unknown_query_parameter_is_400_naming_it(api, seller, shopper, path, who):
    account = {"seller": seller, "shopper": shopper}.get(who or "")
    error = assert_error(api.get(path, account), 400, "unknown_parameter")
    assert path.split("?")[1].split("=")[0] in error["message"]


def test_declared_query_parameters_still_work(api, seller):
    assert api.get("/api/products?category=fruit-veg&sort=price&limit=5").status_code == 200
    assert api.get("/api/seller/orders?status=confirmed&limit=5", seller).status_code == 200
