"""Forgotten and changed passwords.

Reset: `request_reset` answers the same whatever the email, and does the same work for any email: it
takes a slot under the rate limits and publishes one `PasswordResetRequested` event. The notifier
(`send_reset_mail`) then looks the account up: an active account gets a fresh token and a link, a
deactivated one a mail that says how to reach support (no link: a reset never reopens a closed
account), an unknown address nothing. So the token never travels through the event bus, and the
answer's timing tells nothing about the account.

Tokens are 32 random bytes (URL-safe), stored only as their SHA-256 hash with the user, when they
were made and when they expire; one use each. Confirming marks the token used with one conditional
update ("unused and not expired"), so of two concurrent confirms exactly one wins; only the winner
sets the new password, then every other reset token of the user is invalidated and every session
(refresh-token family) revoked. The steps after the conditional update are idempotent: a crash
between them leaves a used token and, at worst, the old password and sessions, and asking for a new
link finishes the job.

The clock is injected (`clock`) so tests move time instead of waiting for it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from smartgrocer import settings
from smartgrocer.domain import ports
from smartgrocer.domain.accounts import PasswordResetRepository, RefreshTokenRepository, UserRepository
from smartgrocer.domain.auth import (
    Principal,
    _login_limits,
    _password_matches,
    account_deactivated,
    hash_password,
    now,
)
from smartgrocer.domain.rate_limit import Limit, Limiter, RateLimitRepository
from smartgrocer.errors import BadRequest

Clock = Callable[[], datetime]

RESET_PATH = "/reset-password"
TOO_MANY_RESETS = "Too many password reset requests. Try again later."
ACCEPTED_MESSAGE = (
    "If an account uses this email address, we have sent it a link to choose a new password. "
    "The link works once, for 30 minutes."
)
INVALID_TOKEN = "This password reset link is not valid, or was already used. Ask for a new one."
EXPIRED_TOKEN = "This password reset link has expired. Ask for a new one."
WRONG_CURRENT = "Your current password is not correct."


def _resets() -> PasswordResetRepository:
    return ports.resolve(PasswordResetRepository)


def _users() -> UserRepository:
    return ports.resolve(UserRepository)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def site_origin(request_origin: str | None) -> str:
    """`SITE_URL` (the stack always sets it), else the SPA's own origin when it is https or this machine."""
    from smartgrocer.domain.sellers import _web_origin

    return settings.SITE_URL.rstrip("/") or _web_origin(request_origin)


# -- asking for a link -----------------------------------------------------------------------------


def _reset_limits(email: str, source_ip: str) -> list[Limit]:
    return [
        Limit("reset-email", email, settings.RESET_MAX_REQUESTS),
        Limit("reset-ip", source_ip, settings.LOGIN_IP_MAX_FAILURES),
    ]


def request_reset(email: str, source_ip: str, request_origin: str | None) -> dict:
    """Count the request, hand it to the notifier; the same answer for every email."""
    from smartgrocer.domain.events import publish_safely

    email = email.strip().lower()
    limiter = Limiter(ports.resolve(RateLimitRepository), settings.LOGIN_WINDOW_SECONDS, TOO_MANY_RESETS)
    limiter.enter(_reset_limits(email, source_ip))  # every request keeps its slot: asking is never "a success"
    publish_safely(
        "smartgrocer.accounts",
        "PasswordResetRequested",
        # A fresh key per request: a redelivered event mails once (SentNotifications).
        {"email": email, "site": site_origin(request_origin), "event_key": f"reset:{secrets.token_hex(16)}"},
    )
    return {"message": ACCEPTED_MESSAGE}


def issue_token(user_id: str, clock: Clock = now) -> str:
    """A new single-use token for the user; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    created = clock()
    _resets().add(
        {
            "_id": _hash(token),
            "user_id": user_id,
            "created_at": created,
            "expires_at": created + timedelta(seconds=settings.RESET_TOKEN_TTL_SECONDS),
            "used_at": None,
        }
    )
    return token


def reset_mail(email: str, site: str, clock: Clock = now) -> tuple[str, str] | None:
    """What the notifier sends for a request: (kind, link or None), or None when there is no such
    account. `kind` is "link" for an active account, "deactivated" for a closed one."""
    user = _users().by_email(email.strip().lower())
    if not user:
        return None
    if not user.get("is_active", False):
        return "deactivated", ""
    token = issue_token(user["_id"], clock)
    return "link", f"{site.rstrip('/')}{RESET_PATH}?token={token}"


# -- using a link ----------------------------------------------------------------------------------


def confirm_reset(token: str, new_password: str, clock: Clock = now) -> None:
    at = clock()
    token_hash = _hash(token)
    record = _resets().get(token_hash)
    if record is None or record.get("used_at") is not None:
        raise BadRequest(INVALID_TOKEN, code="reset_token_invalid")
    if _aware(record["expires_at"]) <= at:
        raise BadRequest(EXPIRED_TOKEN, code="reset_token_expired")
    user = _users().by_id(record["user_id"], ("is_active",))
    if not user:
        raise BadRequest(INVALID_TOKEN, code="reset_token_invalid")
    if not user.get("is_active", False):  # deactivated after the link was sent: it stays closed
        raise account_deactivated()
    password_hash = hash_password(new_password)  # before the token is spent: a bad password keeps it
    if _resets().consume(token_hash, at) is None:
        # Someone else confirmed it meanwhile (or it expired just now): nothing changes here.
        raise BadRequest(INVALID_TOKEN, code="reset_token_invalid")
    _users().set_password(record["user_id"], password_hash, at)
    _resets().invalidate_user(record["user_id"], at)
    ports.resolve(RefreshTokenRepository).revoke_user(record["user_id"], at, "password_reset")


# -- changing it while signed in -------------------------------------------------------------------


def change_password(principal: Principal, current_password: str, new_password: str, source_ip: str) -> None:
    """Checks the current password under the login limits (a wrong one counts as a failed sign-in), sets
    the new one and ends every other session: the caller's own (its refresh-token family, named by
    the access token) goes on."""
    from smartgrocer.domain.auth import TOO_MANY_ATTEMPTS

    limiter = Limiter(ports.resolve(RateLimitRepository), settings.LOGIN_WINDOW_SECONDS, TOO_MANY_ATTEMPTS)
    attempt = limiter.enter(_login_limits(principal.email, source_ip))
    user = _users().by_id(principal.user_id)
    if not _password_matches(current_password, user.get("password_hash") if user else None):
        raise BadRequest(WRONG_CURRENT, code="wrong_password")
    attempt.succeeded()
    at = now()
    _users().set_password(principal.user_id, hash_password(new_password), at)
    _resets().invalidate_user(principal.user_id, at)  # a link mailed before the change must not undo it
    tokens = ports.resolve(RefreshTokenRepository)
    if principal.session_id:
        tokens.revoke_user_except(principal.user_id, principal.session_id, at, "password_changed")
    else:
        tokens.revoke_user(principal.user_id, at, "password_changed")
