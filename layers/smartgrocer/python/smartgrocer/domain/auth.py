"""Accounts and tokens: signup, login with rate limiting, JWT access tokens, rotating refresh tokens.

Access tokens: HS256 JWTs with exp/iat/iss/aud/sub required and a `typ` claim, short-lived.
Refresh tokens: random strings stored only as SHA-256 hashes, rotated on every use; presenting a
rotated token again revokes its whole family (the pair was stolen, or replayed), unless the answer to
its use was plainly lost (see `refresh`). They reach the client only as an HttpOnly cookie
(`web/session.py`), never in a JSON body.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import bcrypt
import jwt

from smartgrocer import settings
from smartgrocer.domain import ports
from smartgrocer.domain.accounts import RefreshTokenRepository, UserRepository
from smartgrocer.domain.ids import new_id, sort_key_time
from smartgrocer.domain.rate_limit import Limit, Limiter, RateLimitRepository
from smartgrocer.errors import Conflict, Forbidden, Invalid, Unauthorized

INVALID_CREDENTIALS = "Email or password is incorrect."
TOO_MANY_ATTEMPTS = "Too many failed sign-in attempts. Try again later."


def deactivated_message() -> str:
    return (
        "This account has been deactivated, so you cannot sign in. "
        f"To find out why, or to ask for it back, write to {settings.SUPPORT_EMAIL}."
    )


def account_deactivated() -> Forbidden:
    """Told only to someone who proved the password (or holds a link mailed to the account)."""
    return Forbidden(deactivated_message(), code="account_deactivated")


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: str
    email: str
    full_name: str
    session_id: str | None = None  # the caller's refresh-token family, from the access token


def now() -> datetime:
    """Millisecond precision, as BSON stores it (signup's answer equals a later read)."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


# -- passwords -------------------------------------------------------------------------------------


def _bcrypt_rounds() -> int:
    return settings.env_int("BCRYPT_ROUNDS", 12)


def hash_password(password: str) -> str:
    raw = password.encode("utf-8")
    if len(raw) > 72:  # bcrypt would silently ignore the rest
        raise Invalid(
            "Password must be at most 72 bytes.", details=[{"loc": ["body", "password"], "msg": "at most 72 bytes"}]
        )
    return bcrypt.hashpw(raw, bcrypt.gensalt(_bcrypt_rounds())).decode()


_EQUALISER_SECRET = b"timing-equaliser"
_equaliser_hashes: dict[int, bytes] = {}  # per cost; made on first need, not at import (cold start)


def _equal_work() -> None:
    """One bcrypt run at the configured cost: what checking a real password costs. Every login that
    cannot match (no such user, over-long password, broken hash) does it, so the answer's timing does
    not tell whether the account exists."""
    rounds = _bcrypt_rounds()
    known = _equaliser_hashes.get(rounds)
    if known is None:
        # Making the hash is itself one bcrypt run at this cost, so even the first call costs the same.
        _equaliser_hashes[rounds] = bcrypt.hashpw(_EQUALISER_SECRET, bcrypt.gensalt(rounds))
    else:
        bcrypt.checkpw(_EQUALISER_SECRET, known)


def _password_matches(password: str, stored_hash: str | None) -> bool:
    raw = password.encode("utf-8")
    if stored_hash is None or len(raw) > 72:
        _equal_work()
        return False
    try:
        return bcrypt.checkpw(raw, stored_hash.encode())
    except ValueError:  # not a bcrypt hash (a damaged record): refuse it, after the same work
        _equal_work()
        return False


# -- access tokens ---------------------------------------------------------------------------------


def _jwt_key() -> str:
    return settings.secret("JWT_SECRET")


def issue_access_token(user: dict, session_id: str | None = None) -> str:
    issued = int(time.time())
    claims = {
        "sub": user["_id"],
        # The refresh-token family this token belongs to: a password change keeps that session only.
        **({"sid": session_id} if session_id else {}),
        "role": user["role"],
        "typ": "access",
        "iat": issued,
        "exp": issued + settings.ACCESS_TOKEN_TTL,
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, _jwt_key(), algorithm="HS256")


def _decode_access_token(token: str) -> dict:
    try:
        claims = jwt.decode(
            token,
            _jwt_key(),
            algorithms=["HS256"],
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=5,
        )
    except jwt.PyJWTError:
        raise Unauthorized("The access token is invalid or expired.", code="invalid_token") from None
    if claims.get("typ") != "access":
        raise Unauthorized("The access token is invalid or expired.", code="invalid_token")
    return claims


def authenticate(authorization: str | None, allowed_roles: frozenset[str] | None = None) -> Principal:
    """The caller behind an `Authorization: Bearer` header, checked against the database."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized(
            "Sign in to continue: an `Authorization: Bearer <token>` header is required.", code="missing_token"
        )
    claims = _decode_access_token(authorization[7:].strip())
    user = _users().by_id(claims["sub"], fields=("role", "email", "full_name", "is_active"))
    if not user or not user.get("is_active", False):
        raise Unauthorized("This account is not active.", code="inactive_account")
    if allowed_roles is not None and user["role"] not in allowed_roles:
        from smartgrocer.errors import Forbidden

        raise Forbidden("Your account is not allowed to do this.", code="wrong_role")
    return Principal(
        user_id=user["_id"],
        role=user["role"],
        email=user["email"],
        full_name=user["full_name"],
        session_id=claims.get("sid") if isinstance(claims.get("sid"), str) else None,
    )


# -- repositories ----------------------------------------------------------------------------------


def _users() -> UserRepository:
    return ports.resolve(UserRepository)


def _refresh_tokens() -> RefreshTokenRepository:
    return ports.resolve(RefreshTokenRepository)


# -- refresh tokens --------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_refresh_token(user_id: str, family_id: str, parent: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    _refresh_tokens().add(
        {
            "_id": _hash_token(token),
            "user_id": user_id,
            "family_id": family_id,
            "parent": parent,  # the hash of the token this one replaced (None for a sign-in)
            "created_at": now(),
            "expires_at": now() + timedelta(seconds=settings.REFRESH_TOKEN_TTL),
            "revoked_at": None,
        }
    )
    return token


def _token_pair(user: dict, family_id: str | None = None, parent: str | None = None) -> dict:
    family_id = family_id or new_id()
    return {
        "user": public_user(user),
        "access_token": issue_access_token(user, family_id),
        "refresh_token": _issue_refresh_token(user["_id"], family_id, parent),
        "token_type": "bearer",
        "expires_in": settings.ACCESS_TOKEN_TTL,
    }


def _answer_was_lost(stale: dict, at: datetime) -> bool:
    """Whether a rotated token came back because its holder never received the answer that replaced it:
    rotated moments ago, and the token that replaced it is still unused. That is a page reloaded or a
    connection dropped while its refresh was in flight (the browser keeps the old cookie), not theft:
    a thief replaying it later, or after its successor was used, still ends the family."""
    rotated_ms = stale.get("rotated_ms")
    if not isinstance(rotated_ms, int):
        return False
    if at.timestamp() * 1000 - rotated_ms > settings.REFRESH_REUSE_GRACE_SECONDS * 1000:
        return False
    return _refresh_tokens().live_child(stale["_id"], at)


def refresh(token: str) -> dict:
    tokens, at, presented = _refresh_tokens(), now(), _hash_token(token)
    current = tokens.consume(presented, at)
    if current is None:
        stale = tokens.get(presented)
        rotated = stale is not None and stale.get("revoked_reason") == "rotated"
        if not (rotated and _answer_was_lost(stale, at)):
            if rotated:  # a rotated token came back: someone holds a copy. End the whole session family.
                tokens.revoke_family(stale["family_id"], at, "reuse_detected")
            raise Unauthorized("The refresh token is invalid, expired or already used.", code="invalid_refresh_token")
        current = stale  # a lost answer: answer again, in the same family; the unused successor stays valid
    user = _users().by_id(current["user_id"])
    if not user or not user.get("is_active", False):
        raise Unauthorized("This account is not active.", code="inactive_account")
    return _token_pair(user, current["family_id"], presented)


def logout(token: str) -> None:
    """Revoke the whole family of the presented refresh token (every rotation of this sign-in). Whoever
    holds the token holds the session, so it needs no other proof; an unknown token is already signed out."""
    found = _refresh_tokens().get(_hash_token(token))
    if found:
        _refresh_tokens().revoke_family(found["family_id"], now(), "logout")


# -- accounts --------------------------------------------------------------------------------------


def public_user(user: dict) -> dict:
    return {
        "id": user["_id"],
        "email": user["email"],
        "full_name": user["full_name"],
        "phone": user.get("phone"),
        "role": user["role"],
        "is_active": user["is_active"],
        "created_at": user["created_at"],
    }


def signup(email: str, password: str, full_name: str, phone: str | None, is_seller: bool) -> tuple[dict, dict]:
    created, user_id = now(), new_id()
    user = {
        "_id": user_id,
        "email": email.strip().lower(),
        "password_hash": hash_password(password),
        "full_name": full_name,
        "phone": phone,
        "role": "seller" if is_seller else "shopper",
        "is_active": True,
        "created_at": created,
        "updated_at": created,
        "k_created": sort_key_time(created, user_id),
    }
    if not _users().add(user):
        raise Conflict("An account with this email already exists.", code="email_taken")
    return _token_pair(user), user


def _login_limits(email: str, source_ip: str) -> list[Limit]:
    return [
        Limit("login-email", email, settings.LOGIN_MAX_FAILURES, clear_on_success=True),
        Limit("login-ip", source_ip, settings.LOGIN_IP_MAX_FAILURES),
    ]


def login(email: str, password: str, source_ip: str) -> dict:
    email = email.strip().lower()
    limiter = Limiter(ports.resolve(RateLimitRepository), settings.LOGIN_WINDOW_SECONDS, TOO_MANY_ATTEMPTS)
    # Counted before the password is checked, so parallel guesses cannot all slip under the limit;
    # a wrong password keeps its count, a right one clears the account's failures (as before) and
    # gives the address's slot back (successes never counted against an address).
    attempt = limiter.enter(_login_limits(email, source_ip))
    user = _users().by_email(email)
    if not _password_matches(password, user.get("password_hash") if user else None):
        raise Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
    if not user.get("is_active", False):
        attempt.release()  # the right password: not a failure, and no reset for a closed account
        raise account_deactivated()  # only now: a wrong password above got the generic answer
    attempt.succeeded()
    return _token_pair(user)


def get_user(principal: Principal) -> dict:
    user = _users().by_id(principal.user_id)
    if not user:
        raise Unauthorized("This account is not active.", code="inactive_account")
    return public_user(user)
