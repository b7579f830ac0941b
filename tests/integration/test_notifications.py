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
    set_status,
    wait_for_mail,
)

CONFIRMED = "Your SmartGrocer order is confirmed"
TO_PACK = "New order to pack"
RECEIPT = "Your SmartGrocer receipt"
ON_ITS_WAY = "Your SmartGrocer order is on its way"
DELIVERED = "Your SmartGrocer order was delivered"
CANCELLED = "Your SmartGrocer order was cancelled"


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
    order_id = placed["orders"][0]["id"]
    (to_buyer,) = wait_for_mail(api, buyer.email, CONFIRMED)
    (to_seller,) = wait_for_mail(api, seller.email, TO_PACK)
    for message, name in ((to_buyer, "Bea Buyer"), (to_seller, "Gil Grocer")):
        text = _body(message)
        assert name in text and order_id in text and "Heirloom Tomatoes" in text and "59.97 USD" in text
    # The shopper learns the card is only authorised: nothing is charged until the order is packed.
    assert "authorised for up to 59.97 USD" in _body(to_buyer) and "nothing is charged yet" in _body(to_buyer)
    assert "authorised" not in _body(to_seller)
    # Each mail went to its own addressee only; no receipt before anything is packed.
    assert to_buyer["to"] == [buyer.email] and to_seller["to"] == [seller.email]
    assert mail(api, seller.email, CONFIRMED) == [] and mail(api, buyer.email, TO_PACK) == []
    drain(api)
    assert mail(api, buyer.email, RECEIPT) == []


def test_unauthorised_checkout_sends_no_confirmation(api, seller, shopper):
    item = product(api, seller)
    place(api, shopper, (item, 1))
    drain(api)
    assert mail(api, shopper.email, CONFIRMED) == [] and mail(api, seller.email, TO_PACK) == []


def test_delivery_steps_mail_the_shopper(api, seller, shopper):
    item = product(api, seller)
    order_id = place_confirmed(api, shopper, (item, 1))["orders"][0]["id"]
    assert set_status(api, seller, order_id, "packed").status_code == 200
    assert set_status(api, seller, order_id, "out_for_delivery").status_code == 200
    (on_way,) = wait_for_mail(api, shopper.email, ON_ITS_WAY)
    assert "out for delivery" in _body(on_way) and order_id in _body(on_way)
    assert set_status(api, seller, order_id, "delivered").status_code == 200
    (done,) = wait_for_mail(api, shopper.email, DELIVERED)
    assert "delivered" in _body(done) and order_id in _body(done)
    assert mail(api, seller.email, ON_ITS_WAY) == [] and mail(api, seller.email, DELIVERED) == []
    # "packed" is not worth a mail of its own: packing captures the card, and that sends the receipt.
    drain(api)
    assert sorted(m["subject"] for m in mail(api, shopper.email)) == sorted(
        ["Welcome to SmartGrocer", CONFIRMED, RECEIPT, ON_ITS_WAY, DELIVERED]
    )


def _order_cancelled_mail(api, email: str, order_id: str) -> dict:
    """The cancellation mail about this order (not the checkout-wide mail a void may also send)."""
    wait_for_mail(api, email, CANCELLED)
    drain(api)
    (message,) = [m for m in mail(api, email, CANCELLED) if "Your order was cancelled." in _body(m)]
    assert order_id in _body(message)
    return message


def test_cancellation_after_capture_mails_the_shopper_with_refund_note(api, seller, shopper, admin):
    item = product(api, seller)
    order_id = place_captured(api, shopper, seller, (item, 1))["orders"][0]["id"]
    assert set_status(api, admin, order_id, "cancelled").status_code == 200
    message = _order_cancelled_mail(api, shopper.email, order_id)
    assert "being refunded" in _body(message) and "Nothing was charged" not in _body(message)
    assert mail(api, seller.email, CANCELLED) == []


def test_cancellation_before_capture_says_the_hold_is_released_and_mentions_no_refund(api, seller, shopper):
    item = product(api, seller)
    order_id = place_confirmed(api, shopper, (item, 1))["orders"][0]["id"]
    assert set_status(api, seller, order_id, "cancelled").status_code == 200
    message = _order_cancelled_mail(api, shopper.email, order_id)
    assert "Nothing was charged" in _body(message) and "hold on your card is released" in _body(message)
    assert "refund" not in _body(message)
    assert mail(api, seller.email, CANCELLED) == []


def test_a_voided_checkout_is_not_described_as_packed_and_charged(api, seller, shopper):
    item = product(api, seller)
    order_id = place_confirmed(api, shopper, (item, 1))["orders"][0]["id"]
    assert set_status(api, shopper, order_id, "cancelled").status_code == 200
    wait_for_mail(api, shopper.email, CANCELLED)
    drain(api)
    bodies = [_body(m) for m in mail(api, shopper.email, CANCELLED)]
    assert bodies and not [b for b in bodies if "packed your groceries" in b or "what you were charged" in b]


def test_cancelling_an_unpaid_order_mentions_no_refund(api, seller, shopper):
    item = product(api, seller)
    order_id = place(api, shopper, (item, 1))["orders"][0]["id"]
    assert set_status(api, shopper, order_id, "cancelled").status_code == 200
    (message,) = wait_for_mail(api, shopper.email, CANCELLED)
    assert "refund" not in _body(message)


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
    assert mail(api, buyer.email, RECEIPT) == []  # not before every order is packed or cancelled
    assert set_status(api, other_seller, theirs["id"], "cancelled").status_code == 200
    assert intent_for(placed["checkout_id"])["amount_received"] == 990

    (receipt,) = wait_for_mail(api, buyer.email, RECEIPT)
    text = _words(receipt)
    assert receipt["to"] == [buyer.email]
    assert "Rita Receipt" in text and "Gus Greens" in text
    assert "Gala Apples: ordered 3 x, packed 1 x, substituted with 2 x Conference Pears, charged 7.50 USD" in text
    assert "Oat Milk: ordered 2 x, packed 2 x, charged 2.40 USD" in text
    assert "Charged: 9.90 USD" in text
    assert "cancelled, nothing charged" in text
    # Authorised 7.50 + 2.40 + 4.00 = 13.90; charged 9.90; the bread's 4.00 is released.
    assert "Total charged: 9.90 USD. Released from the hold on your card: 4.00 USD." in text
    drain(api)
    assert len(mail(api, buyer.email, RECEIPT)) == 1
    assert mail(api, seller.email, RECEIPT) == [] and mail(api, other_seller.email, RECEIPT) == []


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
        assert mail(api, shopper.email, CONFIRMED) == [] and mail(api, shopper.email, RECEIPT) == []
    finally:
        ses.verify_email_identity(EmailAddress=sender)
    assert sender in ses.list_identities()["Identities"]
    assert api.get(f"/api/orders/{order_id}", shopper).json()["status"] == "packed"
