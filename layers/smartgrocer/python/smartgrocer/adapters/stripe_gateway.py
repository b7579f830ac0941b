"""Stripe adapter: PaymentIntents and refunds through the official SDK."""

from __future__ import annotations

import stripe

from smartgrocer.domain.payments import PaymentIntent, PaymentProviderError


class StripeGateway:
    provider = "stripe"

    def __init__(self, secret_key: str, publishable_key: str | None):
        # A client per container; short timeouts and the SDK's own retries (idempotency keys make them safe).
        self._client = stripe.StripeClient(
            secret_key, max_network_retries=2, http_client=stripe.new_default_http_client(timeout=8)
        )
        self.publishable_key = publishable_key

    def create_payment_intent(
        self, amount_cents: int, currency: str, checkout_id: str, idempotency_key: str
    ) -> PaymentIntent:
        try:
            intent = self._client.v1.payment_intents.create(
                params={
                    "amount": amount_cents,
                    "currency": currency,
                    "metadata": {"checkout_id": checkout_id},
                    "automatic_payment_methods": {"enabled": True},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return PaymentIntent(intent.id, intent.client_secret)

    def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        try:
            refund = self._client.v1.refunds.create(
                params={"payment_intent": payment_intent_id, "amount": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return refund.id

    def cancel(self, payment_intent_id: str) -> None:
        try:
            self._client.v1.payment_intents.cancel(payment_intent_id)
        except stripe.InvalidRequestError as exc:
            if exc.code == "payment_intent_unexpected_state":
                return  # already cancelled or paid: a payment that landed is refunded by its event
            raise PaymentProviderError(str(exc)) from exc
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc

    def client_secret(self, payment_intent_id: str) -> str:
        try:
            return self._client.v1.payment_intents.retrieve(payment_intent_id).client_secret
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc


class StripeWebhookSignatures:
    """The SDK's own signature check; no network."""

    def __init__(self, secret: str):
        self._secret = secret

    def valid(self, payload: str, signature_header: str) -> bool:
        try:
            stripe.WebhookSignature.verify_header(payload, signature_header, self._secret, tolerance=300)
        except stripe.SignatureVerificationError:
            return False
        return True
