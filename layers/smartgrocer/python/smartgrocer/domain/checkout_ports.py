"""The ports the money core's shell needs: small interfaces, implemented for MongoDB in
`adapters/mongo_checkouts.py` and in memory by the unit tests."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class CheckoutRepository(Protocol):
    def insert(self, state: dict) -> bool:
        """False if a checkout with this id exists already."""

    def load(self, checkout_id: str) -> dict | None: ...

    def save(self, state: dict, expected_version: int) -> bool:
        """Replace the checkout if its stored version is still `expected_version` (compare-and-set)."""

    def effect_done(self, checkout_id: str, key: str) -> None: ...

    def settle(self, checkout_id: str, version: int) -> None:
        """Mark the outbox empty, unless the checkout moved on since `version`."""

    def stale_builds(self, created_before: datetime, limit: int) -> list[str]: ...

    def expired(self, at: datetime, limit: int) -> list[str]: ...

    def capture_due(self, at: datetime, limit: int) -> list[str]:
        """Authorised checkouts whose capture deadline has passed."""

    def with_pending_effects(self, before_epoch: float, limit: int) -> list[str]: ...

    def settled_ledgers(self, moved_since: datetime, limit: int) -> list[dict]:
        """Checkouts whose ledger moved since `moved_since` and that have nothing pending:
        `{_id, ledger, orders}`, for the reconciler's money check."""

    def ledger_by_day(self, since: datetime) -> list[dict]:
        """Every ledger entry since `since`, summed per day and kind: rows `{day: "YYYY-MM-DD", kind, cents}`."""


class OrderRepository(Protocol):
    def project(self, view: dict) -> None:
        """Write the order's projection unless a newer version is already there."""

    def get(self, order_id: str) -> dict | None: ...

    def for_checkout(self, checkout_id: str) -> list[dict]: ...

    def by_number(self, number: str) -> dict | None:
        """The order with this number (`SG-7K3F-92`, as stored), if any."""

    def page(self, query: dict, limit: int, after: str | None, kind: str) -> tuple[list[dict], str | None]: ...

    def count(self, query: dict, limit: int) -> int:
        """How many orders match `query`, counting no further than `limit`."""

    def waiting_past(self, at: datetime, limit: int) -> list[dict]:
        """Orders still shown as awaiting payment after their payment window."""

    def payouts_page(self, seller_id: str, limit: int, after: str | None) -> tuple[list[dict], str | None]:
        """A seller's orders that pay out (captured), newest first."""

    def payout_totals(self, seller_id: str) -> dict:
        """Sums over all of a seller's payouts: `{orders, gross, commission (kept: net of what refunds
        gave back), net, reversed, paid}` in cents."""

    def sales(self, seller_id: str, since: datetime, top: int) -> dict:
        """A seller's sold orders (captured, not being refunded) since `since`: `per_day` rows
        `{_id: "YYYY-MM-DD", revenue, orders}` and the `top_products` rows `{_id, name, quantity, revenue}`."""


class OrderNumberRegistry(Protocol):
    """Which order each number belongs to: one entry per number, so no two orders share one."""

    def claim(self, number: str, checkout_id: str, order_id: str) -> bool:
        """True if the number is now this order's (or already was); False if another order has it."""

    def number_of(self, order_id: str) -> str | None:
        """The number claimed for this order, if any."""


class StockRepository(Protocol):
    def active_products(self, product_ids: list[str]) -> dict[str, dict]: ...

    def reserve(self, product_id: str, quantity: int, checkout_id: str) -> bool:
        """Take stock (`stock >= quantity`, one conditional update) and mark it held by the checkout;
        True also when this checkout already holds it (a repeated step)."""

    def available(self, product_id: str) -> int: ...

    def held(self, product_id: str, holder: str) -> int | None:
        """How much `holder` holds of the product, if anything."""

    def release(self, product_id: str, quantity: int, checkout_id: str) -> None: ...

    def commit(self, product_id: str, quantity: int, checkout_id: str) -> None: ...

    def restock(self, product_id: str, quantity: int, order_id: str) -> None: ...

    def ledgers(self, limit: int) -> list[dict]:
        """Products with their stock accounting: stock, reservations, sold, received."""


class PaymentEventLog(Protocol):
    def seen(self, event_id: str) -> bool: ...

    def record(self, event_id: str, doc: dict) -> bool:
        """False if the event was recorded meanwhile (a twin delivery)."""


class SellerRepository(Protocol):
    """Sellers' marketplace profile (`sellers` collection, `_id` = the seller's user id):
    `{_id, name, email, payouts: {account_id, status: none | pending | active, updated_at},
    commission_bps: int | None (None: the platform's rate), fulfilment: dict | None, about: str (the public
    page's text, missing: none), created_at, updated_at}`.
    `fulfilment` is the seller's delivery and pickup settings in cents (`fulfilment.settings_from_request`);
    missing or None: the seller set none (delivery arranged by the seller, no window, no fee)."""

    def get(self, seller_id: str) -> dict | None: ...

    def many(self, seller_ids: list[str]) -> dict[str, dict]:
        """The sellers that exist among `seller_ids`, by id (one query)."""

    def ensure(self, seller_id: str, name: str, email: str, at: datetime) -> dict:
        """The seller's document, created with payouts status `none` if missing (idempotent)."""

    def set_account(self, seller_id: str, account_id: str, status: str, at: datetime) -> dict | None: ...

    def set_status_by_account(self, account_id: str, status: str, at: datetime) -> dict | None:
        """Move the status of the seller owning `account_id` (an `account.updated` webhook)."""

    def set_commission(self, seller_id: str, commission_bps: int | None, at: datetime) -> dict | None: ...

    def set_about(self, seller_id: str, about: str, at: datetime) -> dict | None:
        """Replace the seller's `about` text; the document as it is now, or None when there is none (`ensure` first)."""

    def get_fulfilment(self, seller_id: str) -> dict | None:
        """The seller's fulfilment settings, None when they set none (or the seller has no document)."""

    def set_fulfilment(self, seller_id: str, settings: dict, at: datetime) -> dict | None:
        """Replace the seller's fulfilment settings whole; the stored settings, or None when the seller has
        no document (`ensure` first)."""


class WindowRepository(Protocol):
    """Delivery and pickup windows' capacity (`windows` collection, `_id` = `fulfilment.capacity_key`):
    `{_id, seller_id, slot_id, start, end, capacity, taken, holders: {checkout_id: 1}}`. Taken like
    stock: one conditional update per window, marked by the holder so that taking and giving back
    each happen at most once per checkout."""

    def taken(self, keys: list[str]) -> dict[str, int]:
        """How many places each window has given out (a window nobody booked is missing: 0)."""

    def reserve(self, key: str, window: dict, capacity: int, holder: str) -> bool:
        """Take one place (`taken < capacity`) for `holder`; True also when `holder` has it already.
        `window` is `{seller_id, slot_id, start, end}` for a window's first booking."""

    def release(self, key: str, holder: str) -> None:
        """Give `holder`'s place back (nothing happens if it holds none)."""

    def ledgers(self, limit: int) -> list[dict]:
        """Windows with their `taken` and `holders`, for the reconciler's capacity check."""
