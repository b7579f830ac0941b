"""The payment gateway port. Stripe in AWS (`adapters/stripe_gateway.py`); locally a provider with
the same interface, shipped with the local runtime only, that needs no network and signs its webhook
events exactly as Stripe does, so the real webhook path runs. `smartgrocer.wiring` picks one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    client_secret: str


class PaymentGateway(Protocol):
    provider: str
    publishable_key: str | None

    def create_payment_intent(
        self, amount_cents: int, currency: str, checkout_id: str, idempotency_key: str
    ) -> PaymentIntent:
        """An intent with manual capture: confirming it only authorises (holds) the amount."""

    def capture(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        """Capture `amount_cents` (at most what is authorised) of an authorised intent; the rest of
        the hold is released. Returns the charge id (the `source_transaction` of the sellers'
        transfers). Repeating it with the same key is harmless and returns the same charge."""

    def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str: ...

    def cancel(self, payment_intent_id: str) -> None:
        """Cancel an intent that awaits payment, or void an authorisation that was never captured.
        Harmless when it is already cancelled, or captured (captured money is refunded instead)."""

    def client_secret(self, payment_intent_id: str) -> str:
        """What the payment page needs to resume the same payment (after a decline, or another tab)."""

    # -- sellers' payouts: Connect Express accounts, separate charges and transfers ---------------

    def create_account(self, seller_id: str, email: str, idempotency_key: str) -> str:
        """A connected (Express) account for a seller; returns its id. Same key, same account."""

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        """A single-use URL where the seller completes onboarding (a Stripe Account Link)."""

    def account_status(self, account_id: str) -> str:
        """`active` (can receive transfers) or `pending`; see `connected_account_status`."""

    def transfer(
        self,
        account_id: str,
        amount_cents: int,
        currency: str,
        source_charge: str,
        transfer_group: str,
        idempotency_key: str,
    ) -> str:
        """Move `amount_cents` of a captured charge to a seller's account; returns the transfer id.
        The same key returns the same transfer."""

    def reverse_transfer(self, transfer_id: str, amount_cents: int, idempotency_key: str) -> str:
        """Take back part or all of a transfer (a refund's seller share); returns the reversal id."""


def connected_account_status(account: dict) -> str:
    """A connected account object (API answer or `account.updated` payload) -> `active` | `pending`.
    Active means money can reach it: charges and payouts enabled, details submitted."""
    ready = all(account.get(flag) is True for flag in ("charges_enabled", "payouts_enabled", "details_submitted"))
    return "active" if ready else "pending"


class PaymentProviderError(Exception):
    """The provider failed or timed out; nothing was charged that we know of."""


class WebhookSignatures(Protocol):
    def valid(self, payload: str, signature_header: str) -> bool:
        """Stripe's scheme (HMAC-SHA256 over `timestamp.payload`, 5 minute tolerance); the local
        provider signs the same way."""


def verify_webhook(payload: str, signature_header: str | None) -> dict:
    from smartgrocer.domain import ports
    from smartgrocer.errors import BadRequest

    if not signature_header:
        raise BadRequest("Missing Stripe-Signature header.", code="invalid_signature")
    if not ports.resolve(WebhookSignatures).valid(payload, signature_header):
        raise BadRequest("The webhook signature is invalid or too old.", code="invalid_signature")
    # Only now, on verified bytes, is the payload parsed; and it must be an event object, not any JSON.
    try:
        event = json.loads(payload)
    except ValueError:
        raise BadRequest("The webhook payload is not valid JSON.", code="malformed_json") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise BadRequest("The webhook payload is not an event object.", code="malformed_event")
    return event
