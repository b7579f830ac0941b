"""Admin moderation of accounts."""

from __future__ import annotations

from smartgrocer.domain import ports
from smartgrocer.domain.accounts import AuditLog, PasswordResetRepository, RefreshTokenRepository, UserRepository
from smartgrocer.domain.auth import now, public_user
from smartgrocer.domain.ids import decode_cursor, new_id
from smartgrocer.errors import Conflict, Invalid, NotFound

AUDIT_TRAIL_LIMIT = 100


def list_users(q: str | None, role: str | None, limit: int, cursor: str | None) -> dict:
    after = decode_cursor(cursor, "users") if cursor else None
    docs, next_cursor = ports.resolve(UserRepository).page(q or None, role, limit, after)
    return {"items": [public_user(d) for d in docs], "next_cursor": next_cursor}


def set_active(admin, user_id: str, is_active: bool, reason: str | None = None) -> dict:
    """Switch an account on or off. The user document records the latest change (who, when, why) in the
    same write; the audit trail gets an entry right after. Repeating the request is harmless (the same
    state, one more trail entry)."""
    reason = (reason or "").strip() or None
    if not is_active and not reason:
        raise Invalid(
            "Say why the account is deactivated: the reason is kept in the account's audit trail.",
            details=[{"loc": ["body", "reason"], "msg": "a reason is required to deactivate", "type": "missing"}],
        )
    if user_id == admin.user_id and not is_active:
        raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
    at = now()
    action = "activate" if is_active else "deactivate"
    moderation = {"action": action, "by": admin.user_id, "at": at, "reason": reason}
    user = ports.resolve(UserRepository).set_active(user_id, is_active, at, moderation)
    if not user:
        raise NotFound("No such user.")
    if not is_active:
        # End their sessions now (access tokens already stop: every request checks the account), and
        # void any reset link, which must not hand a closed account a new password.
        ports.resolve(RefreshTokenRepository).revoke_user(user_id, at, "deactivated")
        ports.resolve(PasswordResetRepository).invalidate_user(user_id, at)
    ports.resolve(AuditLog).add(
        {
            "_id": new_id(),
            "at": at,
            "actor_id": admin.user_id,
            "actor_email": admin.email,
            "action": action,
            "target_id": user_id,
            "reason": reason,
        }
    )
    return public_user(user)


def audit_trail(user_id: str) -> dict:
    if not ports.resolve(UserRepository).by_id(user_id, ("_id",)):
        raise NotFound("No such user.")
    entries = ports.resolve(AuditLog).for_target(user_id, AUDIT_TRAIL_LIMIT)
    return {
        "items": [
            {
                "id": e["_id"],
                "at": e["at"],
                "actor_id": e["actor_id"],
                "actor_email": e.get("actor_email"),
                "action": e["action"],
                "target_id": e["target_id"],
                "reason": e.get("reason"),
            }
            for e in entries
        ]
    }
