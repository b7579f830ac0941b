"""Unit tier for orders and payments: the Stripe signature scheme checked by the real stripe SDK,
request models, the transition tables, order presentation, fingerprints and mail rendering.
No database, no runtime."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import stripe
from pydantic import ValidationError

from local.payment_provider import payment_event, serialize_event, stripe_signature
from smartgrocer.domain import checkout_machine, orders
from smartgrocer.domain.idempotency import request_fingerprint
from smartgrocer.models.orders import CheckoutRequest, StatusUpdateRequest

SECRET = "whsec_unit_" + "a" * 32
INTENT = {
    "_id": "pi_local_unit",
    "amount": 5997,
    "currency": "usd",
    "metadata": {"checkout_id": "c1"},
    "status": "succeeded",
}
ADDRESS = {"full_name": "A", "line1": "1 St", "city": "X", "region": "IL", "postal_code": "12345", "country": "US"}


# -- the signature scheme, verified by Stripe's own SDK ----------------------------------------------


def _payload() -> str:
    return serialize_event(payment_event(INTENT, "payment_intent.succeeded"))


def test_local_signature_is_accepted_by_the_stripe_sdk():
    payload = _payload()
    event = stripe.Webhook.construct_event(payload, stripe_signature(payload, SECRET), SECRET, tolerance=300)
    assert event["type"] == "payment_intent.succeeded"
    obj = event["data"]["object"]
    assert (obj["id"], obj["amount"], obj["metadata"]["checkout_id"]) == ("pi_local_unit", 5997, "c1")


def test_signature_header_format_matches_stripe():
    header = stripe_signature("{}", SECRET, timestamp=1700000000)
    t, v1 = header.split(",")
    assert t == "t=1700000000" and v1.startswith("v1=") and len(v1) == 3 + 64
    # Stripe's own helper computes the same digest.
    assert v1[3:] == stripe.WebhookSignature._compute_signature("1700000000.{}", SECRET)


@pytest.mark.parametrize("case", ["wrong_secret", "stale", "tampered", "future_tampered_ts"])
def test_stripe_sdk_rejects_bad_signatures(case):
    payload = _payload()
    if case == "wrong_secret":
        header, body = stripe_signature(payload, SECRET + "x"), payload
    elif case == "stale":
        header, body = stripe_signature(payload, SECRET, timestamp=int(time.time()) - 301), payload
    elif case == "tampered":
        header, body = stripe_signature(payload, SECRET), payload.replace("5997", "1")
    else:  # a valid signature with the timestamp rewritten
        good = stripe_signature(payload, SECRET)
        header, body = good.replace(good.split(",")[0], f"t={int(time.time()) + 5}"), payload
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, SECRET, tolerance=300)


@pytest.fixture
def webhook_secret():
    from smartgrocer import wiring
    from smartgrocer.adapters.stripe_gateway import StripeWebhookSignatures
    from smartgrocer.domain import payments, ports

    ports.use(payments.WebhookSignatures, StripeWebhookSignatures(SECRET))
    yield SECRET
    wiring._install_money_core()


def test_verify_webhook_maps_failures_to_400(webhook_secret):
    from smartgrocer.domain import payments
    from smartgrocer.errors import BadRequest

    payload = _payload()
    event = payments.verify_webhook(payload, stripe_signature(payload, SECRET))
    assert event["id"].startswith("evt_local_") and event["data"]["object"]["amount"] == 5997
    for body, header, code in [
        (payload, None, "invalid_signature"),
        (payload, "", "invalid_signature"),
        (payload, stripe_signature(payload, "whsec_other"), "invalid_signature"),
        (payload, stripe_signature(payload, SECRET, int(time.time()) - 600), "invalid_signature"),
        ("not json", stripe_signature("not json", SECRET), "malformed_json"),
    ]:
        with pytest.raises(BadRequest) as caught:
            payments.verify_webhook(body, header)
        assert caught.value.code == code and caught.value.status == 400


def test_payment_event_shape():
    event = payment_event(INTENT, "payment_intent.payment_failed")
    assert event["object"] == "event" and event["type"] == "payment_intent.payment_failed"
    assert event["data"]["object"] == {
        "id": "pi_local_unit",
        "object": "payment_intent",
        "amount": 5997,
        "amount_capturable": 0,
        "amount_received": 5997,  # not stored on this hand-made intent: what `succeeded` implies
        "capture_method": "manual",
        "cancellation_reason": None,
        "currency": "usd",
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
        "latest_charge": None,
        "metadata": {"checkout_id": "c1"},
        "status": "succeeded",
    }
    assert payment_event(INTENT, "x")["id"] != event["id"]
    assert json.loads(serialize_event(event)) == event


# -- request models ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"items": [{"product_id": "p", "quantity": 1}], "shipping_address": ADDRESS, "total": "1.00"},
        {"items": [{"product_id": "p", "quantity": 1, "price": "0.01"}], "shipping_address": ADDRESS},
        {"items": [{"product_id": "p", "quantity": 1}], "shipping_address": {**ADDRESS, "user_id": "u"}},
        {"items": [{"product_id": "p", "quantity": 0}], "shipping_address": ADDRESS},
        {"items": [{"product_id": "p", "quantity": 1.5}], "shipping_address": ADDRESS},
        {"items": [], "shipping_address": ADDRESS},
        {"items": [{"product_id": "p", "quantity": 1}] * 51, "shipping_address": ADDRESS},
        {"items": [{"product_id": "p", "quantity": 1}], "shipping_address": {**ADDRESS, "country": "usa"}},
        {"items": [{"product_id": "p", "quantity": 1}]},
    ],
)
def test_checkout_request_rejects(body):
    with pytest.raises(ValidationError):
        CheckoutRequest.model_validate(body)


def test_checkout_request_accepts_and_normalises():
    parsed = CheckoutRequest.model_validate(
        {"items": [{"product_id": " p1 ", "quantity": 2}], "shipping_address": {**ADDRESS, "line1": "  1 St  "}}
    )
    assert parsed.items[0].product_id == "p1" and parsed.shipping_address.line1 == "1 St"


def test_status_request_only_known_statuses():
    assert StatusUpdateRequest.model_validate({"status": "packed"}).status == "packed"
    for bad in ({"status": "shipped"}, {"status": "packed", "by": "x"}, {}):
        with pytest.raises(ValidationError):
            StatusUpdateRequest.model_validate(bad)


# -- the transition rules (DESIGN section 4) ---------------------------------------------------------


def test_seller_flow_is_the_documented_chain():
    chain, status = ["confirmed"], "confirmed"
    while status in checkout_machine.SELLER_FLOW:
        status = checkout_machine.SELLER_FLOW[status]
        chain.append(status)
    assert chain == ["confirmed", "packed", "out_for_delivery", "delivered"]


@pytest.mark.parametrize(
    "status,who",
    [
        ("pending_payment", {"buyer", "seller", "admin"}),
        ("confirmed", {"buyer", "seller", "admin"}),
        ("packed", {"admin"}),
        ("out_for_delivery", {"admin"}),
        ("delivered", set()),
        ("cancelled", set()),
        ("payment_failed", set()),
    ],
)
def test_who_may_cancel(status, who):
    assert set(checkout_machine.CANCELLABLE_BY.get(status, set())) == who


def test_merge_lines_adds_quantities_per_product():
    assert orders._merge_lines(
        [
            {"product_id": "a", "quantity": 1, "substitution": "similar"},
            {"product_id": "b", "weight_g": 250, "substitution": "similar"},
            {"product_id": "a", "quantity": 3},
            {"product_id": "b", "weight_g": 500, "substitution": "similar"},
        ]
    ) == {
        "a": {"product_id": "a", "quantity": 4, "substitution": "none"},
        "b": {"product_id": "b", "weight_g": 750, "substitution": "similar"},
    }


def test_build_orders_splits_per_seller_in_integer_cents():
    principal = SimpleNamespace(user_id="buyer", email="b@example.com")
    products = {
        "p1": {"_id": "p1", "seller_id": "s1", "seller_name": "One", "name": "Ten", "unit": "each", "price_cents": 10},
        "p2": {
            "_id": "p2",
            "seller_id": "s1",
            "seller_name": "One",
            "name": "Twenty",
            "unit": "each",
            "price_cents": 20,
        },
        "p3": {
            "_id": "p3",
            "seller_id": "s2",
            "seller_name": "Two",
            "name": "Pricey",
            "unit": "kg",
            "price_cents": 1999,
        },
    }
    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    state = checkout_machine.new_checkout(
        checkout_id="c1",
        order_ids=["o1", "o2"],
        user_id=principal.user_id,
        buyer_email=principal.email,
        lines=[
            {"product_id": "p1", "quantity": 1},
            {"product_id": "p2", "quantity": 1},
            {"product_id": "p3", "quantity": 3},
        ],
        products=products,
        shipping_address=ADDRESS,
        currency="usd",
        at=at,
        expires_at=at + timedelta(minutes=30),
    )
    assert state["amount_cents"] == 6027
    built = [checkout_machine.order_view(state, order_id) for order_id in ("o1", "o2")]
    assert [(o["seller_id"], o["seller_name"], o["total_cents"]) for o in built] == [
        ("s1", "One", 30),
        ("s2", "Two", 5997),
    ]
    assert all(isinstance(o["total_cents"], int) for o in built)
    assert built[1]["items"] == [
        {
            "line_id": "1",
            "product_id": "p3",
            "name": "Pricey",
            "unit": "kg",
            "sold_by": "unit",
            "unit_price_cents": 1999,
            "quantity": 3,
            "weight_g": None,
            "substitution": "none",
            "line_total_cents": 5997,
            "packed": None,
            "substitute": None,
            "final_cents": None,
        }
    ]
    assert {o["status"] for o in built} == {"pending_payment"} and {o["checkout_id"] for o in built} == {"c1"}
    assert built[0]["k_created"].startswith("20250102030405000000|")
    public = orders.public_order(built[1])
    assert public["total"] == "59.97" and public["items"][0]["unit_price"] == "19.99"
    assert public["expires_at"] == at + timedelta(minutes=30)
    assert "buyer_email" not in public and "history" not in public


def test_public_order_sorts_history_and_hides_expiry_once_settled():
    t0 = datetime(2025, 1, 1, 12, 0)
    doc = {
        "_id": "o",
        "checkout_id": "c",
        "user_id": "u",
        "seller_id": "s",
        "items": [],
        "total_cents": 0,
        "currency": "usd",
        "status": "packed",
        "payment_status": "paid",
        "shipping_address": ADDRESS,
        "history": {
            "packed": {"at": t0 + timedelta(hours=2), "by": "s"},
            "pending_payment": {"at": t0, "by": "u"},
            "paid": {"at": t0 + timedelta(hours=1), "by": "p"},
        },
        "created_at": t0,
        "updated_at": t0,
        "expires_at": t0 + timedelta(minutes=30),
    }
    public = orders.public_order(doc)
    assert [h["status"] for h in public["status_history"]] == ["pending_payment", "paid", "packed"]
    assert all(h["at"].tzinfo is not None for h in public["status_history"])
    assert public["expires_at"] is None and public["total"] == "0.00"


# -- idempotency fingerprints ------------------------------------------------------------------------


def test_fingerprint_ignores_key_order_but_not_values():
    a = {"items": [{"product_id": "p", "quantity": 1}], "shipping_address": ADDRESS}
    b = {"shipping_address": dict(reversed(list(ADDRESS.items()))), "items": [{"quantity": 1, "product_id": "p"}]}
    assert request_fingerprint(a) == request_fingerprint(b)
    assert request_fingerprint(a) != request_fingerprint({**a, "items": [{"product_id": "p", "quantity": 2}]})


# -- mail rendering ----------------------------------------------------------------------------------


class _FakeMailer:
    def __init__(self):
        self.sent = []

    def send(self, to, subject, text, html):
        self.sent.append((to, subject, text, html))
        return f"m{len(self.sent)}"


def test_welcome_mail_escapes_html(monkeypatch):
    from smartgrocer.domain import notifications

    fake = _FakeMailer()
    monkeypatch.setattr(notifications, "mailer", lambda: fake)
    sent = notifications.handle(
        {"detail-type": "UserSignedUp", "detail": {"email": "x@example.com", "full_name": "<img src=x>"}}
    )
    assert sent == [{"to": "x@example.com", "subject": "Welcome to SmartGrocer", "message_id": "m1"}]
    (_, _, text, html) = fake.sent[0]
    assert "<img src=x>" in text and "<img" not in html and "&lt;img src=x&gt;" in html


def test_unrelated_events_send_nothing(monkeypatch):
    from smartgrocer.domain import notifications

    fake = _FakeMailer()
    monkeypatch.setattr(notifications, "mailer", lambda: fake)
    assert notifications.handle({"detail-type": "OrderPlaced", "detail": {"order_id": "o"}}) == []
    assert notifications.handle({"detail-type": "Scheduled Event", "detail": {}}) == []
    assert fake.sent == []


def test_order_lines_render_money_exactly():
    from smartgrocer.domain.notifications import _message

    order = {
        "_id": "o1",
        "number": "SG-7K3F-92",
        "seller_name": "Fig & Co",
        "currency": "usd",
        "total_cents": 5997,
        "items": [{"quantity": 3, "name": "Figs & <Dates>", "unit": "kg", "line_total_cents": 5997}],
    }
    text, html = _message("Hi", ["Paid."], order)
    assert "3 x Figs & <Dates> (kg): 59.97 USD" in text and "Total: 59.97 USD" in text
    assert "Order SG-7K3F-92 from Fig & Co (3 items)" in text
    assert "Figs &amp; &lt;Dates&gt;" in html and "<strong>59.97 USD</strong>" in html and "Fig &amp; Co" in html


ORDER = {
    "_id": "0123456789abcdef01234567",
    "number": "SG-7K3F-92",
    "user_id": "buyer",
    "seller_id": "seller",
    "seller_name": "Greenfields",
    "currency": "usd",
    "total_cents": 1234,
    "fee_cents": 0,
    "items": [
        {"quantity": 2, "sold_by": "unit", "name": "Pears", "unit": "each", "line_total_cents": 600},
        {"weight_g": 2000, "sold_by": "weight", "name": "Apples", "unit": "kg", "line_total_cents": 634},
    ],
    "shipping_address": {
        "full_name": "Ada Lovelace",
        "line1": "1 Main St",
        "line2": "Flat 2",
        "city": "Springfield",
        "postal_code": "12345",
        "country": "US",
    },
    "status": "confirmed",
    "payment_status": "authorized",
    "seller_visible": True,
    "history": {},
}


def test_an_order_mail_links_to_the_order_and_says_where_and_when(monkeypatch):
    from smartgrocer import settings
    from smartgrocer.domain.notifications import _message

    monkeypatch.setattr(settings, "SITE_URL", "https://shop.example.com/")
    text, html = _message("Hi", [], ORDER)
    assert "See the order: https://shop.example.com/orders/0123456789abcdef01234567" in text
    assert 'href="https://shop.example.com/orders/0123456789abcdef01234567"' in html
    assert "Order SG-7K3F-92 from Greenfields (3 items)" in text  # 2 pears and one bag of apples
    assert "Deliver to: Ada Lovelace, 1 Main St, Flat 2, Springfield 12345, US" in text
    window = {"method": "delivery", "label": "Tuesday 1 December, 09:00-12:00", "address": None}
    text, _ = _message("Hi", [], {**ORDER, "fulfilment": window})
    assert "Delivery: Tuesday 1 December, 09:00-12:00" in text and "Deliver to: Ada Lovelace" in text
    pickup = {"method": "pickup", "label": "Saturday 5 December, 10:00-12:00", "address": "1 Mill Lane"}
    text, _ = _message("Hi", [], {**ORDER, "fulfilment": pickup})
    assert "Pickup: Saturday 5 December, 10:00-12:00 at 1 Mill Lane" in text and "Deliver to" not in text


def test_receipt_subjects_name_the_orders_and_the_charge():
    from smartgrocer.domain.notifications import _price, _receipt_subject

    packed = {**ORDER, "status": "packed", "final_cents": 1234}
    other = {**ORDER, "number": "SG-AB12-CD", "status": "packed", "final_cents": 100}
    cancelled = {**ORDER, "number": "SG-0000-00", "status": "cancelled", "final_cents": None}
    assert _receipt_subject([packed]) == "SG-7K3F-92 packed: $12.34 charged"
    assert _receipt_subject([packed, other, cancelled]) == "SG-7K3F-92, SG-AB12-CD packed: $13.34 charged"
    assert (_price(300, "usd"), _price(300, "eur"), _price(300, "gbp"), _price(300, "chf")) == (
        "$3.00",
        "€3.00",
        "£3.00",
        "3.00 CHF",
    )


@pytest.mark.parametrize(
    ("reason", "by", "visible", "mailed", "because"),
    [
        ("cancelled_by_buyer", "buyer", True, True, "The shopper cancelled it."),
        ("cancelled_by_admin", "an-admin", True, True, "SmartGrocer support cancelled it."),
        ("not_packed_in_time", "system", True, True, "not packed in time"),
        ("cancelled_by_seller", "seller", True, False, ""),  # they did it themselves
        ("cancelled_by_buyer", "buyer", False, False, ""),  # never paid, never shown to them
    ],
)
def test_the_seller_hears_of_a_cancellation_they_did_not_make(monkeypatch, reason, by, visible, mailed, because):
    from smartgrocer.domain import notifications

    users = {"seller": {"email": "farm@example.com", "full_name": "Farm"}}
    monkeypatch.setattr(notifications, "_user", users.get)
    order = {
        **ORDER,
        "status": "cancelled",
        "cancel_reason": reason,
        "seller_visible": visible,
        "history": {"cancelled": {"at": None, "by": by}},
    }
    mails = notifications._seller_cancel_mail(order)
    if not mailed:
        assert mails == []
        return
    ((to, subject, text, _),) = mails
    assert (to, subject) == ("farm@example.com", "SG-7K3F-92: cancelled")
    assert because in text and "Please do not pack or send it." in text and "/orders/" in text
