"""The payment provider fails (local provider fault injection: `local_payment_faults`): at checkout
nothing is held; a capture, a void or a refund that fails never fails the request that caused it and
is finished, once, by the reconciler."""

from __future__ import annotations

import pytest

from tests.faults.conftest import pack_as_ordered, pay, place, stock_ledger


@pytest.fixture(scope="module")
def seller(client):
    return client.signup("provider-seller@example.com", is_seller=True)


@pytest.fixture(scope="module")
def product(client, seller):
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
    assert pay(client, retried.json()["payment"]["client_secret"])["status"] == "authorized"
    mine = client.get("/api/orders/my-orders", shopper).json()["items"]
    assert sorted(o["status"] for o in mine) == sorted(["confirmed"] + ["cancelled"] * len(orders))
    assert db().local_payment_intents.find_one({})["amount_received"] == 0  # authorised, nothing taken yet


def _confirmed(client, product, new_account, quantity: int = 1) -> tuple:
    shopper = new_account()
    placed = place(client, shopper, [(product["id"], quantity)])
    assert placed.status_code == 201, placed.text
    assert pay(client, placed.json()["payment"]["client_secret"])["status"] == "authorized"
    return shopper, placed.json()["checkout_id"], placed.json()["orders"][0]["id"]


def _intent(checkout_id: str) -> dict:
    from smartgrocer.adapters.mongo import db

    return db().local_payment_intents.find_one({"metadata.checkout_id": checkout_id})


def test_capture_failure_never_fails_the_packing_and_is_retried_by_the_reconciler(client, seller, product, new_account):
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain.reconciler import reconcile

    shopper, checkout_id, order_id = _confirmed(client, product, new_account, quantity=2)
    _inject("capture")
    packed = pack_as_ordered(client, seller, order_id)
    assert packed.status_code == 200, packed.text  # the packing is recorded; the money follows
    assert (packed.json()["status"], packed.json()["payment_status"]) == ("packed", "authorized")
    assert db().checkouts.find_one({"_id": checkout_id})["status"] == "capturing"
    assert (_intent(checkout_id)["status"], _intent(checkout_id)["amount_received"]) == ("requires_capture", 0)
    assert reconcile(outbox_grace=0)["effects_applied"] >= 1
    assert client.get(f"/api/orders/{order_id}", shopper).json()["payment_status"] == "captured"
    assert (_intent(checkout_id)["status"], _intent(checkout_id)["amount_received"]) == ("succeeded", 620)
    assert reconcile(outbox_grace=0)["effects_applied"] == 0  # captured once, not on every run
    assert db().checkouts.find_one({"_id": checkout_id})["capture"]["amount_cents"] == 620
    assert not stock_ledger([product["id"]], {product["id"]: 10})


def test_void_failure_never_fails_a_cancellation_and_is_retried_by_the_reconciler(client, product, new_account):
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain.reconciler import reconcile

    shopper, checkout_id, order_id = _confirmed(client, product, new_account)
    stock_authorised = client.get(f"/api/products/{product['id']}").json()["stock"]
    _inject("cancel")
    cancelled = client.patch(f"/api/orders/{order_id}/status", shopper, json={"status": "cancelled"})
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["payment_status"]) == ("cancelled", "voided")
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == stock_authorised + 1
    assert _intent(checkout_id)["status"] == "requires_capture"  # the hold is still on the card...
    assert reconcile(outbox_grace=0)["effects_applied"] >= 1
    intent = _intent(checkout_id)
    assert (intent["status"], intent["amount_capturable"], intent["amount_received"]) == (
        "canceled",
        0,
        0,
    )  # ...no more
    assert reconcile(outbox_grace=0)["effects_applied"] == 0
    assert db().checkouts.find_one({"_id": checkout_id})["status"] == "voided"
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == stock_authorised + 1  # restocked once
    assert not stock_ledger([product["id"]], {product["id"]: 10})


def test_refund_failure_is_retried_by_the_reconciler(client, seller, product, new_account):
    """Refunds exist only after a capture: an admin cancels a packed (captured) order."""
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain.reconciler import reconcile

    admin = new_account("admin")
    shopper, checkout_id, order_id = _confirmed(client, product, new_account)
    assert pack_as_ordered(client, seller, order_id).json()["payment_status"] == "captured"
    stock_captured = client.get(f"/api/products/{product['id']}").json()["stock"]
    error = client.patch(f"/api/orders/{order_id}/status", shopper, json={"status": "cancelled"})
    assert error.status_code == 409  # packed: only an admin cancels it now
    # The request tries the refund twice (once more after the seller's reversal is recorded): both fail.
    _inject("refund", times=2)
    cancelled = client.patch(f"/api/orders/{order_id}/status", admin, json={"status": "cancelled"})
    assert cancelled.status_code == 200, cancelled.text  # the cancellation itself never fails on the provider
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["payment_status"] == "captured"
    assert db().orders.find_one({"_id": order_id})["refund_pending"] == True  # noqa: E712 (nx-27017 stores 1)
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == stock_captured + 1  # restocked once
    assert reconcile(outbox_grace=0)["effects_applied"] == 2  # the refund, then the projection of its result
    assert client.get(f"/api/orders/{order_id}", shopper).json()["payment_status"] == "refunded"
    assert reconcile(outbox_grace=0)["effects_applied"] == 0  # refunded once, not on every run
    assert (_intent(checkout_id)["amount_received"], _intent(checkout_id)["amount_refunded"]) == (310, 310)
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == stock_captured + 1
    assert not stock_ledger([product["id"]], {product["id"]: 10})
