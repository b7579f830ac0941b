"""The ports of the accounts domain: where users and refresh tokens are kept.

`domain.auth` and `domain.admin` ask for these with `ports.resolve(...)`; `smartgrocer.wiring` plugs
in the MongoDB implementations (`adapters.mongo_accounts`), unit tests plug in dictionaries. This
module stays import-light on purpose: the wiring imports it in every function.

Records are plain dicts shaped like the stored documents (`_id`, `email`, `password_hash`, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: nothing to import on a cold start
    from datetime import datetime


class UserRepository(Protocol):
    def by_email(self, email: str) -> dict | None:
        """The user with this (already normalised) email."""

    def by_id(self, user_id: str, fields: Iterable[str] | None = None) -> dict | None:
        """The user, or only `fields` of it (plus `_id`) when given."""

    def add(self, user: dict) -> bool:
        """Store a new user; False when the email is already taken (nothing is stored then)."""

    def set_active(self, user_id: str, is_active: bool, at: datetime, moderation: dict | None = None) -> dict | None:
        """Switch the account on or off, recording `moderation` (who, why) in the same write when given;
        the updated user, or None if there is no such user."""

    def set_password(self, user_id: str, password_hash: str, at: datetime) -> bool:
        """Replace the password hash; False if there is no such user."""

    def page(self, text: str | None, role: str | None, limit: int, after: str | None) -> tuple[list[dict], str | None]:
        """Newest first, without password hashes: users whose email or name contains `text`, of
        `role`; at most `limit` of them after the cursor key `after`, and the next page's cursor."""


class RefreshTokenRepository(Protocol):
    def add(self, token: dict) -> None:
        """Store a token record (`_id` is the token's hash)."""

    def consume(self, token_hash: str, at: datetime) -> dict | None:
        """Atomically mark a live token (not revoked, not expired at `at`) as rotated, with the moment
        (`rotated_ms`, epoch milliseconds); the record as it was, or None when the token is unknown,
        expired or already revoked."""

    def live_child(self, token_hash: str, at: datetime) -> bool:
        """Whether a token that replaced this one (its `parent`) is still live: issued, never used, not revoked."""

    def get(self, token_hash: str) -> dict | None:
        """The record, whatever its state."""

    def revoke_family(self, family_id: str, at: datetime, reason: str) -> None:
        """Revoke every live token of one session family."""

    def revoke_user(self, user_id: str, at: datetime, reason: str) -> None:
        """Revoke every live token of one user."""

    def revoke_user_except(self, user_id: str, keep_family_id: str, at: datetime, reason: str) -> None:
        """Revoke every live token of one user but those of the family `keep_family_id`."""


class PasswordResetRepository(Protocol):
    """Reset tokens, stored only as SHA-256 hashes: `{_id: hash, user_id, created_at, expires_at, used_at}`."""

    def add(self, record: dict) -> None: ...

    def get(self, token_hash: str) -> dict | None: ...

    def consume(self, token_hash: str, at: datetime) -> dict | None:
        """Atomically mark the token used if it is unused and not expired at `at` (one conditional
        update: of two concurrent confirms, one wins); the record as it was, or None."""

    def invalidate_user(self, user_id: str, at: datetime) -> None:
        """Mark every unused token of the user used (a reset done, a password changed, deactivated)."""


class AuditLog(Protocol):
    """Moderation trail: `{_id, at, actor_id, actor_email, action, target_id, reason}`."""

    def add(self, entry: dict) -> None: ...

    def for_target(self, target_id: str, limit: int) -> list[dict]:
        """The newest `limit` entries about one user, newest first."""
