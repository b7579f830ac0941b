"""In-memory implementations of the accounts ports, for unit tests (no database, thread-safe), and a
fixture helper that plugs them in for one test only."""

from __future__ import annotations

import threading
from types import SimpleNamespace


class MemoryRateLimits:
    def __init__(self):
        self.counts: dict[str, int] = {}
        self.expires: dict[str, int] = {}
        self._lock = threading.Lock()

    def increment(self, key: str, expires_at: int) -> int:
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            self.expires[key] = expires_at
            return self.counts[key]

    def decrement(self, key: str) -> None:
        with self._lock:
            if self.counts.get(key, 0) > 0:
                self.counts[key] -= 1

    def clear(self, key: str) -> None:
        with self._lock:
            self.counts.pop(key, None)
            self.expires.pop(key, None)

    def count(self, prefix: str) -> int:
        """The count of the one live counter whose key starts with `prefix` (0 if none)."""
        with self._lock:
            found = [n for key, n in self.counts.items() if key.startswith(prefix)]
        assert len(found) <= 1, found
        return found[0] if found else 0


class MemoryUsers:
    def __init__(self):
        self.by_key: dict[str, dict] = {}
        self._lock = threading.Lock()

    def by_email(self, email):
        with self._lock:
            return next((dict(u) for u in self.by_key.values() if u["email"] == email), None)

    def by_id(self, user_id, fields=None):
        with self._lock:
            user = self.by_key.get(user_id)
            if user is None:
                return None
            return dict(user) if fields is None else {k: v for k, v in user.items() if k in {"_id", *fields}}

    def add(self, user):
        with self._lock:
            if any(u["email"] == user["email"] for u in self.by_key.values()):
                return False
            self.by_key[user["_id"]] = dict(user)
            return True

    def set_active(self, user_id, is_active, at, moderation=None):
        with self._lock:
            user = self.by_key.get(user_id)
            if user is None:
                return None
            user.update(is_active=is_active, updated_at=at)
            if moderation is not None:
                user["moderation"] = dict(moderation)
            return dict(user)

    def set_password(self, user_id, password_hash, at):
        with self._lock:
            user = self.by_key.get(user_id)
            if user is None:
                return False
            user.update(password_hash=password_hash, updated_at=at)
            return True

    def page(self, text, role, limit, after):
        raise NotImplementedError  # listing is covered over HTTP (tests/integration/test_admin.py)


class MemoryRefreshTokens:
    def __init__(self):
        self.records: dict[str, dict] = {}
        self._lock = threading.Lock()

    def add(self, token):
        with self._lock:
            self.records[token["_id"]] = dict(token)

    def consume(self, token_hash, at):
        with self._lock:
            record = self.records.get(token_hash)
            if record is None or record["revoked_at"] is not None or record["expires_at"] <= at:
                return None
            before = dict(record)
            record.update(revoked_at=at, revoked_reason="rotated", rotated_ms=int(at.timestamp() * 1000))
            return before

    def live_child(self, token_hash, at):
        with self._lock:
            return any(
                r.get("parent") == token_hash and r["revoked_at"] is None and r["expires_at"] > at
                for r in self.records.values()
            )

    def get(self, token_hash):
        with self._lock:
            record = self.records.get(token_hash)
            return dict(record) if record else None

    def _revoke(self, match, at, reason):
        with self._lock:
            for record in self.records.values():
                if match(record) and record["revoked_at"] is None:
                    record.update(revoked_at=at, revoked_reason=reason)

    def revoke_family(self, family_id, at, reason):
        self._revoke(lambda r: r["family_id"] == family_id, at, reason)

    def revoke_user(self, user_id, at, reason):
        self._revoke(lambda r: r["user_id"] == user_id, at, reason)

    def revoke_user_except(self, user_id, keep_family_id, at, reason):
        self._revoke(lambda r: r["user_id"] == user_id and r["family_id"] != keep_family_id, at, reason)

    def live(self, user_id) -> int:
        with self._lock:
            return sum(1 for r in self.records.values() if r["user_id"] == user_id and r["revoked_at"] is None)


class MemoryPasswordResets:
    def __init__(self):
        self.records: dict[str, dict] = {}
        self._lock = threading.Lock()

    def add(self, record):
        with self._lock:
            self.records[record["_id"]] = dict(record)

    def get(self, token_hash):
        with self._lock:
            record = self.records.get(token_hash)
            return dict(record) if record else None

    def consume(self, token_hash, at):
        with self._lock:
            record = self.records.get(token_hash)
            if record is None or record["used_at"] is not None or record["expires_at"] <= at:
                return None
            before = dict(record)
            record.update(used_at=at, used_reason="reset")
            return before

    def invalidate_user(self, user_id, at):
        with self._lock:
            for record in self.records.values():
                if record["user_id"] == user_id and record["used_at"] is None:
                    record.update(used_at=at, used_reason="invalidated")


class MemoryAuditLog:
    def __init__(self):
        self.entries: list[dict] = []

    def add(self, entry):
        self.entries.append(dict(entry))

    def for_target(self, target_id, limit):
        found = [e for e in self.entries if e["target_id"] == target_id]
        return sorted(found, key=lambda e: e["at"], reverse=True)[:limit]


def plug_in_memory_accounts(monkeypatch) -> SimpleNamespace:
    """Register the fakes for the accounts ports for the current test; monkeypatch restores the
    previous registrations (the MongoDB adapters from `smartgrocer.wiring`) afterwards."""
    from smartgrocer.domain import ports
    from smartgrocer.domain.accounts import AuditLog, PasswordResetRepository, RefreshTokenRepository, UserRepository
    from smartgrocer.domain.rate_limit import RateLimitRepository

    fakes = SimpleNamespace(
        users=MemoryUsers(),
        tokens=MemoryRefreshTokens(),
        counters=MemoryRateLimits(),
        resets=MemoryPasswordResets(),
        audit=MemoryAuditLog(),
    )
    for port, fake in (
        (UserRepository, fakes.users),
        (RefreshTokenRepository, fakes.tokens),
        (RateLimitRepository, fakes.counters),
        (PasswordResetRepository, fakes.resets),
        (AuditLog, fakes.audit),
    ):
        monkeypatch.setitem(ports._factories, port, lambda fake=fake: fake)
        monkeypatch.setitem(ports._instances, port, fake)
    return fakes
