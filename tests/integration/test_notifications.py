"""Email notifications, read back from moto's SES through GET /local/mail: the right mail to the
right address for each event, and checkout working on while SES refuses to send."""

from __future__ import annotations

import boto3

from tests.integration.orders_support import drain, mail, place, place_confirmed, product, set_status, wait_for_mail

CONFIRMED = "Your SmartGrocer order is confirmed"
TO_PACK = "New paid order to pack"
ON_ITS_WAY = "Your SmartGrocer order is on its way"
DELIVERED = "Your SmartGrocer order was delivered"
CANCELLED = "Your SmartGrocer order was cancelled"


def _body(message: dict) -> str:
    body = message["body"]
    return body if isinstance(body, str) else str(body)


def test_welcome_mail_on_signup(api, unique_email):
    email = unique_email("welcome")
    api.signup(email, full_name="Wendy Welcome")
    (message,) = wait_for_mail(api, email, "Welcome to SmartGrocer")
    assert message["to"] == [email]
    assert "Wendy Welcome" in _body(message)
    assert message["source"] == "no-reply@smartgrocer.test"


def test_order_paid_mails_shopper_and_seller(api, unique_email):
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
    # Each mail went to its own addressee only.
    assert to_buyer["to"] == [buyer.email] and to_seller["to"] == [seller.email]
    assert mail(api, seller.email, CONFIRMED) == [] and mail(api, buyer.email, TO_PACK) == []


def test_unpaid_checkout_sends_no_confirmation(api, seller, shopper):
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
    # "packed" is not worth a mail.
    drain(api)
    assert {m["subject"] for m in mail(api, shopper.email)} == {
        "Welcome to SmartGrocer",
        CONFIRMED,
        ON_ITS_WAY,
        DELIVERED,
    }


def test_cancellation_mails_the_shopper_with_refund_note(api, seller, shopper):
    item = product(api, seller)
    order_id = place_confirmed(api, shopper, (item, 1))["orders"][0]["id"]
    assert set_status(api, seller, order_id, "cancelled").status_code == 200
    (message,) = wait_for_mail(api, shopper.email, CANCELLED)
    assert "cancelled" in _body(message) and "refunded" in _body(message) and order_id in _body(message)
    assert mail(api, seller.email, CANCELLED) == []


def test_cancelling_an_unpaid_order_mentions_no_refund(api, seller, shopper):
    item = product(api, seller)
    order_id = place(api, shopper, (item, 1))["orders"][0]["id"]
    assert set_status(api, shopper, order_id, "cancelled").status_code == 200
    (message,) = wait_for_mail(api, shopper.email, CANCELLED)
    assert "refund" not in _body(message)


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
        from tests.integration.orders_support import pay

        pay(api, placed)
        order_id = placed["orders"][0]["id"]
        response = set_status(api, seller, order_id, "packed")
        assert response.status_code == 200 and response.json()["status"] == "packed"
        # The notifier itself does fail while SES refuses (so the platform would retry it).
        outcome = runtime.pool.invoke(
            "notifier", {"source": "smartgrocer.orders", "detail-type": "OrderPaid", "detail": {"order_id": order_id}}
        )
        assert outcome.get("statusCode") == 500, outcome
        assert mail(api, shopper.email, CONFIRMED) == []
    finally:
        ses.verify_email_identity(EmailAddress=sender)
    assert sender in ses.list_identities()["Identities"]
    assert api.get(f"/api/orders/{order_id}", shopper).json()["status"] == "packed"
