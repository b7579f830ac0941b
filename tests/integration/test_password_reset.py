"""Forgotten and changed passwords over HTTP: the same answer for any email, the mailed link (read back
from the local mail), single use under concurrency, sessions ended, rate limits, deactivated accounts,
and bad bodies that change nothing."""

from __future__ import annotations

import hashlib
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import drain, mail, mail_text, wait_for_mail
from tests.support import ApiClient, loopback_alias_works, refresh_cookie_of, session_from, within_one_window

RESET = "/api/auth/password-reset"
CONFIRM = "/api/auth/password-reset/confirm"
CHANGE = "/api/auth/password"
SUBJECT = "Choose a new SmartGrocer password"
DEACTIVATED_SUBJECT = "Your SmartGrocer account is deactivated"
ORIGIN = "http://127.0.0.1:5173"
NEW_PASSWORD = "brand-new-pass-2"

# Each test asks from its own loopback address: reset requests keep their per-address slot, and the
# rest of the suite (all from 127.0.0.1) must not share this file's budget.
_addresses = (f"127.0.{n // 250}.{n % 250 + 2}" for n in itertools.count(40 * 250))


@pytest.fixture
def client(runtime) -> ApiClient:
    ip = next(_addresses)
    if not loopback_alias_works(ip):
        pytest.skip("needs more loopback addresses")
    client = ApiClient(runtime.base_url)
    client.session = session_from(ip)
    return client


def _ask(client, email: str):
    return client.post(RESET, json={"email": email}, headers={"Origin": ORIGIN})


def _mailed_link(api, email: str, count: int = 1) -> str:
    message = wait_for_mail(api, email, SUBJECT, count=count)[-1]
    text = mail_text(message)
    start = text.index(f"{ORIGIN}/reset-password?token=")
    return text[start:].split()[0].split('"')[0].split("<")[0]


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def _link_for(api, client, email: str) -> str:
    before = len(mail(api, email, SUBJECT))
    assert _ask(client, email).status_code == 202
    return _mailed_link(api, email, before + 1)


def _refresh(api, token: str):
    return api.refresh(token)


# -- asking ------------------------------------------------------------------------------------------


def test_the_answer_is_the_same_whether_or_not_the_account_exists(api, client, shopper, unique_email):
    known = _ask(client, shopper.email.upper())
    ghost = unique_email("ghost")
    unknown = _ask(client, ghost)
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() and "If an account uses this email" in known.json()["message"]
    link = _mailed_link(api, shopper.email)
    assert link.startswith(f"{ORIGIN}/reset-password?token=") and len(_token(link)) >= 43
    drain(api)
    assert mail(api, ghost) == []


def test_the_token_is_stored_only_as_its_hash(api, client, shopper):
    from smartgrocer.adapters.mongo import db

    token = _token(_link_for(api, client, shopper.email))
    record = db().password_resets.find_one({"_id": hashlib.sha256(token.encode()).hexdigest()})
    assert record and record["user_id"] == shopper.user_id and record["used_at"] is None
    assert token not in str(record)
    assert record["expires_at"] - record["created_at"] == timedelta(minutes=30)


def test_asking_is_rate_limited_per_email(api, client, unique_email):
    from smartgrocer import settings

    def attempt():
        email = unique_email("limited")
        return [_ask(client, email) for _ in range(settings.RESET_MAX_REQUESTS + 1)]

    answers = within_one_window(settings.LOGIN_WINDOW_SECONDS, attempt)
    assert [a.status_code for a in answers[:-1]] == [202] * settings.RESET_MAX_REQUESTS
    assert_error(answers[-1], 429, "rate_limited")
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= settings.LOGIN_WINDOW_SECONDS


# -- using the link ----------------------------------------------------------------------------------


def test_a_reset_sets_the_password_and_ends_every_session(api, client, unique_email):
    account = api.signup(unique_email("reset"))
    second_session = refresh_cookie_of(api.login(account.email, account.password))
    token = _token(_link_for(api, client, account.email))
    response = client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.text
    for session in (account.refresh_token, second_session):
        assert_error(_refresh(api, session), 401, "invalid_refresh_token")
    assert_error(api.login(account.email, account.password), 401, "invalid_credentials")
    assert api.login(account.email, NEW_PASSWORD).status_code == 200
    again = assert_error(client.post(CONFIRM, json={"token": token, "new_password": "third-pass-33"}), 400)
    assert again["code"] == "reset_token_invalid" and "Ask for a new one" in again["message"]
    assert api.login(account.email, NEW_PASSWORD).status_code == 200


def test_a_new_link_voids_nothing_but_using_one_voids_the_others(api, client, unique_email):
    account = api.signup(unique_email("two-links"))
    first = _token(_link_for(api, client, account.email))
    second = _token(_link_for(api, client, account.email))
    assert client.post(CONFIRM, json={"token": second, "new_password": NEW_PASSWORD}).status_code == 204
    late = client.post(CONFIRM, json={"token": first, "new_password": "third-pass-33"})
    assert_error(late, 400, "reset_token_invalid")


def test_an_expired_link_changes_nothing(api, client, unique_email):
    from smartgrocer.adapters.mongo import db

    account = api.signup(unique_email("expired"))
    token = _token(_link_for(api, client, account.email))
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    record = db().password_resets.find_one_and_delete({"_id": token_hash})
    past = datetime.now(UTC) - timedelta(seconds=1)
    db().password_resets.insert_one({**record, "created_at": past - timedelta(minutes=30), "expires_at": past})
    error = assert_error(client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}), 400)
    assert error["code"] == "reset_token_expired" and "expired" in error["message"]
    assert api.login(account.email, account.password).status_code == 200
    assert _refresh(api, account.refresh_token).status_code == 200


def test_of_concurrent_confirms_exactly_one_wins(api, client, unique_email):
    account = api.signup(unique_email("race"))
    token = _token(_link_for(api, client, account.email))
    start = threading.Barrier(8)

    def confirm(i: int):
        start.wait(timeout=30)
        return i, client.post(CONFIRM, json={"token": token, "new_password": f"racing-pass-{i}"})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(confirm, range(8)))
    winners = [i for i, response in results if response.status_code == 204]
    assert len(winners) == 1, [(r.status_code, r.text[:100]) for _, r in results]
    for i, response in results:
        if i not in winners:
            assert_error(response, 400, "reset_token_invalid")
    assert api.login(account.email, f"racing-pass-{winners[0]}").status_code == 200


@pytest.mark.parametrize("token", ["A" * 43, "x" * 16, "y" * 128])
def test_an_unknown_token_is_400(client, token):
    assert_error(client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}), 400, "reset_token_invalid")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"token": "A" * 43},
        {"new_password": NEW_PASSWORD},
        {"token": "A" * 43, "new_password": "short"},
        {"token": "A" * 43, "new_password": "é" * 37},  # 74 bytes
        {"token": "A" * 43, "new_password": "x" * 73},
        {"token": "A" * 15, "new_password": NEW_PASSWORD},
        {"token": "A" * 129, "new_password": NEW_PASSWORD},
        {"token": "../../etc/passwd", "new_password": NEW_PASSWORD},
        {"token": 12345678901234567, "new_password": NEW_PASSWORD},
        {"token": "A" * 43, "new_password": NEW_PASSWORD, "user_id": "0" * 24},
    ],
)
def test_malformed_confirm_bodies_are_422_and_spend_nothing(api, client, shopper, body):
    token = _token(_link_for(api, client, shopper.email)) if body.get("token") == "A" * 43 else None
    sent = {**body, "token": token} if token else body
    error = assert_error(client.post(CONFIRM, json=sent), 422, "validation_error")
    assert error["details"]
    if token:  # the real link still works afterwards
        assert client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}).status_code == 204
        shopper.password = NEW_PASSWORD


@pytest.mark.parametrize("path", [RESET, CONFIRM])
def test_oversized_and_malformed_bodies(client, path):
    headers = {"Content-Type": "application/json"}
    assert_error(client.post(path, data="{" + " " * 70_000 + "}", headers=headers), 413)
    assert_error(client.post(path, data='{"email": ', headers=headers), 400, "malformed_json")
    assert_error(client.post(path, data="email=a@b.c", headers={"Content-Type": "text/plain"}), 415)
    assert_error(client.post(path, json=["a@b.c"]), 422)


@pytest.mark.parametrize("body", [{}, {"email": "ab"}, {"email": "a" * 255}, {"email": "a@b.c", "role": "admin"}])
def test_malformed_reset_requests_are_422(client, body):
    assert_error(client.post(RESET, json=body), 422, "validation_error")


# -- deactivated accounts ------------------------------------------------------------------------------


def test_a_deactivated_account_gets_no_link_and_old_links_die(api, client, admin, unique_email):
    account = api.signup(unique_email("closed"))
    token = _token(_link_for(api, client, account.email))
    body = {"is_active": False, "reason": "Reset test"}
    assert api.patch(f"/api/admin/users/{account.user_id}", admin, json=body).status_code == 200
    assert _ask(client, account.email).status_code == 202
    (notice,) = wait_for_mail(api, account.email, DEACTIVATED_SUBJECT)
    assert "reset-password" not in mail_text(notice) and "support@" in mail_text(notice)
    assert len(mail(api, account.email, SUBJECT)) == 1  # only the link sent before
    assert_error(client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD}), 400, "reset_token_invalid")
    error = assert_error(api.login(account.email, account.password), 403, "account_deactivated")
    assert "deactivated" in error["message"]


# -- changing it while signed in -----------------------------------------------------------------------


def test_a_change_keeps_this_session_and_ends_the_others(api, unique_email):
    account = api.signup(unique_email("change"))
    other = refresh_cookie_of(api.login(account.email, account.password))
    body = {"current_password": account.password, "new_password": NEW_PASSWORD}
    assert api.post(CHANGE, account, json=body).status_code == 204
    assert api.get("/api/auth/me", account).status_code == 200  # this session goes on
    assert _refresh(api, account.refresh_token).status_code == 200
    assert_error(_refresh(api, other), 401, "invalid_refresh_token")
    assert_error(api.login(account.email, account.password), 401, "invalid_credentials")
    assert api.login(account.email, NEW_PASSWORD).status_code == 200


def test_a_wrong_current_password_is_400_and_counts_as_a_failed_sign_in(api, unique_email):
    from smartgrocer import settings

    def attempt():
        account = api.signup(unique_email("wrong-current"))
        body = {"current_password": "not-my-password", "new_password": NEW_PASSWORD}
        answers = [api.post(CHANGE, account, json=body) for _ in range(settings.LOGIN_MAX_FAILURES)]
        return account, answers, api.login(account.email, account.password)

    account, answers, login = within_one_window(settings.LOGIN_WINDOW_SECONDS, attempt)
    for answer in answers:
        error = assert_error(answer, 400, "wrong_password")
        assert error["message"] == "Your current password is not correct."
    assert_error(login, 429, "rate_limited")  # the login limiter counted them
    right = {"current_password": account.password, "new_password": NEW_PASSWORD}
    assert_error(api.post(CHANGE, account, json=right), 429, "rate_limited")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"current_password": "correct-horse-1"},
        {"current_password": "correct-horse-1", "new_password": "short"},
        {"current_password": "correct-horse-1", "new_password": "é" * 37},
        {"current_password": "x" * 1025, "new_password": NEW_PASSWORD},
        {"current_password": "correct-horse-1", "new_password": NEW_PASSWORD, "user_id": "0" * 24},
    ],
)
def test_malformed_change_bodies_are_422_and_change_nothing(api, shopper, body):
    assert_error(api.post(CHANGE, shopper, json=body), 422, "validation_error")
    assert api.login(shopper.email, shopper.password).status_code == 200


def test_changing_needs_a_signed_in_caller(api, shopper):
    body = {"current_password": shopper.password, "new_password": NEW_PASSWORD}
    assert_error(api.post(CHANGE, json=body), 401, "missing_token")
    assert_error(api.post(CHANGE, json=body, headers={"Authorization": "Bearer nope"}), 401, "invalid_token")
    headers = {"Content-Type": "application/json"}
    assert_error(api.post(CHANGE, shopper, data="{" + " " * 70_000 + "}", headers=headers), 413)
    assert api.login(shopper.email, shopper.password).status_code == 200
