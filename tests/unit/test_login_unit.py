"""Unit tier for login (`domain.auth`) over in-memory accounts ports: the same bcrypt work on every
path, the limit holding under parallel guesses, what success and closed accounts do to the counters,
and the MongoDB adapter's mapping of duplicate keys. No database, no runtime, no sleeping."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import bcrypt as real_bcrypt
import pytest
from pymongo.errors import DuplicateKeyError

from smartgrocer import settings
from smartgrocer.domain import auth
from smartgrocer.errors import AppError, Conflict, Forbidden, RateLimited, Unauthorized
from tests.unit.accounts_fakes import plug_in_memory_accounts
from tests.unit.test_rate_limit import HeldChecks

ROUNDS = 5  # the configured cost in these tests; distinct from the suites' default of 4
PASSWORD = "correct-horse-1"
LAYER = Path(__file__).resolve().parents[2] / "layers" / "smartgrocer" / "python"


@pytest.fixture
def accounts(monkeypatch):
    monkeypatch.setenv("BCRYPT_ROUNDS", str(ROUNDS))
    monkeypatch.setattr(settings, "LOGIN_MAX_FAILURES", 5)
    monkeypatch.setattr(settings, "LOGIN_IP_MAX_FAILURES", 20)
    monkeypatch.setattr(settings, "LOGIN_WINDOW_SECONDS", 300)
    monkeypatch.setattr(auth, "_jwt_key", lambda: "unit-test-signing-key-" + "k" * 32)
    monkeypatch.setattr(auth, "_equaliser_hashes", {})
    return plug_in_memory_accounts(monkeypatch)


def _user(accounts, email="user@example.com", **overrides) -> dict:
    _, user = auth.signup(email, PASSWORD, "Unit User", None, False)
    if overrides:
        accounts.users.by_key[user["_id"]].update(overrides)
    return user


class BcryptSpy:
    """bcrypt, recording the cost of every hash it actually computes."""

    def __init__(self):
        self.runs: list[int] = []

    def gensalt(self, rounds: int = 12) -> bytes:
        return real_bcrypt.gensalt(rounds)

    def hashpw(self, password: bytes, salt: bytes) -> bytes:
        hashed = real_bcrypt.hashpw(password, salt)
        self.runs.append(int(salt[4:6]))
        return hashed

    def checkpw(self, password: bytes, hashed: bytes) -> bool:
        result = real_bcrypt.checkpw(password, hashed)  # raises, doing no work, on a malformed hash
        self.runs.append(int(hashed[4:6]))
        return result


@pytest.fixture
def spy(monkeypatch):
    spy = BcryptSpy()
    monkeypatch.setattr(auth, "bcrypt", spy)
    return spy


# -- the same work whether or not the account exists -------------------------------------------------


def test_the_equaliser_is_not_made_at_import():
    """Cold start: importing the module computes no hash (bcrypt is booby-trapped before the import)."""
    code = (
        "import sys, bcrypt\n"
        "def trap(*a, **k): raise SystemExit('bcrypt ran at import')\n"
        "bcrypt.hashpw = bcrypt.checkpw = trap\n"
        f"sys.path.insert(0, {str(LAYER)!r})\n"
        "import smartgrocer.domain.auth\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


LOGINS = {
    "unknown email": lambda a: ("ghost@example.com", PASSWORD, Unauthorized, "invalid_credentials"),
    "wrong password": lambda a: (_user(a)["email"], "wrong-password-1", Unauthorized, "invalid_credentials"),
    "password over 72 bytes": lambda a: (_user(a)["email"], "é" * 37, Unauthorized, "invalid_credentials"),
    "closed account, wrong password": lambda a: (
        _user(a, is_active=False)["email"],
        "wrong-password-1",
        Unauthorized,
        "invalid_credentials",
    ),
    "closed account, right password": lambda a: (
        _user(a, is_active=False)["email"],
        PASSWORD,
        Forbidden,
        "account_deactivated",
    ),
    "damaged password hash": lambda a: (
        _user(a, password_hash="not-a-bcrypt-hash")["email"],
        PASSWORD,
        Unauthorized,
        "invalid_credentials",
    ),
    "no password hash": lambda a: (
        _user(a, password_hash=None)["email"],
        PASSWORD,
        Unauthorized,
        "invalid_credentials",
    ),
    "right password": lambda a: (_user(a)["email"], PASSWORD, None, None),
}


@pytest.mark.parametrize("case", sorted(LOGINS))
@pytest.mark.parametrize("equaliser_ready", [False, True], ids=["first-login", "warm"])
def test_every_login_costs_exactly_one_bcrypt_run_at_the_configured_cost(accounts, monkeypatch, case, equaliser_ready):
    email, password, error, code = LOGINS[case](accounts)
    if equaliser_ready:
        auth._equal_work()
    spy = BcryptSpy()
    monkeypatch.setattr(auth, "bcrypt", spy)
    if error is None:
        assert auth.login(email, password, "192.0.2.1")["user"]["email"] == email
    else:
        with pytest.raises(error) as raised:
            auth.login(email, password, "192.0.2.1")
        assert raised.value.code == code
    assert spy.runs == [ROUNDS]


def test_the_equaliser_follows_the_configured_cost(accounts, spy, monkeypatch):
    for rounds in (4, 6, 4):
        monkeypatch.setenv("BCRYPT_ROUNDS", str(rounds))
        spy.runs.clear()
        with pytest.raises(Unauthorized):
            auth.login("ghost@example.com", PASSWORD, "192.0.2.1")
        assert spy.runs == [rounds]
    assert sorted(auth._equaliser_hashes) == [4, 6]  # made once per cost, then reused


# -- parallel guesses ------------------------------------------------------------------------------


def test_thirty_parallel_wrong_passwords_get_at_most_five_checks(accounts, monkeypatch):
    email = _user(accounts)["email"]
    attempts = 30
    held, start = HeldChecks(attempts), threading.Barrier(attempts, timeout=10)
    real_check = auth._password_matches

    def held_check(password, stored_hash):
        held.check()  # every admitted guess waits here until all 30 were admitted or refused
        return real_check(password, stored_hash)

    monkeypatch.setattr(auth, "_password_matches", held_check)

    def guess(n):
        start.wait()
        try:
            auth.login(email, f"guess-{n}-wrong", f"192.0.2.{n % 3}")
        except AppError as error:
            if isinstance(error, RateLimited):
                held.decide()
                assert 1 <= error.retry_after <= 300
            return error.status
        return 200

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(guess, range(attempts)))
    assert held.checked == statuses.count(401) == 5  # exactly the limit: the first five slots
    assert statuses.count(429) == attempts - statuses.count(401)
    with pytest.raises(RateLimited):  # even the right password waits for the window now
        auth.login(email, PASSWORD, "198.51.100.1")


def test_thirty_parallel_guesses_from_one_address_get_at_most_its_limit(accounts, monkeypatch):
    attempts = 30
    held, start = HeldChecks(attempts), threading.Barrier(attempts, timeout=10)
    real_check = auth._password_matches

    def held_check(password, stored_hash):
        held.check()
        return real_check(password, stored_hash)

    monkeypatch.setattr(auth, "_password_matches", held_check)

    def spray(n):
        start.wait()
        try:
            auth.login(f"spray{n}@example.com", "Winter2026!", "203.0.113.7")
        except RateLimited:
            held.decide()
            return 429
        except Unauthorized:
            return 401
        return 200

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(spray, range(attempts)))
    assert held.checked == statuses.count(401) == 20
    assert statuses.count(429) == 10
    # the ten refused by the address took nothing from the accounts they named
    assert sum(accounts.counters.count(f"login-email:spray{n}@") for n in range(attempts)) == 20


def test_success_resets_the_account_and_costs_the_address_nothing(accounts):
    email = _user(accounts)["email"]
    for _ in range(4):
        with pytest.raises(Unauthorized):
            auth.login(email, "wrong-password-1", "192.0.2.9")
    auth.login(email.upper(), PASSWORD, "192.0.2.9")
    assert accounts.counters.count(f"login-email:{email}:") == 0
    assert accounts.counters.count("login-ip:192.0.2.9:") == 4  # the four failures, not the success
    for _ in range(5):  # counting starts again
        with pytest.raises(Unauthorized):
            auth.login(email, "wrong-password-1", "192.0.2.9")
    with pytest.raises(RateLimited):
        auth.login(email, PASSWORD, "192.0.2.9")


def test_closed_account_with_the_right_password_leaves_the_counters_alone(accounts):
    email = _user(accounts, is_active=False)["email"]
    with pytest.raises(Unauthorized):
        auth.login(email, "wrong-password-1", "192.0.2.10")
    with pytest.raises(Forbidden) as raised:
        auth.login(email, PASSWORD, "192.0.2.10")
    assert raised.value.code == "account_deactivated"
    assert accounts.counters.count(f"login-email:{email}:") == 1
    assert accounts.counters.count("login-ip:192.0.2.10:") == 1


def test_the_address_limit_counts_failures_across_accounts(accounts):
    victim = _user(accounts)["email"]
    for n in range(20):
        with pytest.raises(Unauthorized):
            auth.login(f"spray{n}@example.com", "Winter2026!", "203.0.113.5")
    with pytest.raises(RateLimited):
        auth.login(victim, PASSWORD, "203.0.113.5")
    assert accounts.counters.count(f"login-email:{victim}:") == 0  # refused by the address: nothing taken
    assert auth.login(victim, PASSWORD, "203.0.113.6")["user"]["email"] == victim


# -- accounts through the ports --------------------------------------------------------------------


def test_duplicate_email_is_a_conflict(accounts):
    _user(accounts, email="twin@example.com")
    with pytest.raises(Conflict) as raised:
        auth.signup(" Twin@Example.com ", PASSWORD, "Twin", None, False)
    assert raised.value.code == "email_taken"


def test_refresh_rotates_and_reuse_revokes_the_family(accounts):
    _user(accounts)
    first = auth.login("user@example.com", PASSWORD, "192.0.2.1")["refresh_token"]
    second = auth.refresh(first)["refresh_token"]
    third = auth.refresh(second)["refresh_token"]  # the successor was used: `first` is now a copy
    with pytest.raises(Unauthorized):
        auth.refresh(first)
    with pytest.raises(Unauthorized):
        auth.refresh(third)  # the family ended with the reuse


class Clock:
    def __init__(self, monkeypatch):
        self.at = auth.now()
        monkeypatch.setattr(auth, "now", lambda: self.at)

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def test_a_lost_refresh_answer_is_answered_again_within_the_grace(accounts, monkeypatch):
    # A reload while the refresh was in flight: the browser never stored the new cookie and sends the
    # old one again. Within the grace, and with the successor unused, that is answered, not punished.
    monkeypatch.setattr(settings, "REFRESH_REUSE_GRACE_SECONDS", 30)
    clock = Clock(monkeypatch)
    user = _user(accounts)
    first = auth.login(user["email"], PASSWORD, "192.0.2.1")["refresh_token"]
    lost = auth.refresh(first)["refresh_token"]
    clock.advance(29)
    again = auth.refresh(first)
    assert again["user"]["id"] == user["_id"] and again["refresh_token"] not in {first, lost}
    assert auth.refresh(again["refresh_token"])["refresh_token"]  # the new one works
    assert auth.refresh(lost)["refresh_token"]  # and so does the one that was lost, once


@pytest.mark.parametrize("case", ["after the grace", "successor used", "after logout", "after a password reset"])
def test_a_rotated_token_outside_the_grace_ends_the_family(accounts, monkeypatch, case):
    monkeypatch.setattr(settings, "REFRESH_REUSE_GRACE_SECONDS", 30)
    clock = Clock(monkeypatch)
    user = _user(accounts)
    first = auth.login(user["email"], PASSWORD, "192.0.2.1")["refresh_token"]
    second = auth.refresh(first)["refresh_token"]
    if case == "after the grace":
        clock.advance(31)
    elif case == "successor used":
        auth.refresh(second)
    elif case == "after logout":
        auth.logout(second)
    else:
        accounts.tokens.revoke_user(user["_id"], clock.at, "password_reset")
    with pytest.raises(Unauthorized):
        auth.refresh(first)
    family = accounts.tokens.records[auth._hash_token(first)]["family_id"]
    assert not [r for r in accounts.tokens.records.values() if r["family_id"] == family and r["revoked_at"] is None]


def test_domain_modules_import_neither_pymongo_nor_adapters():
    domain = LAYER / "smartgrocer" / "domain"
    for name in ("accounts.py", "auth.py", "admin.py", "rate_limit.py"):
        tree = ast.parse((domain / name).read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        bad = {m for m in imported if m and (m.split(".")[0] == "pymongo" or m.startswith("smartgrocer.adapters"))}
        assert not bad, f"{name} imports {bad}"


# -- the MongoDB adapter's mapping, with a stand-in collection ---------------------------------------


class _Collection:
    def __init__(self, failures: int, result=None):
        self.failures, self.result, self.calls = failures, result, 0

    def _maybe_fail(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise DuplicateKeyError("E11000 duplicate key error")

    def insert_one(self, document):
        self._maybe_fail()

    def find_one_and_update(self, *args, **kwargs):
        self._maybe_fail()
        return self.result


def test_adapter_maps_a_taken_email_to_false(monkeypatch):
    from smartgrocer.adapters import mongo_accounts

    users = _Collection(failures=1)
    monkeypatch.setattr(mongo_accounts, "db", lambda: type("Db", (), {"users": users})())
    assert mongo_accounts.MongoUsers().add({"_id": "u1", "email": "a@example.com"}) is False
    assert mongo_accounts.MongoUsers().add({"_id": "u2", "email": "b@example.com"}) is True


def test_adapter_retries_once_when_two_first_attempts_race_to_create_a_counter(monkeypatch):
    from smartgrocer.adapters import mongo_accounts

    counters = _Collection(failures=1, result={"failures": 2})
    monkeypatch.setattr(mongo_accounts, "db", lambda: type("Db", (), {"rate_limits": counters})())
    assert mongo_accounts.MongoRateLimits().increment("login-email:a:0", 300) == 2
    assert counters.calls == 2
    counters = _Collection(failures=2)
    monkeypatch.setattr(mongo_accounts, "db", lambda: type("Db", (), {"rate_limits": counters})())
    with pytest.raises(DuplicateKeyError):  # bounded: a second collision is a real error
        mongo_accounts.MongoRateLimits().increment("login-email:a:0", 300)
