"""The event bus is unreachable (the local stand-in for EventBridge points at a dead port): every
request that publishes events (signup, checkout, payment, status changes) still succeeds."""

from __future__ import annotations

from tests.faults.conftest import pay, place

STACK_OPTIONS = {"extra_env": {"LOCAL_EVENTS_ENDPOINT": "http://127.0.0.1:9/dead"}}


def test_dead_event_bus_never_fails_a_request(stack, client, new_account):
    assert stack.env["LOCAL_EVENTS_ENDPOINT"].endswith(":9/dead")
    seller = new_account("seller")  # signup publishes UserSignedUp
    shopper = new_account()
    product = client.create_product(seller, name="Busless Beans", stock=4)
    placed = place(client, shopper, [(product["id"], 2)])  # OrderPlaced
    assert placed.status_code == 201, placed.text
    assert pay(client, placed.json()["payment"]["client_secret"])["status"] == "succeeded"  # OrderPaid
    order_id = placed.json()["orders"][0]["id"]
    assert client.get(f"/api/orders/{order_id}", shopper).json()["status"] == "paid"
    moved = client.patch(f"/api/orders/{order_id}/status", seller, json={"status": "packed"})  # OrderStatusChanged
    assert moved.status_code == 200 and moved.json()["status"] == "packed"
    second = place(client, shopper, [(product["id"], 1)])
    cancelled = client.patch(
        f"/api/orders/{second.json()['orders'][0]['id']}/status", shopper, json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == 2
