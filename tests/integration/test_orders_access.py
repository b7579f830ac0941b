"""Every `{id}` route against every kind of caller: the expected status from one table, and no
foreign data in any error body (404 means "missing or not yours", never a hint which)."""

from __future__ import annotations

import json

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import ADDRESS, order_doc, place_confirmed, product, product_doc

CALLERS = ("anonymous", "other_shopper", "other_seller", "owner", "admin")

# route -> caller -> expected status. "owner" is the buyer for orders (the owning seller is a separate
# row below), the owning seller for products, and the target account itself for admin/users.
TABLE = {
    "GET /api/orders/{id}": {"anonymous": 401, "other_shopper": 404, "other_seller": 404, "owner": 200, "admin": 200},
    "GET /api/orders/{id} (seller)": {"owner": 200},
    # A confirmed order cannot jump to out_for_delivery: those who may see it get 409, everyone else 404.
    "PATCH /api/orders/{id}/status": {
        "anonymous": 401,
        "other_shopper": 404,
        "other_seller": 404,
        "owner": 409,
        "admin": 409,
    },
    "PATCH /api/orders/{id}/status (seller)": {"owner": 409},
    # Packing is for sellers (and admins): shoppers, the buyer too, are refused by role, other sellers 404.
    "POST /api/orders/{id}/pack": {
        "anonymous": 401,
        "other_shopper": 403,
        "other_seller": 404,
        "owner": 403,
        "admin": 200,
    },
    "POST /api/orders/{id}/pack (seller)": {"owner": 200},
    "PUT /api/products/{id}": {"anonymous": 401, "other_shopper": 403, "other_seller": 404, "owner": 200, "admin": 200},
    "DELETE /api/products/{id}": {
        "anonymous": 401,
        "other_shopper": 403,
        "other_seller": 404,
        "owner": 204,
        "admin": 204,
    },
    "POST /api/products/{id}/images": {
        "anonymous": 401,
        "other_shopper": 403,
        "other_seller": 404,
        "owner": 200,
        "admin": 403,
    },
    "PATCH /api/admin/users/{id}": {
        "anonymous": 401,
        "other_shopper": 403,
        "other_seller": 403,
        "owner": 403,
        "admin": 200,
    },
}
CASES = [(route, caller, status) for route, row in TABLE.items() for caller, status in row.items()]

SECRET_ADDRESS = {**ADDRESS, "full_name": "Zebediah Quux", "line1": "77 Hidden Lane", "postal_code": "98765-4321"}


@pytest.fixture
def world(api, seller, other_seller, shopper, admin, unique_email):
    """A confirmed order (buyer `shopper`, seller `seller`), a product of `seller`, and a target account."""
    item = product(api, seller, name="Confidential Cheese", price="7.77", stock=50)
    placed = place_confirmed(api, shopper, (item, 1), address=SECRET_ADDRESS)
    target = api.signup(unique_email("target"), full_name="Target Person")
    return {
        "order": placed["orders"][0],
        "product": item,
        "target": target,
        "accounts": {
            "anonymous": None,
            "other_shopper": api.signup(unique_email("nosy")),
            "other_seller": other_seller,
            "admin": admin,
        },
    }


def _call(api, route: str, caller: str, world: dict, seller, shopper):
    method, path = route.split(" (")[0].split(" ")
    accounts = dict(world["accounts"])
    if route.startswith(("GET /api/orders", "PATCH /api/orders", "POST /api/orders")):
        accounts["owner"] = seller if route.endswith("(seller)") else shopper
        target_id = world["order"]["id"]
    elif "/products/" in route:
        accounts["owner"] = seller
        target_id = world["product"]["id"]
    else:
        accounts["owner"] = world["target"]
        target_id = world["target"].user_id
    body = {
        "PATCH /api/orders/{id}/status": {"status": "out_for_delivery"},
        "POST /api/orders/{id}/pack": {"lines": [{"line_id": "1", "packed_quantity": 1}]},
        "PUT /api/products/{id}": {"price": "8.88"},
        "POST /api/products/{id}/images": {"content_type": "image/jpeg", "size": 1000},
        "PATCH /api/admin/users/{id}": {"is_active": True},
    }.get(f"{method} {path}")
    headers = {}
    if method == "PUT":  # a product edit names the version it was made on
        headers["If-Match"] = api.get(f"/api/products/{target_id}").headers["ETag"]
    return api.request(method, path.replace("{id}", target_id), accounts[caller], json=body, headers=headers), target_id


def _foreign_strings(world: dict, shopper, seller) -> list[str]:
    order = world["order"]
    return [
        order["id"],
        order["checkout_id"],
        SECRET_ADDRESS["full_name"],
        SECRET_ADDRESS["line1"],
        SECRET_ADDRESS["postal_code"],
        shopper.email,
        shopper.user_id,
        seller.email,
        "Confidential Cheese",
        "7.77",
        world["target"].email,
        "Target Person",
    ]


@pytest.mark.parametrize("route,caller,expected", CASES, ids=[f"{r}-{c}" for r, c, _ in CASES])
def test_id_route_access(api, world, seller, shopper, route, caller, expected):
    before_order = order_doc(world["order"]["id"])
    before_product = product_doc(world["product"]["id"])
    response, target_id = _call(api, route, caller, world, seller, shopper)
    assert response.status_code == expected, f"{route} as {caller}: {response.status_code} {response.text[:300]}"
    if expected >= 400:
        error = assert_error(response, expected)
        text = json.dumps(error)
        leaked = [s for s in _foreign_strings(world, shopper, seller) if s in text]
        assert not leaked, f"{route} as {caller} leaked {leaked}: {text}"
        # A failed call changes nothing.
        assert order_doc(world["order"]["id"])["status"] == before_order["status"] == "confirmed"
        assert order_doc(world["order"]["id"])["payment_status"] == "authorized"
        after = product_doc(world["product"]["id"])
        assert (after["price_cents"], after["is_active"]) == (before_product["price_cents"], True)
    elif route.startswith("GET /api/orders"):
        body = response.json()
        assert body["id"] == target_id and body["shipping_address"]["line1"] == SECRET_ADDRESS["line1"]
    elif route.startswith("POST /api/orders"):
        body = response.json()
        assert body["id"] == target_id and (body["status"], body["payment_status"]) == ("packed", "captured")
        assert order_doc(target_id)["status"] == "packed"
    elif route.startswith("PUT"):
        assert response.json()["price"] == "8.88" and product_doc(target_id)["price_cents"] == 888
    elif route.startswith("DELETE"):
        assert product_doc(target_id)["is_active"] in (False, 0)
        assert api.get(f"/api/products/{target_id}").status_code == 404
    elif route.startswith("POST"):
        assert f"/products/{target_id}/" in response.json()["image_url"]
    else:
        assert response.json()["id"] == target_id and response.json()["is_active"] is True


@pytest.mark.parametrize("path", ["/api/orders/{id}", "/api/orders/{id}/status", "/api/orders/{id}/pack"])
def test_missing_and_foreign_orders_look_the_same(api, world, path):
    # Packing is refused to shoppers by role before any order is looked up: ask as another seller.
    nosy = world["accounts"]["other_seller" if path.endswith("pack") else "other_shopper"]
    method = {"{id}": "GET", "status": "PATCH", "pack": "POST"}[path.rsplit("/", 1)[1]]
    body = {
        "GET": None,
        "PATCH": {"status": "cancelled"},
        "POST": {"lines": [{"line_id": "1", "packed_quantity": 1}]},
    }[method]
    foreign = api.request(method, path.replace("{id}", world["order"]["id"]), nosy, json=body)
    missing = api.request(method, path.replace("{id}", "0" * 24), nosy, json=body)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
