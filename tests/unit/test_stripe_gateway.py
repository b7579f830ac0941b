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


def test_capture_sends_the_amount_and_the_idempotency_key():
    gw, fake = gateway((200, intent_json("succeeded", amount_received=4000)))
    assert gw.capture("pi_123", 4000, "capture-c1") is None
    (sent,) = fake.requests
    assert (sent["method"], sent["path"]) == ("POST", "/v1/payment_intents/pi_123/capture")
    assert sent["form"] == {"amount_to_capture": "4000"}
    assert sent["headers"]["Idempotency-Key"] == "capture-c1"


def test_capture_of_an_intent_already_captured_is_done():
    gw, fake = gateway(unexpected_state("succeeded"))
    gw.capture("pi_123", 4000, "capture-c1")
    assert len(fake.requests) == 1


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
