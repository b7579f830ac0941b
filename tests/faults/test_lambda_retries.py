"""At-least-once delivery: the platform may run the same event twice (a webhook re-delivered by
Stripe, a Lambda invocation retried with the identical event). Each must have one effect."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

from tests.faults.conftest import pack_as_ordered, pay, place
from tests.security.helpers import ADDRESS, deliver, payment_intent_event


def test_the_same_webhook_event_twice_authorises_once(stack, client, new_account):
    from smartgrocer.adapters.mongo import db

    seller, shopper = new_account("seller"), new_account()
    product = client.create_product(seller, name="Twice Tangerines", stock=10, price="1.50")
    placed = place(client, shopper, [(product["id"], 3)])
    checkout_id = placed.json()["checkout_id"]
    checkout = db().checkouts.find_one({"_id": checkout_id})
    event = payment_intent_event(checkout_id, checkout["payment_intent_id"], checkout["amount_cents"])
    secret = stack.env["STRIPE_WEBHOOK_SECRET"]
    first, second = deliver(client, event, secret), deliver(client, event, secret)
    assert first.json() == {"received": True, "duplicate": False, "outcome": "authorized"}
    assert second.status_code == 200 and second.json()["duplicate"] is True
    # and concurrently, as two Lambda containers would
    with ThreadPoolExecutor(4) as pool:
        racing = list(pool.map(lambda _: deliver(client, event, secret), range(4)))
    assert all(r.status_code == 200 and r.json()["duplicate"] for r in racing)
    assert db().payment_events.count_documents({"checkout_id": checkout_id}) == 1
    order = db().orders.find_one({"checkout_id": checkout_id})
    assert (order["status"], order["payment_status"]) == ("confirmed", "authorized")
    product_doc = db().products.find_one({"_id": product["id"]})
    assert product_doc["stock"] == 7 and checkout_id not in (product_doc.get("reservations") or {})
    assert product_doc["sold"] == 3  # the hold became a sale once, not once per delivery


def test_the_capture_event_delivered_again_captures_once(stack, client, new_account):
    from smartgrocer.adapters.mongo import db

    seller, shopper = new_account("seller"), new_account()
    product = client.create_product(seller, name="Twice Turnips", stock=10, price="0.90")
    placed = place(client, shopper, [(product["id"], 2)])
    checkout_id, order_id = placed.json()["checkout_id"], placed.json()["orders"][0]["id"]
    pay(client, placed.json()["payment"]["client_secret"])
    assert pack_as_ordered(client, seller, order_id).status_code == 200  # captured in the request
    assert client.post("/local/payments/deliver").status_code == 200  # the provider's payment_intent.succeeded
    intent_id = db().checkouts.find_one({"_id": checkout_id})["payment_intent_id"]
    (queued,) = [
        q
        for q in db().local_payment_webhooks.find({"type": "payment_intent.succeeded"})
        if q["payment_intent"] == intent_id
    ]
    assert queued["delivered"]  # nx-27017 stores True as 1
    secret = stack.env["STRIPE_WEBHOOK_SECRET"]
    with ThreadPoolExecutor(4) as pool:  # Stripe delivers it again, concurrently
        racing = list(pool.map(lambda _: deliver(client, queued["payload"], secret), range(4)))
    assert all(r.status_code == 200 and r.json()["duplicate"] for r in racing), [r.text for r in racing]
    events = {e["type"]: e["outcome"] for e in db().payment_events.find({"checkout_id": checkout_id})}
    assert events == {
        "payment_intent.amount_capturable_updated": "authorized",
        "payment_intent.succeeded": "already_settled",
    }
    assert db().payment_events.count_documents({"checkout_id": checkout_id}) == 2
    checkout = db().checkouts.find_one({"_id": checkout_id})
    assert (checkout["status"], checkout["capture"]["amount_cents"]) == ("captured", 180)
    intent = db().local_payment_intents.find_one({"_id": intent_id})
    assert (intent["amount_received"], intent["amount_refunded"]) == (180, 0)
    assert client.get(f"/api/orders/{order_id}", shopper).json()["payment_status"] == "captured"


def test_a_retried_checkout_invocation_has_one_effect(stack, client, new_account):
    from local.apigw import http_event, match_route
    from smartgrocer.adapters.mongo import db

    seller, shopper = new_account("seller"), new_account()
    product = client.create_product(seller, name="Retry Radishes", stock=10)
    route, params, _ = match_route("POST", "/api/orders")
    body = json.dumps({"items": [{"product_id": product["id"], "quantity": 2}], "shipping_address": ADDRESS})
    event = http_event(
        route,
        "POST",
        "/api/orders",
        params,
        "",
        {
            "content-type": "application/json",
            "authorization": f"Bearer {shopper.access_token}",
            "idempotency-key": f"lambda-retry-{uuid.uuid4().hex}",
        },
        body,
    )
    first = stack.pool.invoke("orders_checkout", event)
    retry = stack.pool.invoke("orders_checkout", event)  # the identical event, as a platform retry
    assert first["statusCode"] == retry["statusCode"] == 201
    assert json.loads(first["body"])["checkout_id"] == json.loads(retry["body"])["checkout_id"]
    assert db().checkouts.count_documents({"user_id": shopper.user_id}) == 1
    assert db().orders.count_documents({"user_id": shopper.user_id}) == 1
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == 8


def test_a_retried_expiry_run_releases_stock_once(stack, client, new_account):
    from datetime import datetime, timedelta

    from smartgrocer.adapters.mongo import db

    seller, shopper = new_account("seller"), new_account()
    product = client.create_product(seller, name="Expiring Endives", stock=10)
    placed = place(client, shopper, [(product["id"], 4)])
    checkout_id = placed.json()["checkout_id"]
    past = datetime.now(UTC) - timedelta(minutes=1)
    # replace_one, not $set: nx-27017 stores a `$set` datetime as a string (real MongoDB keeps the date)
    checkout = db().checkouts.find_one({"_id": checkout_id})
    db().checkouts.replace_one({"_id": checkout_id}, {**checkout, "expires_at": past})
    schedule = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    with ThreadPoolExecutor(2) as pool:  # the schedule fires twice at once (an overlapping retry)
        results = list(pool.map(lambda _: stack.pool.invoke("orders_expire", schedule), range(2)))
    assert sorted(r["expired_checkouts"] for r in results) == [0, 1]  # one run closed it, the other found nothing
    assert client.get(f"/api/products/{product['id']}").json()["stock"] == 10
    order = client.get(f"/api/orders/{placed.json()['orders'][0]['id']}", shopper).json()
    assert order["status"] == "cancelled"
