"""MongoDB goes away mid-run (and mid-checkout) and comes back on the same port and data folder.

During the outage: 503 + Retry-After, never a hang or a 500. Afterwards: the
same runner serves again without a restart, and nothing half-written survives the reconciler
(every unit of stock is on the shelf, reserved by a live order, or sold to an order whose card is authorised)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import requests

from tests.faults.conftest import pack_as_ordered, pay, place, stock_ledger, wait_until_healthy
from tests.support import eventually


@pytest.fixture(scope="module")
def catalog(client, stack):

    seller = client.signup("outage-seller@example.com", is_seller=True)
    products = [client.create_product(seller, name=f"Outage Oats {i}", stock=60, price="2.00") for i in range(3)]
    return {"seller": seller, "products": products, "initial": {p["id"]: 60 for p in products}}


def _answer(call):
    """(response, None), or (None, error) for no answer at all: a dropped connection, or none within the
    client's 30 s, when API Gateway would have given up. How fast the answer comes is not asserted."""
    try:
        return call(), None
    except requests.RequestException as error:
        return None, error


def test_requests_during_an_outage_get_503_with_retry_after(stack, client, catalog, new_account):
    shopper = new_account()
    product = catalog["products"][0]
    stack.mongo.stop()
    try:
        calls = {
            "health": lambda: client.get("/api/health"),
            "list": lambda: client.get("/api/products"),
            "get": lambda: client.get(f"/api/products/{product['id']}"),
            "login": lambda: client.login(shopper.email, shopper.password),
            "me (auth needs the db)": lambda: client.get("/api/auth/me", shopper),
            "checkout": lambda: place(client, shopper, [(product["id"], 1)], key="outage-1"),
            "my orders": lambda: client.get("/api/orders/my-orders", shopper),
        }
        for name, call in calls.items():
            response, error = _answer(call)
            assert error is None, (name, error)
            assert response.status_code == 503, (name, response.status_code, response.text[:300])
            assert 1 <= int(response.headers["Retry-After"]) <= 60, name
            body = response.json()
            assert body["error"]["code"] in {"database_unavailable", "unavailable"}, (name, body)
            assert "Traceback" not in response.text and "pymongo" not in response.text
    finally:
        stack.mongo.start()  # same port, same data folder
    wait_until_healthy(client, timeout=30)
    # the same runner, no restart: sign-in, checkout (same key: the failed attempt left nothing behind),
    # authorisation, packing and so capture
    assert client.login(shopper.email, shopper.password).status_code == 200
    placed = place(client, shopper, [(product["id"], 1)], key="outage-1")
    assert placed.status_code == 201, placed.text
    assert pay(client, placed.json()["payment"]["client_secret"])["status"] == "authorized"
    order_id = placed.json()["orders"][0]["id"]
    order = client.get(f"/api/orders/{order_id}", shopper).json()
    assert (order["status"], order["payment_status"]) == ("confirmed", "authorized")
    packed = pack_as_ordered(client, catalog["seller"], order_id)
    assert packed.status_code == 200, packed.text
    assert (packed.json()["status"], packed.json()["payment_status"]) == ("packed", "captured")


def test_outage_in_the_middle_of_a_checkout_burst_leaves_nothing_half_written(stack, client, catalog, new_account):
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain.orders import now
    from smartgrocer.domain.reconciler import STALE_BUILD, reconcile

    product_ids = [p["id"] for p in catalog["products"]]
    baseline = {pid: db().products.find_one({"_id": pid})["stock"] for pid in product_ids}
    sold_before = 60 * len(product_ids) - sum(baseline.values())
    assert not stock_ledger(product_ids, catalog["initial"]), "clean before the burst"
    shoppers = [new_account() for _ in range(12)]
    results: list = []
    lock = threading.Lock()
    burst_over = threading.Event()

    def shop(index: int, account):
        # multi-line baskets across the three products: more steps to be interrupted between
        lines = [(product_ids[(index + k) % 3], 1 + (index + k) % 3) for k in range(3)]
        # Keeps shopping until the outage is over, however fast the machine; bounded by a deadline.
        give_up = time.monotonic() + 90
        for attempt in range(100_000):
            if burst_over.is_set() or time.monotonic() > give_up:
                break
            response, error = _answer(
                lambda attempt=attempt: place(client, account, lines, key=f"burst-{index}-{attempt}")
            )
            with lock:
                results.append(response.status_code if response is not None else type(error).__name__)

    threads = [threading.Thread(target=shop, args=(i, a)) for i, a in enumerate(shoppers)]
    for thread in threads:
        thread.start()
    eventually(lambda: len(results) >= len(shoppers), timeout=30, interval=0.02, what="the burst")
    stack.mongo.stop()  # the burst is under way: pull the plug
    # Requests in flight wait out serverSelectionTimeoutMS (3 s), then must answer 503.
    eventually(lambda: 503 in results, timeout=30, interval=0.05, what="a 503 during the outage")
    stack.mongo.start()
    restarted_at = len(results)
    # The burst goes on across the recovery until checkouts succeed (or sell out) again.
    eventually(
        lambda: {201, 409} & set(results[restarted_at:]), timeout=60, interval=0.05, what="checkouts after recovery"
    )
    burst_over.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    wait_until_healthy(client, timeout=30)
    assert all(r in {201, 409, 503} for r in results), results  # never a 500, never a dropped connection
    assert 503 in results, results  # the outage really hit the burst
    interrupted = db().checkouts.count_documents({"status": {"$in": ["reserving", "creating_payment"]}})
    half_written = stock_ledger(product_ids, catalog["initial"])
    print(
        f"burst: {sorted(set(map(str, results)))} x {len(results)}; interrupted checkouts {interrupted}; "
        f"ledger problems before the sweep: {len(half_written)}"
    )

    # Recover interrupted checkouts now: the reconciler runs as if its staleness threshold had passed.
    reconcile(at=now() + STALE_BUILD + timedelta(seconds=1), outbox_grace=0)
    problems = stock_ledger(product_ids, catalog["initial"])
    assert not problems, problems
    stuck = db().checkouts.count_documents({"status": {"$in": ["reserving", "creating_payment"]}})
    assert stuck == 0

    # Everything that survived as pending can be authorised, and the ledger then counts it as sold;
    # packing (every other order one unit short) leaves the ledger whole as well.
    for checkout in db().checkouts.find({"status": "pending_payment"}):
        intent = db().local_payment_intents.find_one({"_id": checkout["payment_intent_id"]})
        assert pay(client, intent["client_secret"])["status"] == "authorized"
    problems = stock_ledger(product_ids, catalog["initial"])
    assert not problems, problems
    confirmed = list(db().orders.find({"status": "confirmed"}))
    assert confirmed, "the burst left orders to pack"
    for index, order in enumerate(confirmed[:6]):
        short = index % 2
        lines = [
            {"line_id": item["line_id"], "packed_quantity": item["quantity"] - (short if n == 0 else 0)}
            for n, item in enumerate(order["items"])
        ]
        packed = client.post(f"/api/orders/{order['_id']}/pack", catalog["seller"], json={"lines": lines})
        assert packed.status_code == 200, packed.text
    problems = stock_ledger(product_ids, catalog["initial"])
    assert not problems, problems
    sold_now = 60 * len(product_ids) - sum(db().products.find_one({"_id": pid})["stock"] for pid in product_ids)
    assert sold_now >= sold_before
