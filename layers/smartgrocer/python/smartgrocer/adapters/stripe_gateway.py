"""Stripe adapter: PaymentIntents (manual capture: authorise, then capture), refunds, and the sellers'
payouts with Connect (Express accounts, separate charges and transfers), through the official SDK."""

from __future__ import annotations

import stripe

from smartgrocer.domain.payments import PaymentIntent, PaymentProviderError, connected_account_status


class StripeGateway:
    provider = "stripe"

    def __init__(self, secret_key: str, publishable_key: str | None, http_client: stripe.HTTPClient | None = None):
        # A client per container; short timeouts and the SDK's own retries (idempotency keys make them safe).
        # `http_client` is for tests only (a fake transport; the SDK still builds and parses every request).
        self._client = stripe.StripeClient(
            secret_key,
            max_network_retries=2,
            http_client=http_client or stripe.new_default_http_client(timeout=8),
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
                    "capture_method": "manual",  # confirming only authorises; `capture` takes the money
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return PaymentIntent(intent.id, intent.client_secret)

    def capture(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        try:
            intent = self._client.v1.payment_intents.capture(
                payment_intent_id,
                params={"amount_to_capture": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as exc:
            if exc.code == "payment_intent_unexpected_state" and _intent_status(exc) == "succeeded":
                # Captured already (an earlier attempt whose answer was lost): done; its charge is on the intent.
                return self._latest_charge(payment_intent_id)
            raise PaymentProviderError(str(exc)) from exc
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return _charge_id(getattr(intent, "latest_charge", None), payment_intent_id)

    def _latest_charge(self, payment_intent_id: str) -> str:
        try:
            intent = self._client.v1.payment_intents.retrieve(payment_intent_id)
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return _charge_id(getattr(intent, "latest_charge", None), payment_intent_id)

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
                return  # already cancelled, or captured (captured money is refunded, not voided)
            raise PaymentProviderError(str(exc)) from exc
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc

    def client_secret(self, payment_intent_id: str) -> str:
        try:
            return self._client.v1.payment_intents.retrieve(payment_intent_id).client_secret
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc

    # -- sellers' payouts: Connect Express accounts, separate charges and transfers ---------------

    def create_account(self, seller_id: str, email: str, idempotency_key: str) -> str:
        try:
            account = self._client.v1.accounts.create(
                params={
                    "type": "express",
                    "email": email,
                    "capabilities": {"transfers": {"requested": True}},  # what transfers to it need
                    "metadata": {"seller_id": seller_id},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return account.id

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        try:
            link = self._client.v1.account_links.create(
                params={
                    "account": account_id,
                    "type": "account_onboarding",
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                }
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return link.url

    def account_status(self, account_id: str) -> str:
        try:
            account = self._client.v1.accounts.retrieve(account_id)
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return connected_account_status(account.to_dict())

    def transfer(
        self,
        account_id: str,
        amount_cents: int,
        currency: str,
        source_charge: str,
        transfer_group: str,
        idempotency_key: str,
    ) -> str:
        try:
            transfer = self._client.v1.transfers.create(
                params={
                    "amount": amount_cents,
                    "currency": currency,
                    "destination": account_id,
                    # Tied to the charge: it goes out even before the charge's funds are available, and
                    # never for more than the charge brought in.
                    "source_transaction": source_charge,
                    "transfer_group": transfer_group,
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return transfer.id

    def reverse_transfer(self, transfer_id: str, amount_cents: int, idempotency_key: str) -> str:
        try:
            reversal = self._client.v1.transfers.reversals.create(
                transfer_id,
                params={"amount": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return reversal.id


def _charge_id(latest_charge: object, payment_intent_id: str) -> str:
    """A captured intent's charge: an id, or the Charge itself when expanded."""
    charge_id = latest_charge if isinstance(latest_charge, str) else getattr(latest_charge, "id", None)
    if not isinstance(charge_id, str) or not charge_id:
        raise PaymentProviderError(f"PaymentIntent {payment_intent_id} was captured but shows no charge")
    return charge_id


def _intent_status(exc: stripe.StripeError) -> str | None:
    """The PaymentIntent's status that Stripe sends along with a `payment_intent_unexpected_state` error."""
    body = exc.json_body if isinstance(exc.json_body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    intent = error.get("payment_intent") if isinstance(error.get("payment_intent"), dict) else {}
    return intent.get("status")


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
