"""SES refuses to send (the verified sender identity is gone): checkouts, authorisations, packing (and
so capture) and status changes still succeed; mail resumes once the identity is back."""

from __future__ import annotations

import boto3

from tests.faults.conftest import pack_as_ordered, pay, place
from tests.support import eventually


def _ses(stack):
    env = stack.env
    return boto3.client(
        "ses",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def _mail_to(client, address: str) -> list[dict]:
    return [m for m in client.get("/local/mail").json()["messages"] if address in str(m)]


def _wait_for_mail(client, address: str, timeout: float = 15.0) -> list[dict]:
    return eventually(lambda: _mail_to(client, address), timeout=timeout, what=f"a mail to {address}")


def test_ses_failing_never_fails_a_checkout_or_a_status_change(stack, client, new_account):
    ses = _ses(stack)
    sender = stack.env["MAIL_FROM"]
    seller = new_account("seller")
    product = client.create_product(seller, name="Mailless Mangoes", stock=5)
    ses.delete_identity(Identity=sender)
    # Signed up once SES refuses: its welcome mail is refused as well (signed up before, that mail would race
    # the deletion, and the seller's onboarding before it makes the race a close one).
    shopper = new_account()
    try:
        assert sender not in ses.list_identities()["Identities"]
        placed = place(client, shopper, [(product["id"], 1)])
        assert placed.status_code == 201, placed.text
        assert pay(client, placed.json()["payment"]["client_secret"])["status"] == "authorized"
        order_id = placed.json()["orders"][0]["id"]
        packed = pack_as_ordered(client, seller, order_id)  # the receipt (CheckoutSettled) is not sent either
        assert packed.status_code == 200 and packed.json()["payment_status"] == "captured", packed.text
        moved = client.patch(f"/api/orders/{order_id}/status", seller, json={"status": "out_for_delivery"})
        assert moved.status_code == 200 and moved.json()["status"] == "out_for_delivery", moved.text
        assert client.post("/local/events/drain").status_code == 200  # the notifier ran, and failed
        assert _mail_to(client, shopper.email) == []  # SES really was refusing
    finally:
        ses.verify_email_identity(EmailAddress=sender)
    delivered = client.patch(f"/api/orders/{order_id}/status", seller, json={"status": "delivered"})
    assert delivered.status_code == 200
    mail = _wait_for_mail(client, shopper.email)
    assert mail, "mail resumes once SES accepts the sender again"
    assert client.get(f"/api/orders/{order_id}", shopper).json()["status"] == "delivered"
