"""Admin moderation of accounts."""

from __future__ import annotations

import re

from pymongo import ReturnDocument

from smartgrocer.adapters.mongo import db
from smartgrocer.domain.auth import now, public_user
from smartgrocer.domain.ids import decode_cursor, keyset_page
from smartgrocer.errors import Conflict, NotFound


def list_users(q: str | None, role: str | None, limit: int, cursor: str | None) -> dict:
    query: dict = {}
    if q:
        pattern = re.escape(q.strip().lower())
        query["$or"] = [{"email": {"$regex": pattern}}, {"full_name": {"$regex": pattern, "$options": "i"}}]
    if role:
        query["role"] = role
    after = decode_cursor(cursor, "users") if cursor else None
    docs, next_cursor = keyset_page(db().users, query, "k_created", True, limit, after, "users",
                                    projection={"password_hash": 0})
    return {"items": [public_user(d) for d in docs], "next_cursor": next_cursor}


def set_active(admin, user_id: str, is_active: bool) -> dict:
    if user_id == admin.user_id and not is_active:
        raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
    user = db().users.find_one_and_update({"_id": user_id}, {"$set": {"is_active": is_active, "updated_at": now()}},
                                          return_document=ReturnDocument.AFTER)
    if not user:
        raise NotFound("No such user.")
    if not is_active:  # end their sessions now, not when the access token expires
        db().refresh_tokens.update_many({"user_id": user_id, "revoked_at": None},
                                        {"$set": {"revoked_at": now(), "revoked_reason": "deactivated"}})
    return public_user(user)
