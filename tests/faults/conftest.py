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
from tests.support import Account, ApiClient, eventually


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
    """Confirm with the test card: the card is authorised (captured only once the sellers have packed)."""
    response = client.post(
        "/local/payments/confirm", json={"client_secret": client_secret, "card_number": "4242 4242 4242 4242"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def pack_as_ordered(client: ApiClient, seller: Account, order_id: str):
    """POST the packing list that packs every line of the order exactly as ordered."""
    order = client.get(f"/api/orders/{order_id}", seller).json()
    lines = [
        {"line_id": i["line_id"], "packed_weight_g": i["weight_g"]}
        if i["sold_by"] == "weight"
        else {"line_id": i["line_id"], "packed_quantity": i["quantity"]}
        for i in order["items"]
    ]
    return client.post(f"/api/orders/{order_id}/pack", seller, json={"lines": lines})


def wait_until_healthy(client: ApiClient, timeout: float = 30.0) -> float:
    started = time.monotonic()

    def healthy() -> bool:
        try:
            return client.get("/api/health", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    eventually(healthy, timeout=timeout, interval=0.25, what="the API's recovery")
    return time.monotonic() - started


SOLD_PAYMENT_STATUSES = {"authorized", "captured"}  # the card holds (or has paid) for the goods


def sold_by_order(order: dict) -> dict[str, int]:
    """Stock an order holds as sold, per product: as ordered until packed, then as packed, substitutes included."""
    from smartgrocer.domain.checkout_machine import sold_amounts

    return sold_amounts(order)


def stock_ledger(product_ids, initial: dict[str, int]) -> list[str]:
    """Every unit of stock is on the shelf, held (by a checkout awaiting payment, or by a packing under
    way), or sold (to an order whose card is authorised or captured and that is not cancelled): the
    violations found."""
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain.checkout_machine import pack_hold_order
    from smartgrocer.domain.pricing import stock_amount

    problems: list[str] = []
    products = {p["_id"]: p for p in db().products.find({"_id": {"$in": list(product_ids)}})}
    sold = {pid: 0 for pid in product_ids}
    held_by_orders: dict[tuple[str, str], int] = {}
    statuses: dict[str, str] = {}
    for order in db().orders.find({}):  # the module's own stack: every order (nx-27017 ignores `$in` on array paths)
        statuses[order["_id"]] = order["status"]
        if order["payment_status"] in SOLD_PAYMENT_STATUSES and order["status"] != "cancelled":
            for pid, amount in sold_by_order(order).items():
                if pid in sold:
                    sold[pid] += amount
        if order["status"] == "pending_payment":
            for item in order["items"]:
                key = (item["product_id"], order["checkout_id"])
                held_by_orders[key] = held_by_orders.get(key, 0) + stock_amount(item)
    for pid in product_ids:
        product = products[pid]
        reservations = product.get("reservations") or {}
        held = sum(reservations.values())
        if product["stock"] < 0:
            problems.append(f"{pid}: negative stock {product['stock']}")
        if product["stock"] + held + sold[pid] != initial[pid]:
            problems.append(f"{pid}: stock {product['stock']} + held {held} + sold {sold[pid]} != {initial[pid]}")
        for holder, quantity in reservations.items():  # no reservation without its live order
            if pack_hold_order(holder):  # taken for a packing: only while its order waits to be packed
                if statuses.get(pack_hold_order(holder)) != "confirmed":
                    problems.append(f"{pid}: packing hold {holder}={quantity} outlived its packing")
            elif held_by_orders.get((pid, holder)) != quantity:
                problems.append(f"{pid}: reservation {holder}={quantity} has no pending order holding it")
    for (pid, checkout_id), quantity in held_by_orders.items():  # no pending order without its reservation
        if pid in products and (products[pid].get("reservations") or {}).get(checkout_id) != quantity:
            problems.append(f"{pid}: pending order of checkout {checkout_id} holds no reservation")
    return problems
