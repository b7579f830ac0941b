"""Fault-injection suites. Each module runs its OWN LocalRuntime (own nx-27017, moto, runner and
data folder), so stopping the database or breaking SES there cannot hurt any other suite.

LocalRuntime.start() points this process's layer (os.environ, the cached secrets and MongoDB client)
at the new stack and stop() puts the previous settings back, so in-process helpers like `db()` and
`reconciler.reconcile()` talk to the module's stack while it runs."""

from __future__ import annotations

import contextlib
import time
import uuid

import pytest
import requests

from tests.security.helpers import ADDRESS
from tests.support import Account, ApiClient


@contextlib.contextmanager
def local_stack(tmp_path_factory, name: str, **options):
    from local.runner import LocalRuntime

    stack = LocalRuntime(
        port=0,
        data_dir=tmp_path_factory.mktemp(name),
        seed=False,
        expiry_interval=0,
        quiet=True,
        workers=options.pop("workers", 4),
        **options,
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def stack(request, tmp_path_factory):
    """The module's own runtime; a module may set `STACK_OPTIONS = {...}` (e.g. extra_env)."""
    options = dict(getattr(request.module, "STACK_OPTIONS", {}))
    with local_stack(tmp_path_factory, request.module.__name__.rsplit(".", 1)[-1], **options) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def client(stack) -> ApiClient:
    return ApiClient(stack.base_url)


@pytest.fixture
def new_account(client):
    def make(kind: str = "shopper") -> Account:
        account = client.signup(f"fault-{kind}-{uuid.uuid4().hex[:10]}@example.com", is_seller=kind == "seller")
        if kind == "admin":
            from smartgrocer.adapters.mongo import db

            db().users.update_one({"_id": account.user_id}, {"$set": {"role": "admin"}})
        return account

    return make


def place(client: ApiClient, account: Account, lines, key: str | None = None, timeout: float = 30):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/orders",
        account,
        timeout=timeout,
        headers=headers,
        json={"items": [{"product_id": pid, "quantity": qty} for pid, qty in lines], "shipping_address": dict(ADDRESS)},
    )


def pay(client: ApiClient, client_secret: str) -> dict:
    response = client.post(
        "/local/payments/confirm", json={"client_secret": client_secret, "card_number": "4242 4242 4242 4242"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def wait_until_healthy(client: ApiClient, timeout: float = 30.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if client.get("/api/health", timeout=5).status_code == 200:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise AssertionError(f"the API did not recover within {timeout}s")


def stock_ledger(product_ids, initial: dict[str, int]) -> list[str]:
    """Every unit of stock is on the shelf, held by a live checkout, or sold: the violations found."""
    from smartgrocer.adapters.mongo import db

    problems: list[str] = []
    products = {p["_id"]: p for p in db().products.find({"_id": {"$in": list(product_ids)}})}
    sold = {pid: 0 for pid in product_ids}
    held_by_orders: dict[tuple[str, str], int] = {}
    for order in db().orders.find({}):  # the module's own stack: every order (nx-27017 ignores `$in` on array paths)
        for item in order["items"]:
            if item["product_id"] not in sold:
                continue
            if order["payment_status"] in {"paid"} and order["status"] != "cancelled":
                sold[item["product_id"]] += item["quantity"]
            if order["status"] == "pending_payment":
                key = (item["product_id"], order["checkout_id"])
                held_by_orders[key] = held_by_orders.get(key, 0) + item["quantity"]
    for pid in product_ids:
        product = products[pid]
        reservations = product.get("reservations") or {}
        held = sum(reservations.values())
        if product["stock"] < 0:
            problems.append(f"{pid}: negative stock {product['stock']}")
        if product["stock"] + held + sold[pid] != initial[pid]:
            problems.append(f"{pid}: stock {product['stock']} + held {held} + sold {sold[pid]} != {initial[pid]}")
        for checkout_id, quantity in reservations.items():  # no reservation without its live order
            if held_by_orders.get((pid, checkout_id)) != quantity:
                problems.append(f"{pid}: reservation {checkout_id}={quantity} has no pending order holding it")
    for (pid, checkout_id), quantity in held_by_orders.items():  # no pending order without its reservation
        if (products[pid].get("reservations") or {}).get(checkout_id) != quantity:
            problems.append(f"{pid}: pending order of checkout {checkout_id} holds no reservation")
    return problems
