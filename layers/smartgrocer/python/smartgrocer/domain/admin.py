"""Admin moderation of accounts."""

from __future__ import annotations

from smartgrocer.domain import ports
from smartgrocer.domain.accounts import RefreshTokenRepository, UserRepository
from smartgrocer.domain.auth import now, public_user
from smartgrocer.domain.ids import decode_cursor
from smartgrocer.errors import Conflict, NotFound


def list_users(q: str | None, role: str | None, limit: int, cursor: str | None) -> dict:
    after = decode_cursor(cursor, "users") if cursor else None
    docs, next_cursor = ports.resolve(UserRepository).page(q or None, role, limit, after)
    return {"items": [public_user(d) for d in docs], "next_cursor": next_cursor}


def set_active(admin, user_id: str, is_active: bool) -> dict:
    if user_id == admin.user_id and not is_active:
        raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
    user = ports.resolve(UserRepository).set_active(user_id, is_active, now())
    if not user:
        raise NotFound("No such user.")
    if not is_active:  # end their sessions now, not when the access token expires
        ports.resolve(RefreshTokenRepository).revoke_user(user_id, now(), "deactivated")
    return public_user(user)
