"""Unit tier for the Stripe adapter: the real stripe SDK builds, sends and parses every request, over a
fake transport (a `stripe.HTTPClient` that records requests and answers canned JSON). No network."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from smartgrocer.adapters.stripe_gateway import StripeGateway
from smartgrocer.domain.payments import PaymentIntent, PaymentProviderError


class FakeStripe(stripe.HTTPClient):
    """Answers each request with the next canned (status, body); records what the SDK sent."""

    name = "fake"

    def __init__(self, *answers: tuple[int, dict]):
        super().__init__()
        self.answers = list(answers)
        self.requests: list[dict] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        self.requests.append(
            {
                "method": method.upper(),
                "path": parts.path,
                "headers": dict(headers or {}),
                "form": {k: v[0] for k, v in parse_qs(post_data or parts.query or "").items()},
            }
        )
        status, body = self.answers.pop(0)
        # A decided answer: the SDK must not retry it (its retry logic is not under test here).
        return json.dumps(body), status, {"request-id": f"req_{len(self.requests)}", "stripe-should-retry": "false"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise AssertionError("the adapter never streams")

    def close(self):
        pass


def intent_json(status: str = "requires_payment_method", **fields) -> dict:
    return {
        "id": "pi_123",
        "object": "payment_intent",
        "amount": 5997,
        "amount_capturable": 0,
        "amount_received": 0,
        "capture_method": "manual",
        "client_secret": "pi_123_secret_abc",
        "currency": "usd",
        "metadata": {"checkout_id": "c1"},
        "status": status,
        **fields,
    }


def error_json(code: str, message: str, error_type: str = "invalid_request_error", **fields) -> dict:
    return {"error": {"type": error_type, "code": code, "message": message, **fields}}


def unexpected_state(status: str) -> tuple[int, dict]:
    return 400, error_json(
        "payment_intent_unexpected_state",
        f"This PaymentIntent's status is {status}.",
        payment_intent=intent_json(status),
    )


def gateway(*answers: tuple[int, dict]) -> tuple[StripeGateway, FakeStripe]:
    fake = FakeStripe(*answers)
    return StripeGateway("sk_test_unit", "pk_test_unit", http_client=fake), fake


# -- create ------------------------------------------------------------------------------------------


def test_create_asks_for_manual_capture_with_the_idempotency_key():
    gw, fake = gateway((200, intent_json()))
    assert gw.create_payment_intent(5997, "usd", "c1", "checkout-c1") == PaymentIntent("pi_123", "pi_123_secret_abc")
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("POST", "/v1/payment_intents")
    assert sent["form"] == {
        "amount": "5997",
        "currency": "usd",
        "metadata[checkout_id]": "c1",
        "automatic_payment_methods[enabled]": "true",
        "capture_method": "manual",
    }
    assert sent["headers"]["Idempotency-Key"] == "checkout-c1"
    assert sent["headers"]["Authorization"] == "Bearer sk_test_unit"


def test_create_maps_stripe_errors():
    gw, _ = gateway((500, error_json("", "Internal error", error_type="api_error")))
    with pytest.raises(PaymentProviderError, match="Internal error"):
        gw.create_payment_intent(5997, "usd", "c1", "checkout-c1")


# -- capture -----------------------------------------------------------------------------------------


def test_capture_sends_the_amount_and_the_idempotency_key_and_returns_the_charge():
    gw, fake = gateway((200, intent_json("succeeded", amount_received=4000, latest_charge="ch_123")))
    assert gw.capture("pi_123", 4000, "capture-c1") == "ch_123"
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("POST", "/v1/payment_intents/pi_123/capture")
    assert sent["form"] == {"amount_to_capture": "4000"}
    assert sent["headers"]["Idempotency-Key"] == "capture-c1"


def test_capture_returns_the_id_of_an_expanded_charge():
    charge = {"id": "ch_123", "object": "charge", "amount_captured": 4000}
    gw, _ = gateway((200, intent_json("succeeded", amount_received=4000, latest_charge=charge)))
    assert gw.capture("pi_123", 4000, "capture-c1") == "ch_123"


def test_capture_of_an_intent_already_captured_is_done_and_reads_its_charge():
    gw, fake = gateway(
        unexpected_state("succeeded"), (200, intent_json("succeeded", amount_received=4000, latest_charge="ch_123"))
    )
    assert gw.capture("pi_123", 4000, "capture-c1") == "ch_123"
    assert [(r["method"], r["path"]) for r in fake.requests] == [
        ("POST", "/v1/payment_intents/pi_123/capture"),
        ("GET", "/v1/payment_intents/pi_123"),
    ]


@pytest.mark.parametrize(
    "answer",
    [(500, error_json("", "Internal error", error_type="api_error")), (200, intent_json("succeeded"))],
    ids=["retrieve_fails", "no_charge"],
)
def test_capture_already_done_whose_charge_cannot_be_read_is_a_provider_error(answer):
    gw, _ = gateway(unexpected_state("succeeded"), answer)
    with pytest.raises(PaymentProviderError):
        gw.capture("pi_123", 4000, "capture-c1")


@pytest.mark.parametrize(
    "answer",
    [
        unexpected_state("canceled"),
        unexpected_state("requires_payment_method"),
        (400, error_json("payment_intent_unexpected_state", "No status given.")),
        (400, error_json("amount_too_large", "amount_to_capture is greater than amount_capturable.")),
        (404, error_json("resource_missing", "No such payment_intent: 'pi_123'")),
        (402, error_json("card_declined", "Your card was declined.", error_type="card_error")),
        (401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}),
        (500, error_json("", "Internal error", error_type="api_error")),
    ],
    ids=["canceled", "not_authorised", "no_status", "too_much", "missing", "card", "auth", "server"],
)
def test_capture_failures_are_provider_errors(answer):
    gw, _ = gateway(answer)
    with pytest.raises(PaymentProviderError):
        gw.capture("pi_123", 4000, "capture-c1")


# -- cancel, refund, client secret -------------------------------------------------------------------


def test_cancel_voids_an_authorisation():
    gw, fake = gateway((200, intent_json("canceled", cancellation_reason=None)))
    gw.cancel("pi_123")
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("POST", "/v1/payment_intents/pi_123/cancel")


@pytest.mark.parametrize("status", ["canceled", "succeeded"])
def test_cancel_of_a_settled_intent_is_harmless(status):
    gw, _ = gateway(unexpected_state(status))
    gw.cancel("pi_123")


@pytest.mark.parametrize(
    "answer",
    [(404, error_json("resource_missing", "No such payment_intent")), (500, error_json("", "boom", "api_error"))],
)
def test_cancel_failures_are_provider_errors(answer):
    gw, _ = gateway(answer)
    with pytest.raises(PaymentProviderError):
        gw.cancel("pi_123")


def test_refund_sends_amount_intent_and_key():
    gw, fake = gateway((200, {"id": "re_1", "object": "refund", "amount": 310, "status": "succeeded"}))
    assert gw.refund("pi_123", 310, "refund-o1") == "re_1"
    (sent,) = fake.requests
    assert (sent["path"], sent["form"]) == ("/v1/refunds", {"payment_intent": "pi_123", "amount": "310"})
    assert sent["headers"]["Idempotency-Key"] == "refund-o1"


def test_refund_beyond_what_was_captured_is_a_provider_error():
    gw, _ = gateway((400, error_json("charge_already_refunded", "Charge ch_1 has already been refunded.")))
    with pytest.raises(PaymentProviderError, match="already been refunded"):
        gw.refund("pi_123", 310, "refund-o1")


def test_client_secret_reads_the_intent():
    gw, fake = gateway((200, intent_json()))
    assert gw.client_secret("pi_123") == "pi_123_secret_abc"
    assert (fake.requests[0]["method"], fake.requests[0]["path"]) == ("GET", "/v1/payment_intents/pi_123")


# -- connected accounts (Connect Express) ------------------------------------------------------------


def account_json(**fields) -> dict:
    return {
        "id": "acct_123",
        "object": "account",
        "type": "express",
        "email": "seller@example.com",
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "metadata": {"seller_id": "s1"},
        **fields,
    }


SERVER_ERROR = (500, error_json("", "Internal error", error_type="api_error"))


def test_create_account_asks_for_an_express_account_that_can_receive_transfers():
    gw, fake = gateway((200, account_json()))
    assert gw.create_account("s1", "seller@example.com", "account-s1") == "acct_123"
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("POST", "/v1/accounts")
    assert sent["form"] == {
        "type": "express",
        "email": "seller@example.com",
        "capabilities[transfers][requested]": "true",
        "metadata[seller_id]": "s1",
    }
    assert sent["headers"]["Idempotency-Key"] == "account-s1"


@pytest.mark.parametrize(
    "answer",
    [SERVER_ERROR, (400, error_json("email_invalid", "Invalid email address: nope"))],
    ids=["server", "invalid"],
)
def test_create_account_maps_stripe_errors(answer):
    gw, _ = gateway(answer)
    with pytest.raises(PaymentProviderError):
        gw.create_account("s1", "nope", "account-s1")


def test_onboarding_link_is_an_account_onboarding_link():
    link = {
        "object": "account_link",
        "created": 1,
        "expires_at": 301,
        "url": "https://connect.stripe.com/setup/e/acct_123/abc",
    }
    gw, fake = gateway((200, link))
    url = gw.onboarding_link(
        "acct_123", "https://shop.test/seller/payouts?refresh=1", "https://shop.test/seller/payouts"
    )
    assert url == "https://connect.stripe.com/setup/e/acct_123/abc"
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("POST", "/v1/account_links")
    assert sent["form"] == {
        "account": "acct_123",
        "type": "account_onboarding",
        "refresh_url": "https://shop.test/seller/payouts?refresh=1",
        "return_url": "https://shop.test/seller/payouts",
    }


def test_onboarding_link_maps_stripe_errors():
    gw, _ = gateway((404, error_json("resource_missing", "No such account: 'acct_123'")))
    with pytest.raises(PaymentProviderError, match="No such account"):
        gw.onboarding_link("acct_123", "https://shop.test/r", "https://shop.test/x")


@pytest.mark.parametrize(
    ("flags", "status"),
    [
        ({"charges_enabled": True, "payouts_enabled": True, "details_submitted": True}, "active"),
        ({"charges_enabled": True, "payouts_enabled": False, "details_submitted": True}, "pending"),
        ({"charges_enabled": False, "payouts_enabled": False, "details_submitted": True}, "pending"),
        ({}, "pending"),
    ],
    ids=["active", "payouts_disabled", "in_review", "new"],
)
def test_account_status_reads_the_account(flags, status):
    gw, fake = gateway((200, account_json(**flags)))
    assert gw.account_status("acct_123") == status
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("GET", "/v1/accounts/acct_123")


def test_account_status_maps_stripe_errors():
    gw, _ = gateway(SERVER_ERROR)
    with pytest.raises(PaymentProviderError):
        gw.account_status("acct_123")


# -- transfers and reversals (separate charges and transfers) ----------------------------------------


def transfer_json(**fields) -> dict:
    return {
        "id": "tr_123",
        "object": "transfer",
        "amount": 2500,
        "amount_reversed": 0,
        "currency": "usd",
        "destination": "acct_123",
        "reversed": False,
        "source_transaction": "ch_123",
        "transfer_group": "checkout-c1",
        **fields,
    }


def test_transfer_moves_a_share_of_the_charge_to_the_account():
    gw, fake = gateway((200, transfer_json()))
    assert gw.transfer("acct_123", 2500, "usd", "ch_123", "checkout-c1", "transfer-o1") == "tr_123"
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("POST", "/v1/transfers")
    assert sent["form"] == {
        "amount": "2500",
        "currency": "usd",
        "destination": "acct_123",
        "source_transaction": "ch_123",
        "transfer_group": "checkout-c1",
    }
    assert sent["headers"]["Idempotency-Key"] == "transfer-o1"


@pytest.mark.parametrize(
    "answer",
    [
        (400, error_json("balance_insufficient", "Insufficient funds in Stripe account.")),
        (400, error_json("", "Cannot create transfers with a source_transaction exceeding the charge amount.")),
        (
            400,
            error_json(
                "",
                "Your destination account needs to have at least one of the following capabilities enabled: transfers",
            ),
        ),
        (404, error_json("resource_missing", "No such destination: 'acct_123'")),
        (429, error_json("rate_limit", "Too many requests", error_type="invalid_request_error")),
        SERVER_ERROR,
    ],
    ids=["insufficient", "over_charge", "not_onboarded", "missing", "rate_limited", "server"],
)
def test_transfer_failures_are_provider_errors(answer):
    gw, _ = gateway(answer)
    with pytest.raises(PaymentProviderError):
        gw.transfer("acct_123", 2500, "usd", "ch_123", "checkout-c1", "transfer-o1")


def test_reverse_transfer_takes_back_the_amount():
    reversal = {"id": "trr_123", "object": "transfer_reversal", "amount": 400, "currency": "usd", "transfer": "tr_123"}
    gw, fake = gateway((200, reversal))
    assert gw.reverse_transfer("tr_123", 400, "reversal-o1") == "trr_123"
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("POST", "/v1/transfers/tr_123/reversals")
    assert sent["form"] == {"amount": "400"}
    assert sent["headers"]["Idempotency-Key"] == "reversal-o1"


@pytest.mark.parametrize(
    "answer",
    [
        (400, error_json("", "Transfer tr_123 has already been fully reversed.")),
        (400, error_json("", "Amount must be no more than $21.00 (the transfer's remaining amount)")),
        (404, error_json("resource_missing", "No such transfer: 'tr_123'")),
        SERVER_ERROR,
    ],
    ids=["fully_reversed", "too_much", "missing", "server"],
)
def test_reverse_transfer_failures_are_provider_errors(answer):
    gw, _ = gateway(answer)
    with pytest.raises(PaymentProviderError):
        gw.reverse_transfer("tr_123", 400, "reversal-o1")
