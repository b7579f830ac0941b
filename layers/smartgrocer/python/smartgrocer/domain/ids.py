"""Identifiers, sort keys and opaque cursors shared by every listing."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime

from smartgrocer.errors import BadRequest


def new_id() -> str:
    """24 hex characters: the size of an ObjectId, as a plain string that JSON and URLs carry as is."""
    return secrets.token_hex(12)


def sort_key_time(moment: datetime, tie_breaker: str = "") -> str:
    """Lexicographic order equals time order (UTC, microseconds, fixed width)."""
    return moment.strftime("%Y%m%d%H%M%S%f") + ("|" + tie_breaker if tie_breaker else "")


def encode_cursor(payload: dict) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, expected_kind: str) -> str:
    """The last key of the previous page; 400 if the cursor is malformed or from another listing."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if payload.get("s") != expected_kind or not isinstance(payload.get("k"), str):
            raise ValueError
        return payload["k"]
    except (ValueError, TypeError, AttributeError):
        raise BadRequest(
            "The cursor is invalid for this listing; start again without it.", code="invalid_cursor"
        ) from None


def keyset_page(
    collection,
    query: dict,
    key_field: str,
    descending: bool,
    limit: int,
    after: str | None,
    kind: str,
    projection: dict | None = None,
) -> tuple[list[dict], str | None]:
    """One page of a keyset-paginated listing, sorted on a single unique key field."""
    if after is not None:
        query = {**query, key_field: {"$lt" if descending else "$gt": after}}
    docs = list(collection.find(query, projection).sort(key_field, -1 if descending else 1).limit(limit + 1))
    next_cursor = None
    if len(docs) > limit:
        docs = docs[:limit]
        next_cursor = encode_cursor({"s": kind, "k": docs[-1][key_field]})
    return docs, next_cursor
