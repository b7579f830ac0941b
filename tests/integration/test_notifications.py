"""Email notifications, read back from moto's SES through GET /local/mail: the right mail to the
right address for each event, and checkout working on while SES refuses to send."""

from __future__ import annotations

import html
import re

import boto3

from tests.integration.orders_support import (
    drain,
    intent_for,
    mail,
    pack,
    pay,
    place,
    place_captured,
    place_confirmed,
    product,
    receipts,
    set_status,
    subject,
    wait_for_mail,
)

CONFIRMED = "confirmed"
TO_PACK = "new order to pack"
ON_ITS_WAY = "on its way"
DELIVERED = "delivered"
CANCELLED = "cancelled"


def _body(message: dict) -> str:
    body = message["body"]
    return body if isinstance(body, str) else str(body)


def _words(message: dict) -> str:
    """The mail's words, markup and line breaks aside."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(_body(message))).split())


def test_welcome_mail_on_signup(api, unique_email):
    email = unique_email("welcome")
    api.signup(email, full_name="Wendy Welcome")
    (message,) = wait_for_mail(api, email, "Welcome to SmartGrocer")
    assert message["to"] == [email]
    assert "Wendy Welcome" in _body(message)
    assert message["source"] == "no-reply@smartgrocer.test"


def test_order_confirmed_mails_shopper_and_seller(api, unique_email):
    buyer = api.signup(unique_email("buyer"), full_name="Bea Buyer")
    seller = api.signup(unique_email("grocer"), full_name="Gil Grocer", is_seller=True)
    item = product(api, seller, name="Heirloom Tomatoes", price="19.99")
    placed = place_confirmed(api, buyer, (item, 3))
    order = placed["orders"][0]
    order_id, number = order["id"], order["number"]
    (to_buyer,) = wait_for_mail(api, buyer.email, subject(order, CONFIRMED))
    (to_seller,) = wait_for_mail(api, seller.email, subject(order, TO_PACK))
    assert to_buyer["subject"] == f"{number}: confirmed" and to_seller["subject"] == f"{number}: new order to pack"
    for message, name in ((to_buyer, "Bea Buyer"), (to_seller, "Gil Grocer")):
        text = _words(message)
        assert name in text and number in text and "Heirloom Tomatoes" in text and "59.97 USD" in text
        assert f"/orders/{order_id}" in _body(message)  # a link to the order's page
        assert "3 items" in text  # how many things: counted the one way
        # no window with this seller: the delivery address is where it goes
        assert "Deliver to: Ada Shopper, 1 Market Street, Springfield 12345, US" in text
    # The shopper learns the card is only authorised: nothing is charged until the order is packed.
    assert "authorised for up to 59.97 USD" in _body(to_buyer) and "nothing is charged yet" in _body(to_buyer)
    assert "authorised" not in _body(to_seller)
    # Each mail went to its own addressee only; no receipt before anything is packed.
    assert to_buyer["to"] == [buyer.email] and to_seller["to"] == [seller.email]
    assert mail(api, seller.email, subject(order, CONFIRMED)) == []
    assert mail(api, buyer.email, subject(order, TO_PACK)) == []
    drain(api)
    assert receipts(api, buyer.email) == []


def test_unauthorised_checkout_sends_no_confirmation(api, seller, shopper):
    item = product(api, seller)
    order = place(api, shopper, (item, 1))["orders"][0]
    drain(api)
    assert mail(api, shopper.email, subject(order, CONFIRMED)) == []
    assert mail(api, seller.email, subject(order, TO_PACK)) == []


def test_delivery_steps_mail_the_shopper(api, seller, shopper):
    item = product(api, seller, price="2.50")
    order = place_confirmed(api, shopper, (item, 1))["orders"][0]
    order_id, number = order["id"], order["number"]
    assert set_status(api, seller, order_id, "packed").status_code == 200
    assert set_status(api, seller, order_id, "out_for_delivery").status_code == 200
    (on_way,) = wait_for_mail(api, shopper.email, subject(order, ON_ITS_WAY))
    assert "out for delivery" in _body(on_way) and number in _body(on_way) and f"/orders/{order_id}" in _body(on_way)
    assert set_status(api, seller, order_id, "delivered").status_code == 200
    (done,) = wait_for_mail(api, shopper.email, subject(order, DELIVERED))
    assert "delivered" in _body(done) and number in _body(done)
    assert mail(api, seller.email, subject(order, ON_ITS_WAY)) == []
    assert mail(api, seller.email, subject(order, DELIVERED)) == []
    # "packed" is not worth a mail of its own: packing captures the card, and that sends the receipt.
    drain(api)
    assert sorted(m["subject"] for m in mail(api, shopper.email)) == sorted(
        [
            "Welcome to SmartGrocer",
            f"{number}: confirmed",
            f"{number} packed: $2.50 charged",
            f"{number}: on its way",
            f"{number}: delivered",
        ]
    )


def _order_cancelled_mail(api, email: str, order: dict) -> dict:
    """The one cancellation mail about this order, with its number and a link to it."""
    wait_for_mail(api, email, subject(order, CANCELLED))
    drain(api)
    (message,) = mail(api, email, subject(order, CANCELLED))
    assert order["number"] in _body(message) and f"/orders/{order['id']}" in _body(message)
    return message


def test_cancellation_after_capture_mails_the_shopper_with_refund_note(api, seller, shopper, admin):
    item = product(api, seller)
    order = place_captured(api, shopper, seller, (item, 1))["orders"][0]
    assert set_status(api, admin, order["id"], "cancelled").status_code == 200
    message = _order_cancelled_mail(api, shopper.email, order)
    assert "being refunded" in _body(message) and "Nothing was charged" not in _body(message)
    # the seller is told too: an admin cancelled an order they packed, and the refund reverses their payout
    to_seller = _order_cancelled_mail(api, seller.email, order)
    assert "SmartGrocer support cancelled it" in _words(to_seller) and "do not pack or send it" in _words(to_seller)
    assert "your payout for it is reversed" in _words(to_seller)


def test_cancellation_before_capture_says_the_hold_is_released_and_mentions_no_refund(api, seller, shopper):
    item = product(api, seller)
    order = place_confirmed(api, shopper, (item, 1))["orders"][0]
    assert set_status(api, seller, order["id"], "cancelled").status_code == 200
    message = _order_cancelled_mail(api, shopper.email, order)
    assert "Nothing was charged" in _body(message) and "hold on your card is released" in _body(message)
    assert "refund" not in _body(message)
    assert mail(api, seller.email, subject(order, CANCELLED)) == []  # the seller cancelled it: they know


def test_a_voided_checkout_is_not_described_as_packed_and_charged(api, seller, shopper):
    item = product(api, seller)
    order = place_confirmed(api, shopper, (item, 1))["orders"][0]
    assert set_status(api, shopper, order["id"], "cancelled").status_code == 200
    wait_for_mail(api, shopper.email, subject(order, CANCELLED))
    drain(api)
    bodies = [_body(m) for m in mail(api, shopper.email)]
    assert bodies and not [b for b in bodies if "packed your groceries" in b or "what you were charged" in b]
    assert receipts(api, shopper.email) == []


def test_cancelling_an_unpaid_order_mentions_no_refund(api, seller, shopper):
    item = product(api, seller)
    order = place(api, shopper, (item, 1))["orders"][0]
    assert set_status(api, shopper, order["id"], "cancelled").status_code == 200
    (message,) = wait_for_mail(api, shopper.email, subject(order, CANCELLED))
    assert "refund" not in _body(message)
    drain(api)
    assert mail(api, seller.email, subject(order, CANCELLED)) == []  # never asked to pack it: nothing to tell


def test_receipt_after_capture_lists_ordered_packed_substituted_and_charged(api, unique_email, other_seller):
    buyer = api.signup(unique_email("buyer"), full_name="Rita Receipt")
    seller = api.signup(unique_email("grocer"), full_name="Gus Greens", is_seller=True)
    apples = product(api, seller, name="Gala Apples", price="2.50", unit="each", stock=10)
    pears = product(api, seller, name="Conference Pears", price="3.00", unit="each", stock=10)
    milk = product(api, seller, name="Oat Milk", price="1.20", unit="l", stock=10)
    bread = product(api, other_seller, name="Rye Bread", price="4.00", unit="each", stock=10)
    placed = place(api, buyer, (apples, {"quantity": 3, "substitution": "similar"}), (milk, 2), (bread, 1))
    pay(api, placed)
    mine = next(o for o in placed["orders"] if o["seller_id"] == seller.user_id)
    theirs = next(o for o in placed["orders"] if o["seller_id"] == other_seller.user_id)
    lines = {i["product_id"]: i["line_id"] for i in mine["items"]}
    # One apple packed, two pears instead (charged at most the apple's price), the milk as ordered;
    # the other seller cannot deliver the bread.
    response = pack(
        api,
        seller,
        mine["id"],
        {
            "line_id": lines[apples["id"]],
            "packed_quantity": 1,
            "substitute": {"product_id": pears["id"], "quantity": 2},
        },
        {"line_id": lines[milk["id"]], "packed_quantity": 2},
    )
    assert response.status_code == 200, response.text
    assert response.json()["final_total"] == "9.90"
    drain(api)
    assert receipts(api, buyer.email) == []  # not before every order is packed or cancelled
    assert set_status(api, other_seller, theirs["id"], "cancelled").status_code == 200
    assert intent_for(placed["checkout_id"])["amount_received"] == 990

    (receipt,) = wait_for_mail(api, buyer.email, f"{mine['number']} packed: $9.90 charged")
    text = _words(receipt)
    assert receipt["to"] == [buyer.email]
    assert "Rita Receipt" in text and "Gus Greens" in text
    assert "Gala Apples: ordered 3 x, packed 1 x, substituted with 2 x Conference Pears, charged 7.50 USD" in text
    assert "Oat Milk: ordered 2 x, packed 2 x, charged 2.40 USD" in text
    assert "Charged: 9.90 USD" in text
    assert f"(order {theirs['number']}): cancelled, nothing charged" in text
    assert f"order {mine['number']}" in text and f"/orders/{mine['id']}" in _body(receipt)
    # Authorised 7.50 + 2.40 + 4.00 = 13.90; charged 9.90; the bread's 4.00 is released.
    assert "Total charged: 9.90 USD. Released from the hold on your card: 4.00 USD." in text
    drain(api)
    assert len(receipts(api, buyer.email)) == 1
    assert receipts(api, seller.email) == [] and receipts(api, other_seller.email) == []


def test_checkout_and_status_changes_survive_ses_failure(runtime, api, seller, shopper):
    ses = boto3.client(
        "ses",
        endpoint_url=runtime.env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    sender = runtime.env["MAIL_FROM"]
    item = product(api, seller, stock=5)
    ses.delete_identity(Identity=sender)
    try:
        assert sender not in ses.list_identities()["Identities"]
        placed = place(api, shopper, (item, 1))
        assert placed["orders"][0]["status"] == "pending_payment"
        pay(api, placed)
        order_id = placed["orders"][0]["id"]
        response = set_status(api, seller, order_id, "packed")
        assert response.status_code == 200 and response.json()["status"] == "packed"
        assert response.json()["payment_status"] == "captured"  # the capture does not wait for mail
        # The notifier itself does fail while SES refuses (so the platform would retry it).
        outcome = runtime.pool.invoke(
            "notifier",
            {"source": "smartgrocer.orders", "detail-type": "OrderConfirmed", "detail": {"order_id": order_id}},
        )
        assert outcome.get("statusCode") == 500, outcome
        assert mail(api, shopper.email, subject(placed["orders"][0], CONFIRMED)) == []
        assert receipts(api, shopper.email) == []
    finally:
        ses.verify_email_identity(EmailAddress=sender)
    assert sender in ses.list_identities()["Identities"]
    assert api.get(f"/api/orders/{order_id}", shopper).json()["status"] == "packed"


def test_mails_show_the_delivery_window_and_address_or_the_pickup_place(api, seller, unique_email):
    from tests.integration.test_checkout_windows import body, choose, set_up, windows

    set_up(api, seller)
    item = product(api, seller, name="Sourdough", price="6.00", stock=10)
    for method in ("delivery", "pickup"):
        shopper = api.signup(unique_email(method))
        window = windows(api, seller, method)[0]
        response = api.post("/api/orders", shopper, json=body((item, 1), fulfilment=choose(seller, window)))
        assert response.status_code == 201, response.text
        placed = response.json()
        pay(api, placed)
        order = placed["orders"][0]
        label = order["fulfilment"]["label"]
        (to_buyer,) = wait_for_mail(api, shopper.email, subject(order, CONFIRMED))
        (to_seller,) = wait_for_mail(api, seller.email, subject(order, TO_PACK))
        for message in (to_buyer, to_seller):
            text = _words(message)
            if method == "delivery":
                assert f"Delivery: {label}" in text
                assert "Deliver to: Ada Shopper, 1 Market Street, Springfield 12345, US" in text
            else:
                assert f"Pickup: {label} at 1 Mill Lane" in text and "Deliver to" not in text
            assert f"/orders/{order['id']}" in _body(message) and order["number"] in text


def test_the_seller_is_mailed_once_when_the_shopper_cancels(runtime, api, seller, shopper):
    item = product(api, seller, name="Duck Eggs")
    placed = place_confirmed(api, shopper, (item, 2))
    order = placed["orders"][0]
    wait_for_mail(api, seller.email, subject(order, TO_PACK))
    assert set_status(api, shopper, order["id"], "cancelled").status_code == 200
    message = _order_cancelled_mail(api, seller.email, order)
    text = _words(message)
    assert message["subject"] == f"{order['number']}: cancelled"
    assert "The shopper cancelled it." in text and "Please do not pack or send it." in text and "Duck Eggs" in text
    assert "refund" not in text  # nothing was charged
    # The same event delivered again (the outbox and the bus deliver at least once) mails nobody.
    key = f"{placed['checkout_id']}/publish:OrderStatusChanged:{order['id']}:cancelled"
    event = {
        "source": "smartgrocer.orders",
        "detail-type": "OrderStatusChanged",
        "detail": {"order_id": order["id"], "status": "cancelled", "previous": "confirmed", "event_key": key},
    }
    assert runtime.pool.invoke("notifier", event) == {"sent": []}
    drain(api)
    assert len(mail(api, seller.email, subject(order, CANCELLED))) == 1
    assert len(mail(api, shopper.email, subject(order, CANCELLED))) == 1


def test_a_refund_mail_says_how_much_on_which_order(api, seller, shopper):
    item = product(api, seller, price="4.00")
    order = place_captured(api, shopper, seller, (item, 2))["orders"][0]
    response = api.post(f"/api/orders/{order['id']}/refunds", seller, json={"amount": "3.00", "reason": "Dented tin"})
    assert response.status_code == 201, response.text
    (message,) = wait_for_mail(api, shopper.email, subject(order, "refunded $3.00"))
    text = _words(message)
    assert f"refunded 3.00 USD on your order {order['number']}: Dented tin" in text
    assert f"/orders/{order['id']}" in _body(message)
