"""Unit tier for password reset and change (`domain.passwords`) over the in-memory accounts ports, with an
injected clock: tokens expire, work once, end every session and void the user's other tokens;
deactivated accounts get no link and cannot be reopened by one; a password change keeps the
caller's session only. No database, no runtime, no sleeping."""

# ruff: noqa: F811  (the `accounts` fixture is imported from the login tests)
from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from smartgrocer import settings
from smartgrocer.domain import admin, auth, passwords, ports
from smartgrocer.domain.events import EventPublisher
from smartgrocer.errors import AppError, BadRequest, Forbidden, Invalid, RateLimited, Unauthorized
from tests.unit.test_login_unit import PASSWORD, _user, accounts  # noqa: F401

NEW_PASSWORD = "brand-new-pass-2"


class Clock:
    def __init__(self):
        self.at = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def move(self, **delta) -> None:
        self.at += timedelta(**delta)


class Events:
    def __init__(self):
        self.published: list[tuple[str, str, dict]] = []

    def publish(self, source, detail_type, detail):
        self.published.append((source, detail_type, detail))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def events(monkeypatch):
    recorder = Events()
    monkeypatch.setitem(ports._factories, EventPublisher, lambda: recorder)
    monkeypatch.setitem(ports._instances, EventPublisher, recorder)
    return recorder


def _token_from(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def _link(user: dict, clock: Clock, site: str = "https://shop.example") -> str:
    kind, link = passwords.reset_mail(user["email"], site, clock)
    assert kind == "link"
    return link


def _signs_in(password: str, email: str = "user@example.com") -> bool:
    try:
        auth.login(email, password, "10.0.0.1")
        return True
    except Unauthorized:
        return False


def test_the_token_is_random_url_safe_and_stored_only_as_its_hash(accounts, clock):
    user = _user(accounts)
    link = _link(user, clock)
    assert link.startswith("https://shop.example/reset-password?token=")
    token = _token_from(link)
    assert len(token) >= 43 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    (record,) = accounts.resets.records.values()
    assert record["_id"] == hashlib.sha256(token.encode()).hexdigest() and token not in str(record)
    assert record["user_id"] == user["_id"] and record["used_at"] is None
    assert record["expires_at"] - record["created_at"] == timedelta(minutes=30)
    assert _token_from(_link(user, clock)) != token  # a new one each time


def test_a_token_sets_the_password_once_and_ends_every_session(accounts, clock):
    user = _user(accounts)
    other_session = auth.login(user["email"], PASSWORD, "10.0.0.1")["refresh_token"]
    assert accounts.tokens.live(user["_id"]) == 2
    token = _token_from(_link(user, clock))
    clock.move(minutes=29, seconds=59)
    passwords.confirm_reset(token, NEW_PASSWORD, clock)
    assert accounts.tokens.live(user["_id"]) == 0
    with pytest.raises(Unauthorized):
        auth.refresh(other_session)
    assert _signs_in(NEW_PASSWORD) and not _signs_in(PASSWORD)
    # Used: the second try changes nothing.
    with pytest.raises(BadRequest) as again:
        passwords.confirm_reset(token, "yet-another-pass-3", clock)
    assert again.value.code == "reset_token_invalid"
    assert _signs_in(NEW_PASSWORD)


def test_an_expired_token_changes_nothing(accounts, clock):
    user = _user(accounts)
    token = _token_from(_link(user, clock))
    clock.move(minutes=30)
    with pytest.raises(BadRequest) as raised:
        passwords.confirm_reset(token, NEW_PASSWORD, clock)
    assert raised.value.code == "reset_token_expired" and "expired" in raised.value.message
    assert accounts.tokens.live(user["_id"]) == 1 and _signs_in(PASSWORD)


@pytest.mark.parametrize("token", ["x" * 43, ""])
def test_an_unknown_token_is_invalid(accounts, clock, token):
    _user(accounts)
    with pytest.raises(BadRequest) as raised:
        passwords.confirm_reset(token, NEW_PASSWORD, clock)
    assert raised.value.code == "reset_token_invalid"


def test_using_one_token_voids_the_others(accounts, clock):
    user = _user(accounts)
    first, second = _token_from(_link(user, clock)), _token_from(_link(user, clock))
    passwords.confirm_reset(second, NEW_PASSWORD, clock)
    with pytest.raises(BadRequest) as raised:
        passwords.confirm_reset(first, "yet-another-pass-3", clock)
    assert raised.value.code == "reset_token_invalid" and _signs_in(NEW_PASSWORD)


def test_a_bad_new_password_keeps_the_token(accounts, clock):
    user = _user(accounts)
    token = _token_from(_link(user, clock))
    with pytest.raises(Invalid):
        passwords.confirm_reset(token, "€" * 25, clock)  # 75 bytes: bcrypt cannot take it
    passwords.confirm_reset(token, NEW_PASSWORD, clock)
    assert _signs_in(NEW_PASSWORD)


def test_of_parallel_confirms_exactly_one_wins(accounts, clock):
    user = _user(accounts)
    token = _token_from(_link(user, clock))
    start = threading.Barrier(8)

    def confirm(i: int) -> str:
        start.wait()
        try:
            passwords.confirm_reset(token, f"parallel-pass-{i}", clock)
            return f"won:{i}"
        except BadRequest as error:
            return error.code

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(confirm, range(8)))
    winners = [r for r in results if r.startswith("won:")]
    assert len(winners) == 1 and set(results) - set(winners) == {"reset_token_invalid"}
    assert _signs_in(f"parallel-pass-{winners[0][4:]}")


def test_unknown_and_deactivated_accounts_get_no_link(accounts, clock):
    assert passwords.reset_mail("nobody@example.com", "https://shop.example", clock) is None
    user = _user(accounts, is_active=False)
    assert passwords.reset_mail(user["email"], "https://shop.example", clock) == ("deactivated", "")
    assert accounts.resets.records == {}


def test_a_link_cannot_reopen_an_account_deactivated_after_it_was_sent(accounts, clock):
    user = _user(accounts)
    token = _token_from(_link(user, clock))
    accounts.users.by_key[user["_id"]]["is_active"] = False
    with pytest.raises(Forbidden) as raised:
        passwords.confirm_reset(token, NEW_PASSWORD, clock)
    assert raised.value.code == "account_deactivated" and settings.SUPPORT_EMAIL in raised.value.message
    assert accounts.users.by_key[user["_id"]]["is_active"] is False
    assert auth._password_matches(PASSWORD, accounts.users.by_key[user["_id"]]["password_hash"])


def test_admin_deactivation_voids_links_and_sessions_and_writes_the_trail(accounts, clock):
    user = _user(accounts)
    token = _token_from(_link(user, clock))
    boss = auth.Principal("a" * 24, "admin", "boss@example.com", "Boss")
    with pytest.raises(Invalid):
        admin.set_active(boss, user["_id"], False, "   ")
    assert accounts.users.by_key[user["_id"]]["is_active"] is True and accounts.audit.entries == []
    admin.set_active(boss, user["_id"], False, "Fraudulent chargebacks")
    accounts.users.by_key[user["_id"]]["is_active"] = True  # even if reopened by hand, the link is spent
    with pytest.raises(BadRequest):
        passwords.confirm_reset(token, NEW_PASSWORD, clock)
    assert accounts.tokens.live(user["_id"]) == 0
    (entry,) = admin.audit_trail(user["_id"])["items"]
    assert entry["action"] == "deactivate" and entry["reason"] == "Fraudulent chargebacks"
    assert entry["actor_id"] == boss.user_id and entry["target_id"] == user["_id"]


def test_asking_for_a_link_answers_the_same_and_publishes_the_same_for_any_email(accounts, events, monkeypatch):
    monkeypatch.setattr(settings, "SITE_URL", "")
    user = _user(accounts)
    known = passwords.request_reset(user["email"].upper(), "10.0.0.2", "https://evil.example")
    unknown = passwords.request_reset("nobody@example.com", "10.0.0.2", "https://evil.example")
    assert known == unknown
    details = [detail for _, kind, detail in events.published if kind == "PasswordResetRequested"]
    assert [d["email"] for d in details] == [user["email"], "nobody@example.com"]
    assert {d["site"] for d in details} == {"https://evil.example"}  # SITE_URL unset: local use only
    monkeypatch.setattr(settings, "SITE_URL", "https://shop.example/")
    passwords.request_reset(user["email"], "10.0.0.2", "https://evil.example")
    assert events.published[-1][2]["site"] == "https://shop.example"  # the stack always sets it
    assert accounts.resets.records == {}  # the notifier makes the token, not the request


def test_asking_for_links_is_limited_per_email_and_per_address(accounts, events, monkeypatch):
    monkeypatch.setattr(settings, "RESET_MAX_REQUESTS", 3)
    monkeypatch.setattr(settings, "LOGIN_IP_MAX_FAILURES", 5)
    for _ in range(3):
        passwords.request_reset("someone@example.com", "10.0.0.3", None)
    with pytest.raises(RateLimited) as raised:
        passwords.request_reset("someone@example.com", "10.0.0.4", None)
    assert raised.value.retry_after and raised.value.retry_after <= settings.LOGIN_WINDOW_SECONDS
    passwords.request_reset("other@example.com", "10.0.0.3", None)
    passwords.request_reset("third@example.com", "10.0.0.3", None)
    with pytest.raises(RateLimited):
        passwords.request_reset("fourth@example.com", "10.0.0.3", None)
    assert len(events.published) == 5


def test_a_password_change_keeps_the_callers_session_only(accounts):
    user = _user(accounts)
    mine = auth.login(user["email"], PASSWORD, "10.0.0.1")
    other = auth.login(user["email"], PASSWORD, "10.0.0.1")
    principal = auth.authenticate(f"Bearer {mine['access_token']}")
    assert principal.session_id
    with pytest.raises(BadRequest) as wrong:
        passwords.change_password(principal, "not-my-password", NEW_PASSWORD, "10.0.0.1")
    assert wrong.value.code == "wrong_password" and accounts.counters.count("login-email:") == 1
    passwords.change_password(principal, PASSWORD, NEW_PASSWORD, "10.0.0.1")
    assert accounts.counters.count("login-email:") == 0  # the right password clears the failures
    refreshed = auth.refresh(mine["refresh_token"])  # the caller's session goes on
    assert auth.authenticate(f"Bearer {refreshed['access_token']}").session_id == principal.session_id
    with pytest.raises(Unauthorized):
        auth.refresh(other["refresh_token"])
    assert _signs_in(NEW_PASSWORD) and not _signs_in(PASSWORD)


def test_wrong_current_passwords_are_limited_like_sign_ins(accounts, monkeypatch):
    user = _user(accounts)
    principal = auth.authenticate(f"Bearer {auth.login(user['email'], PASSWORD, '10.0.0.1')['access_token']}")
    results = []
    for _ in range(settings.LOGIN_MAX_FAILURES + 1):
        try:
            passwords.change_password(principal, "not-my-password", NEW_PASSWORD, "10.0.0.1")
        except AppError as error:
            results.append(error.status)
    assert results == [400] * settings.LOGIN_MAX_FAILURES + [429]
    with pytest.raises(RateLimited):
        passwords.change_password(principal, PASSWORD, NEW_PASSWORD, "10.0.0.1")


def test_login_tells_a_deactivated_account_only_after_the_password(accounts):
    _user(accounts, is_active=False)
    with pytest.raises(Unauthorized) as wrong:
        auth.login("user@example.com", "not-my-password", "10.0.0.1")
    assert wrong.value.code == "invalid_credentials"
    with pytest.raises(Forbidden) as right:
        auth.login("user@example.com", PASSWORD, "10.0.0.1")
    assert right.value.code == "account_deactivated" and settings.SUPPORT_EMAIL in right.value.message
