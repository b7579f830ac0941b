"""Helpers for the checkout, orders, payments and notification suites (integration tier).

Everything goes through the public HTTP API of the session runtime, except what only the payment
provider or the database can observe (stock, reservations, PaymentIntents, payment events), which is
read straight from MongoDB with the same `db()` the runtime uses.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from tests.support import eventually

ADDRESS = {
    "full_name": "Ada Shopper",
    "line1": "1 Market Street",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "12345",
    "country": "US",
}


def db():
    from smartgrocer.adapters.mongo import db as _db

    return _db()


def basket_line(product, amount) -> dict:
    """(product, 2) -> a unit line; (product, "750g") -> a weighed line; a dict is passed through."""
    if isinstance(amount, dict):
        return {"product_id": product["id"] if isinstance(product, dict) else product, **amount}
    line: dict = {"product_id": product["id"] if isinstance(product, dict) else product}
    if isinstance(amount, str) and amount.endswith("g"):
        line["weight_g"] = int(amount[:-1])
    else:
        line["quantity"] = amount
    return line


def basket(*lines, address: dict | None = None) -> dict:
    """basket((product, qty), (weighed, "750g"), ...) -> a checkout body."""
    return {"items": [basket_line(p, q) for p, q in lines], "shipping_address": dict(address or ADDRESS)}


def checkout(api, account, *lines, key: str | None = None, body: dict | None = None, address: dict | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(
        "/api/orders", account, json=body if body is not None else basket(*lines, address=address), headers=headers
    )


def place(api, account, *lines, **kw) -> dict:
    response = checkout(api, account, *lines, **kw)
    assert response.status_code == 201, response.text
    return response.json()


def product(api, seller, price: str = "2.50", stock: int = 10, **fields) -> dict:
    return api.create_product(
        seller, price=price, stock=stock, name=fields.pop("name", f"P-{uuid.uuid4().hex[:8]}"), **fields
    )


def product_doc(product_id: str) -> dict:
    return db().products.find_one({"_id": product_id})


def stock_of(product_id: str) -> int:
    return product_doc(product_id)["stock"]


def order_doc(order_id: str) -> dict:
    return db().orders.find_one({"_id": order_id})


def checkout_doc(checkout_id: str) -> dict:
    return db().checkouts.find_one({"_id": checkout_id})


def intent_for(checkout_id: str) -> dict:
    return db().local_payment_intents.find_one({"metadata.checkout_id": checkout_id})


def pay(api, placed: dict, card: str = "4242424242424242") -> dict:
    """Confirm the checkout's payment with a test card through the local provider (webhook included):
    the card is authorised, nothing is captured until the sellers have packed."""
    response = api.post(
        "/local/payments/confirm", json={"client_secret": placed["payment"]["client_secret"], "card_number": card}
    )
    assert response.status_code == 200, response.text
    assert response.json()["webhook_status"] == 200, response.json()
    return response.json()


def place_confirmed(api, account, *lines, **kw) -> dict:
    """A checkout whose card is authorised: its orders are confirmed and wait to be packed."""
    placed = place(api, account, *lines, **kw)
    pay(api, placed)
    for order in placed["orders"]:
        assert order_doc(order["id"])["status"] == "confirmed"
    return placed


def pack(api, account, order_id: str, *lines: dict):
    """POST the packing list; with no lines, everything as ordered."""
    if not lines:
        order = api.get(f"/api/orders/{order_id}", account).json()
        lines = tuple(
            {"line_id": i["line_id"], "packed_weight_g": i["weight_g"]}
            if i["sold_by"] == "weight"
            else {"line_id": i["line_id"], "packed_quantity": i["quantity"]}
            for i in order["items"]
        )
    return api.post(f"/api/orders/{order_id}/pack", account, json={"lines": list(lines)})


def place_captured(api, account, seller, *lines, **kw) -> dict:
    """A checkout from one seller, authorised, packed as ordered and so captured."""
    placed = place_confirmed(api, account, *lines, **kw)
    for order in placed["orders"]:
        response = pack(api, seller, order["id"])
        assert response.status_code == 200, response.text
    assert checkout_doc(placed["checkout_id"])["status"] == "captured"
    return placed


def webhook_url(runtime) -> str:
    return runtime.base_url + "/api/payments/webhook"


def deliver(runtime, event: dict | str, secret: str | None = None) -> tuple[int, dict]:
    from local.payment_provider import serialize_event
    from local.payments import deliver_webhook

    payload = event if isinstance(event, str) else serialize_event(event)
    status, text = deliver_webhook(
        payload, url=webhook_url(runtime), secret=secret or runtime.env["STRIPE_WEBHOOK_SECRET"]
    )
    return status, json.loads(text) if text else {}


def event_for(checkout_id: str, event_type: str, **intent_overrides) -> dict:
    from local.payment_provider import payment_event

    intent = {**intent_for(checkout_id), **intent_overrides}
    return payment_event(intent, event_type)


def authorized_event(checkout_id: str, **intent_overrides) -> dict:
    """The provider's `payment_intent.amount_capturable_updated` for the checkout's intent, as if the card
    had just been authorised for the whole amount (the stored intent itself is not changed)."""
    intent = intent_for(checkout_id)
    fields = {"status": "requires_capture", "amount_capturable": intent["amount"], **intent_overrides}
    return event_for(checkout_id, "payment_intent.amount_capturable_updated", **fields)


def flush_webhooks(api) -> dict:
    """Deliver every provider event queued so far (capture, void, refund) now, instead of waiting for the
    runner's background loop; returns {delivered, pending}."""
    response = api.post("/local/payments/deliver")
    assert response.status_code == 200, response.text
    return response.json()


def provider():
    """The local payment provider itself, as the functions call it: for what happens at the provider
    without us (a capture or a void from its dashboard, a call that succeeded after we gave up)."""
    from local.payment_provider import LocalPaymentGateway

    return LocalPaymentGateway()


def set_status(api, account, order_id: str, status: str):
    return api.patch(f"/api/orders/{order_id}/status", account, json={"status": status})


def expire_now(checkout_id: str) -> None:
    """Move a checkout's payment window into the past (orders carry the same deadline)."""
    from smartgrocer.domain.orders import now

    past = now() - timedelta(minutes=1)
    # Whole-document replaces: nx-27017 stores a datetime given to `$set` as a string, which a date range
    # query (the sweep's `expires_at < now`) no longer matches; real MongoDB handles either form.
    for collection, query in ((db().checkouts, {"_id": checkout_id}), (db().orders, {"checkout_id": checkout_id})):
        for doc in list(collection.find(query)):
            collection.replace_one({"_id": doc["_id"]}, {**doc, "expires_at": past})


def sweep() -> dict:
    """One reconciler run that also retries effects written a moment ago (no grace period)."""
    from smartgrocer.domain.reconciler import reconcile

    return reconcile(outbox_grace=0)


def set_fault(operation: str, remaining: int) -> None:
    db().local_payment_faults.update_one({"_id": operation}, {"$set": {"remaining": remaining}}, upsert=True)


def clear_faults() -> None:
    db().local_payment_faults.delete_many({})


# -- mail (moto SES) ---------------------------------------------------------------------------------


def mail(api, to: str | None = None, subject: str | None = None) -> list[dict]:
    response = api.get("/local/mail")
    assert response.status_code == 200, response.text
    return [
        m
        for m in response.json()["messages"]
        if (to is None or to in m["to"]) and (subject is None or m["subject"] == subject)
    ]


def subject(order: dict, what: str) -> str:
    """An order mail's subject: its number, then what happened ("SG-7K3F-92: confirmed")."""
    return f"{order['number']}: {what}"


def receipts(api, to: str) -> list[dict]:
    """The receipts sent to `to` ("SG-7K3F-92 packed: $12.34 charged")."""
    shape = re.compile(r"SG-\S+(, SG-\S+)* packed: \S+ charged")
    return [m for m in mail(api, to) if shape.fullmatch(m["subject"])]


def drain(api) -> None:
    """Wait until every event published so far has been handled by the notifier (no fixed sleeps)."""
    response = api.post("/local/events/drain")
    assert response.status_code == 200, response.text


def wait_for_mail(api, to: str, subject: str, count: int = 1, timeout: float = 20.0) -> list[dict]:
    def enough() -> list[dict] | None:
        found = mail(api, to, subject)
        return found if len(found) >= count else None

    try:
        return eventually(enough, timeout=timeout, interval=0.2, what=f"{count} mail(s) '{subject}' to {to}")
    except AssertionError as missing:
        raise AssertionError(f"{missing}; got {[m['subject'] for m in mail(api, to)]}") from None


# -- packing: weighed products, packing lists, ledgers, provider state ------------------------------------


def weighed_product(
    api, seller, price: str = "28.50", stock: int = 5000, min_weight_g: int = 50, step_g: int = 50, **fields
) -> dict:
    """A product sold by weight, created through the API: `price` per kg, `stock` in grams."""
    return product(
        api,
        seller,
        price=price,
        stock=stock,
        sold_by="weight",
        min_weight_g=min_weight_g,
        step_g=step_g,
        unit="kg",
        **fields,
    )


def cents(amount: str | None) -> int | None:
    """An amount as the API shows it ("12.34") in integer cents (1234); None stays None."""
    if amount is None:
        return None
    whole, _, fraction = amount.partition(".")
    assert len(fraction) == 2 and whole.isdigit() and fraction.isdigit(), amount
    return int(whole) * 100 + int(fraction)


def order_for(placed: dict, seller) -> dict:
    """The order of a placed checkout that `seller` (an Account) fulfils."""
    (order,) = [o for o in placed["orders"] if o["seller_id"] == seller.user_id]
    return order


def line_for(order: dict, item) -> dict:
    """The order line (as the API shows it) for `item`, a product dict or id."""
    product_id = item["id"] if isinstance(item, dict) else item
    (line,) = [i for i in order["items"] if i["product_id"] == product_id]
    return line


def packing(line: dict, amount: int, substitute: tuple | None = None) -> dict:
    """One packing-list entry for an order line: `amount` items, or grams when the line is weighed;
    `substitute` is (product, amount) for what replaces the part not packed."""
    weighed = line["sold_by"] == "weight"
    entry: dict = {"line_id": line["line_id"], "packed_weight_g" if weighed else "packed_quantity": amount}
    if substitute is not None:
        item, sub_amount = substitute
        entry["substitute"] = {
            "product_id": item["id"] if isinstance(item, dict) else item,
            "weight_g" if weighed else "quantity": sub_amount,
        }
    return entry


def ledger(product_id: str) -> dict:
    """A product's stock accounting: on the shelf, held (per holder), sold, received."""
    doc = product_doc(product_id)
    return {
        "stock": doc["stock"],
        "held": dict(doc.get("reservations") or {}),
        "sold": doc.get("sold", 0),
        "received": doc.get("received"),
    }


def assert_ledgers(*items) -> None:
    """For each product: `stock + held + sold == received`, nothing negative, and no hold left."""
    problems = []
    for item in items:
        product_id = item["id"] if isinstance(item, dict) else item
        entry = ledger(product_id)
        held = sum(entry["held"].values())
        if entry["stock"] < 0 or entry["sold"] < 0 or entry["stock"] + held + entry["sold"] != entry["received"]:
            problems.append(f"{product_id}: {entry}")
        if entry["held"]:
            problems.append(f"{product_id}: reservations left {entry['held']}")
    assert not problems, problems


def provider_state(checkout_id: str) -> dict:
    """The PaymentIntent as the provider keeps it: status and amounts in cents."""
    intent = intent_for(checkout_id)
    return {
        "status": intent["status"],
        "amount": intent["amount"],
        "amount_capturable": intent.get("amount_capturable", 0),
        "amount_received": intent.get("amount_received", 0),
        "amount_refunded": intent.get("amount_refunded", 0),
    }


def deliver_queued(api) -> dict:
    """POST /local/payments/deliver: every queued provider webhook goes out now."""
    response = api.post("/local/payments/deliver")
    assert response.status_code == 200, response.text
    return response.json()


def mail_text(message: dict) -> str:
    body = message["body"]
    return body if isinstance(body, str) else json.dumps(body)
