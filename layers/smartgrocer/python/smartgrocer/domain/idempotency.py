"""`Idempotency-Key` for POST /api/orders: the same key and body give the same answer once.

Records (MongoDB: `idempotency_keys`) are scoped by user (one user's key never replays another's
response). The first request inserts an in-progress record (the unique `_id` makes concurrent
duplicates collide there); it stores the final answer, 2xx or 4xx. A 5xx or a crash deletes or
abandons the record, so a retry after a provider outage runs again (and succeeds once).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from smartgrocer.domain import ports
from smartgrocer.errors import AppError, Conflict, Invalid

RECORD_TTL = timedelta(hours=24)
LOCK_SECONDS = 60  # longer than the function timeout: a record older than this was abandoned by a crash
# `locked_until` is epoch seconds, compared and replaced as a plain number (no date round-trips).
WAIT_FOR_TWIN_SECONDS = 5.0


class IdempotencyRecords(Protocol):
    def insert(self, record: dict) -> bool:
        """False if a record with this `_id` exists already."""

    def get(self, record_id: str) -> dict | None: ...

    def finish(self, record_id: str, status: int, response: str) -> None: ...

    def drop(self, record_id: str) -> None: ...

    def take_over(self, record_id: str, locked_until: float, new_lock: float) -> bool:
        """Extend an abandoned in-progress record's lock, if it is still the one seen."""


class Replay(Exception):
    """Raised to answer with a stored error response."""


def request_fingerprint(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def run_once(user_id: str, key: str | None, body: dict, operation: Callable[[], dict]) -> tuple[int, dict]:
    """(status, body) of `operation`, or of its first run under the same key."""
    if key is None:
        return 201, operation()
    if not (1 <= len(key) <= 255) or not key.isprintable():
        raise Invalid("Idempotency-Key must be 1-255 printable characters.", code="invalid_idempotency_key")
    records = ports.resolve(IdempotencyRecords)
    record_id, fingerprint = f"{user_id}:{key}", request_fingerprint(body)
    if not _claim(records, record_id, fingerprint):
        return _replay(records, record_id, fingerprint, user_id, key, body, operation)
    try:
        result = operation()
    except AppError as error:
        if error.status >= 500:
            records.drop(record_id)
        else:
            _store(
                records,
                record_id,
                error.status,
                {"error": {"code": error.code, "message": error.message, "details": error.details}},
            )
        raise
    except BaseException:
        records.drop(record_id)
        raise
    _store(records, record_id, 201, result)
    return 201, result


def _claim(records, record_id: str, fingerprint: str) -> bool:
    at = _now()
    return records.insert(
        {
            "_id": record_id,
            "fingerprint": fingerprint,
            "state": "in_progress",
            "locked_until": time.time() + LOCK_SECONDS,
            "created_at": at,
            "expires_at": at + RECORD_TTL,
        }
    )


def _store(records, record_id: str, status: int, body: dict) -> None:
    records.finish(record_id, status, json.dumps(body, default=str))


def _replay(records, record_id, fingerprint, user_id, key, body, operation) -> tuple[int, dict]:
    deadline = time.monotonic() + WAIT_FOR_TWIN_SECONDS
    while True:
        record = records.get(record_id)
        if record is None:  # the first attempt failed with a 5xx and let go: run again
            return run_once(user_id, key, body, operation)
        if record["fingerprint"] != fingerprint:
            raise Invalid(
                "This Idempotency-Key was already used with a different request body.", code="idempotency_key_reused"
            )
        if record["state"] == "done":
            stored = json.loads(record["response"])
            if record["status"] >= 400:
                error = AppError(
                    stored["error"]["message"], code=stored["error"]["code"], details=stored["error"]["details"]
                )
                error.status = record["status"]
                raise error
            return record["status"], stored
        # the first attempt crashed: take it over
        if record["locked_until"] < time.time() and records.take_over(
            record_id, record["locked_until"], time.time() + LOCK_SECONDS
        ):
            records.drop(record_id)
            return run_once(user_id, key, body, operation)
        if time.monotonic() > deadline:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                code="idempotency_in_progress",
                retry_after=1,
            )
        time.sleep(0.1)
