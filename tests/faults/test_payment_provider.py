"""The payment provider fails (local provider fault injection: `local_payment_faults`)."""

from __future__ import annotations

import pytest

from tests.faults.conftest import pay, place, stock_ledger


@pytest.fixture(scope="module")
def product(client):
    seller = client.signup("provider-seller@example.com", is_seller=True)
    return client.create_product(seller, name="Provider Plums", stock=10, price="3.10")


def _inject(operation: str, times: int = 1) -> None:
    from smartgrocer.adapters.mongo import db

    db().local_payment_faults.replace_one({"_id": operation}, {"_id": operation, "remaining": times}, upsert=True)


def test_provider_down_at_checkout_charges_nothing_and_a_retry_succeeds_once(client, product, new_account):
    from smartgrocer.adapters.mongo import db

    shopper = new_account()
    _inject("create")
    failed = place(client, shopper, [(product["id"], 4)], key="provider-retry")
    assert failed.status_code == 503, failed.text
    assert 1 <= int(failed.headers["Retry-After"]) <= 60
    error = failed.json()["error"]
    assert error["code"] == "payment_provider_unavailable"
    assert "nothing was charged" in error["message"].lower()
    # the reserved stock went back, and nothing is left pending or charged
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == 10
    assert db().local_payment_intents.count_documents({}) == 0
    orders = list(db().orders.find({"user_id": shopper.user_id}))
    assert all(o["status"] == "cancelled" and o["payment_status"] == "unpaid" for o in orders)
    assert not stock_ledger([product["id"]], {product["id"]: 10})

    retried = place(client, shopper, [(product["id"], 4)], key="provider-retry")
    assert retried.status_code == 201, retried.text
    again = place(client, shopper, [(product["id"], 4)], key="provider-retry")
    assert again.status_code == 201 and again.json()["checkout_id"] == retried.json()["checkout_id"]
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == 6
    assert db().local_payment_intents.count_documents({}) == 1
    assert pay(client, retried.json()["payment"]["client_secret"])["status"] == "succeeded"
    mine = client.get("/api/orders/my-orders", shopper).json()["items"]
    assert sorted(o["status"] for o in mine) == sorted(["paid"] + ["cancelled"] * len(orders))


def test_refund_failure_is_retried_by_the_reconciler(client, product, new_account):
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain.reconciler import reconcile

    shopper = new_account()
    placed = place(client, shopper, [(product["id"], 1)])
    assert placed.status_code == 201, placed.text
    pay(client, placed.json()["payment"]["client_secret"])
    order_id = placed.json()["orders"][0]["id"]
    stock_paid = client.get(f"/api/products/{product['id']}").json()["stock"]
    _inject("refund")
    cancelled = client.patch(f"/api/orders/{order_id}/status", shopper, json={"status": "cancelled"})
    assert cancelled.status_code == 200, cancelled.text  # the cancellation itself never fails on the provider
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["payment_status"] == "paid"
    assert db().orders.find_one({"_id": order_id})["refund_pending"] == True  # noqa: E712 (nx-27017 stores 1)
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == stock_paid + 1  # restocked once
    assert reconcile(outbox_grace=0)["effects_applied"] == 2  # the refund, then the projection of its result
    assert client.get(f"/api/orders/{order_id}", shopper).json()["payment_status"] == "refunded"
    assert reconcile(outbox_grace=0)["effects_applied"] == 0  # refunded once, not on every run
    intent = db().local_payment_intents.find_one({"metadata.checkout_id": placed.json()["checkout_id"]})
    assert intent["amount_refunded"] == 310
