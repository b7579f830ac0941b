"""The event bus is unreachable (the local stand-in for EventBridge points at a dead port): every
request that publishes events (signup, checkout, authorisation, packing and capture, status changes)
still succeeds."""

from __future__ import annotations

from tests.faults.conftest import pack_as_ordered, pay, place

STACK_OPTIONS = {"extra_env": {"LOCAL_EVENTS_ENDPOINT": "http://127.0.0.1:9/dead"}}


def test_dead_event_bus_never_fails_a_request(stack, client, new_account):
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain.reconciler import reconcile

    assert stack.env["LOCAL_EVENTS_ENDPOINT"].endswith(":9/dead")
    seller = new_account("seller")  # signup publishes UserSignedUp
    shopper = new_account()
    product = client.create_product(seller, name="Busless Beans", stock=4)
    placed = place(client, shopper, [(product["id"], 2)])  # OrderPlaced
    assert placed.status_code == 201, placed.text
    assert pay(client, placed.json()["payment"]["client_secret"])["status"] == "authorized"  # OrderConfirmed
    order_id = placed.json()["orders"][0]["id"]
    assert client.get(f"/api/orders/{order_id}", shopper).json()["status"] == "confirmed"
    packed = pack_as_ordered(client, seller, order_id)  # OrderStatusChanged, then CheckoutSettled (the capture)
    assert packed.status_code == 200 and packed.json()["status"] == "packed", packed.text
    checkout = db().checkouts.find_one({"_id": placed.json()["checkout_id"]})
    assert (checkout["status"], checkout["capture"]["amount_cents"]) == ("captured", 500)  # the money moved
    assert db().local_payment_intents.find_one({"_id": checkout["payment_intent_id"]})["amount_received"] == 500
    reconcile(outbox_grace=0)  # what waits on the bus stays pending; the rest of the outbox is applied
    assert client.get(f"/api/orders/{order_id}", shopper).json()["payment_status"] == "captured"
    moved = client.patch(f"/api/orders/{order_id}/status", seller, json={"status": "out_for_delivery"})
    assert moved.status_code == 200 and moved.json()["status"] == "out_for_delivery"
    second = place(client, shopper, [(product["id"], 1)])
    cancelled = client.patch(
        f"/api/orders/{second.json()['orders'][0]['id']}/status", shopper, json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == 2
