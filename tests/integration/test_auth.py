"""Accounts over HTTP: signup validation, login (one message for every failure, rate limited), /me,
refresh-token rotation with reuse detection in the session cookie (its attributes, CSRF checks), logout,
deactivated accounts."""

from __future__ import annotations

import pytest

from tests.integration.helpers import assert_error
from tests.support import REFRESH_COOKIE, refresh_cookie_of, session_headers, set_cookies, within_one_window

SIGNUP = "/api/auth/signup"


def _signup_body(email, **overrides):
    return {"email": email, "password": "correct-horse-1", "full_name": "Integration", **overrides}


# -- signup ----------------------------------------------------------------------------------------


def test_signup_creates_shopper_by_default(api, unique_email):
    email = unique_email("Mixed.Case")
    response = api.post(SIGNUP, json=_signup_body(email))
    assert response.status_code == 201
    user = response.json()["user"]
    assert user["role"] == "shopper" and user["email"] == email.lower() and user["is_active"] is True
    assert "password_hash" not in user


def test_signup_seller(api, unique_email):
    response = api.post(SIGNUP, json=_signup_body(unique_email(), is_seller=True))
    assert response.status_code == 201 and response.json()["user"]["role"] == "seller"


@pytest.mark.parametrize("email", ["not-an-email", "missing-at.example.com", "a@b", "", " "])
def test_signup_bad_email(api, email):
    error = assert_error(api.post(SIGNUP, json=_signup_body(email)), 422, "validation_error")
    assert error["details"][0]["loc"][-1] == "email"


@pytest.mark.parametrize("password", ["short", "1234567"])
def test_signup_short_password(api, unique_email, password):
    error = assert_error(api.post(SIGNUP, json=_signup_body(unique_email(), password=password)), 422)
    assert error["details"][0]["loc"][-1] == "password"


@pytest.mark.parametrize("password", ["x" * 73, "€" * 25, "ñ" * 40, "🍎" * 19])
def test_signup_password_over_72_bytes_is_4xx_not_500(api, unique_email, password):
    response = api.post(SIGNUP, json=_signup_body(unique_email(), password=password))
    error = assert_error(response, 422, "validation_error")
    assert any(d["loc"][-1] == "password" for d in error["details"])


def test_signup_duplicate_email_is_409_case_insensitive(api, unique_email):
    email = unique_email("dup")
    assert api.post(SIGNUP, json=_signup_body(email)).status_code == 201
    assert_error(api.post(SIGNUP, json=_signup_body(email)), 409, "email_taken")
    assert_error(api.post(SIGNUP, json=_signup_body(email.upper())), 409, "email_taken")
    assert_error(api.post(SIGNUP, json=_signup_body(f"  {email.title()} ")), 409, "email_taken")


@pytest.mark.parametrize(
    "extra",
    [
        {"role": "admin"},
        {"is_admin": True},
        {"role": "seller"},
        {"is_active": False},
        {"created_at": "2000-01-01T00:00:00Z"},
    ],
)
def test_signup_unknown_fields_are_422_and_create_nothing(api, unique_email, extra):
    email = unique_email("mass")
    error = assert_error(api.post(SIGNUP, json=_signup_body(email, **extra)), 422, "validation_error")
    assert error["details"][0]["type"] == "extra_forbidden"
    # nothing was created: the same email can still sign up, as a plain shopper
    response = api.post(SIGNUP, json=_signup_body(email))
    assert response.status_code == 201 and response.json()["user"]["role"] == "shopper"


def test_admin_is_never_self_assigned(api, unique_email):
    from smartgrocer.adapters.mongo import db

    for body in (_signup_body(unique_email(), is_seller=True), _signup_body(unique_email())):
        user = api.post(SIGNUP, json=body).json()["user"]
        assert user["role"] in {"shopper", "seller"}
        assert db().users.find_one({"_id": user["id"]})["role"] == user["role"]


# -- login -----------------------------------------------------------------------------------------


def test_login_success_returns_token_pair(api, shopper):
    response = api.login(shopper.email.upper(), shopper.password)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == shopper.user_id and body["token_type"] == "bearer"
    assert api.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}).status_code == 200


def test_login_failure_message_is_the_same_for_unknown_user_and_wrong_password(api, shopper, unique_email):
    wrong_password = assert_error(api.login(shopper.email, "wrong-password-1"), 401)
    unknown_user = assert_error(api.login(unique_email("ghost"), "wrong-password-1"), 401)
    assert wrong_password == unknown_user
    assert wrong_password["code"] == "invalid_credentials"


def test_login_rate_limited_per_email(api, unique_email):
    from smartgrocer import settings

    def attempt():
        account = api.signup(unique_email("limited"))
        failures = [api.login(account.email, "wrong-password-1") for _ in range(settings.LOGIN_MAX_FAILURES)]
        return account, failures, api.login(account.email, account.password)

    account, failures, blocked = within_one_window(settings.LOGIN_WINDOW_SECONDS, attempt)
    for failure in failures:
        assert_error(failure, 401, "invalid_credentials")
    assert_error(blocked, 429, "rate_limited")  # even the right password waits now
    retry_after = int(blocked.headers["Retry-After"])
    assert 1 <= retry_after <= settings.LOGIN_WINDOW_SECONDS
    assert_error(api.login(account.email.upper(), account.password), 429)  # same account, other spelling
    # another account from the same address still logs in (the IP limit is 4x higher)
    other = api.signup(unique_email("unaffected"))
    assert api.login(other.email, other.password).status_code == 200


def test_successful_login_resets_the_email_counter(api, unique_email):
    from smartgrocer import settings

    def attempt():
        account = api.signup(unique_email("reset"))
        first = [
            api.login(account.email, "wrong-password-1").status_code for _ in range(settings.LOGIN_MAX_FAILURES - 1)
        ]
        first.append(api.login(account.email, account.password).status_code)
        first.append(api.login(account.email, "wrong-password-1").status_code)  # counting starts again
        first.append(api.login(account.email, account.password).status_code)
        return first

    statuses = within_one_window(settings.LOGIN_WINDOW_SECONDS, attempt)
    assert statuses == [401] * (settings.LOGIN_MAX_FAILURES - 1) + [200, 401, 200]


# -- /me -------------------------------------------------------------------------------------------


def test_me_returns_the_user_without_password_hash(api, seller):
    response = api.get("/api/auth/me", seller)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == seller.user_id and body["role"] == "seller" and body["email"] == seller.email
    assert "password_hash" not in response.text and "$2b$" not in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_me_without_token(api):
    assert_error(api.get("/api/auth/me"), 401, "missing_token")


# -- refresh tokens: the session cookie ------------------------------------------------------------

COOKIE_ATTRIBUTES = "Path=/api/auth; Max-Age={ttl}; HttpOnly; Secure; SameSite=Strict"


def _refresh(api, token):
    return api.refresh(token)


def _rotated(response) -> str:
    assert response.status_code == 200, response.text
    token = refresh_cookie_of(response)
    assert token, set_cookies(response)
    return token


@pytest.mark.parametrize("how", ["signup", "login", "refresh"])
def test_session_cookie_is_set_exactly(api, unique_email, how):
    from smartgrocer import settings

    email = unique_email("cookie")
    response = api.post(SIGNUP, json=_signup_body(email))
    if how != "signup":
        response = api.login(email, "correct-horse-1") if how == "login" else api.refresh(refresh_cookie_of(response))
    assert response.status_code in {200, 201}, response.text
    (line,) = set_cookies(response)
    token = refresh_cookie_of(response)
    assert line == f"{REFRESH_COOKIE}={token}; " + COOKIE_ATTRIBUTES.format(ttl=settings.REFRESH_TOKEN_TTL)
    assert len(token) >= 40 and "refresh_token" not in response.json() and token not in response.text


def test_refresh_rotates_and_old_token_dies_once_its_successor_is_used(api, shopper):
    first = _refresh(api, shopper.refresh_token)
    rotated = _rotated(first)
    body = first.json()
    assert rotated != shopper.refresh_token and body["user"]["id"] == shopper.user_id
    assert set(body) == {"user", "access_token", "token_type", "expires_in"}
    assert api.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}).status_code == 200
    _rotated(_refresh(api, rotated))
    assert_error(_refresh(api, shopper.refresh_token), 401, "invalid_refresh_token")


def test_a_reload_during_a_refresh_keeps_the_session(api, shopper):
    # The page reloaded while its refresh was in flight: the browser never stored the answer's cookie and
    # sends the old one again, moments later, before anyone used the lost successor.
    lost = _rotated(_refresh(api, shopper.refresh_token))
    again = _refresh(api, shopper.refresh_token)
    newest = _rotated(again)
    assert again.json()["user"]["id"] == shopper.user_id and newest not in {lost, shopper.refresh_token}
    assert _refresh(api, newest).status_code == 200


def test_reusing_a_rotated_token_revokes_the_family_and_clears_the_cookie(api, shopper):
    second = _rotated(_refresh(api, shopper.refresh_token))
    third = _rotated(_refresh(api, second))
    # the stolen first token comes back: the whole family ends, including the newest token
    reused = _refresh(api, shopper.refresh_token)
    assert_error(reused, 401, "invalid_refresh_token")
    assert set_cookies(reused) == [f"{REFRESH_COOKIE}=; " + COOKIE_ATTRIBUTES.format(ttl=0)]
    assert_error(_refresh(api, third), 401, "invalid_refresh_token")


def test_reuse_does_not_touch_other_sessions(api, shopper):
    other_session = refresh_cookie_of(api.login(shopper.email, shopper.password))
    _refresh(api, _rotated(_refresh(api, shopper.refresh_token)))
    assert_error(_refresh(api, shopper.refresh_token), 401)  # reuse: first family revoked
    assert _refresh(api, other_session).status_code == 200


def test_refresh_without_cookie_is_401_and_clears_it(api):
    response = _refresh(api, None)
    assert_error(response, 401, "missing_refresh_token")
    assert refresh_cookie_of(response) == ""


def test_refresh_ignores_a_token_in_the_body(api, shopper):
    response = api.refresh(None, json={"refresh_token": shopper.refresh_token})
    assert_error(response, 401, "missing_refresh_token")
    assert _refresh(api, shopper.refresh_token).status_code == 200  # untouched


def test_logout_revokes_the_session_and_clears_the_cookie(api, shopper):
    rotated = _rotated(_refresh(api, shopper.refresh_token))
    response = api.logout(rotated)
    assert response.status_code == 204 and response.content == b""
    assert set_cookies(response) == [f"{REFRESH_COOKIE}=; " + COOKIE_ATTRIBUTES.format(ttl=0)]
    assert_error(_refresh(api, rotated), 401, "invalid_refresh_token")
    assert api.get("/api/auth/me", shopper).status_code == 200  # the access token lives out its short life


def test_logout_without_a_session(api):
    # No cookie: 401 (the route is authenticated by it); an unknown one: nothing to end. Both clear it.
    missing = api.logout(None)
    assert_error(missing, 401, "missing_refresh_token")
    unknown = api.logout("not-a-token-at-all")
    assert unknown.status_code == 204
    assert refresh_cookie_of(missing) == refresh_cookie_of(unknown) == ""


def test_logout_needs_the_csrf_header_and_changes_nothing_without_it(api, shopper):
    response = api.post("/api/auth/logout", shopper, headers=session_headers(shopper.refresh_token, csrf=False))
    assert_error(response, 403, "csrf_failed")
    assert set_cookies(response) == []
    assert _refresh(api, shopper.refresh_token).status_code == 200  # untouched


def test_logout_ends_only_its_own_session(api, shopper):
    other_session = refresh_cookie_of(api.login(shopper.email, shopper.password))
    assert api.logout(shopper.refresh_token).status_code == 204
    assert _refresh(api, other_session).status_code == 200


@pytest.mark.parametrize("token", ["x" * 10, "not-a-token-at-all", "a" * 512, "a" * 513])
def test_refresh_with_unknown_token(api, token):
    error = assert_error(_refresh(api, token), 401)
    assert error["code"] in {"invalid_refresh_token", "missing_refresh_token"}


@pytest.mark.parametrize(
    "headers, why",
    [
        ({"X-SmartGrocer-CSRF": ""}, "header empty"),
        ({"X-SmartGrocer-CSRF": "0"}, "header not 1"),
        ({"Sec-Fetch-Site": "cross-site"}, "cross-site fetch"),
        ({"Sec-Fetch-Site": "same-site"}, "sibling subdomain"),
        ({"Origin": "https://evil.example"}, "foreign origin"),
        ({"Origin": "null"}, "opaque origin"),
        ({"Origin": "http://127.0.0.1.evil.example"}, "look-alike origin"),
    ],
)
def test_refresh_refuses_what_a_foreign_page_could_send(api, shopper, headers, why):
    response = api.refresh(shopper.refresh_token, headers=headers)
    error = assert_error(response, 403, "csrf_failed")
    assert "session cookie" in error["message"], why
    assert set_cookies(response) == []  # a foreign page cannot sign anyone out either
    assert _refresh(api, shopper.refresh_token).status_code == 200


def test_refresh_needs_the_csrf_header(api, shopper):
    response = api.post("/api/auth/refresh", headers=session_headers(shopper.refresh_token, csrf=False))
    error = assert_error(response, 403, "csrf_failed")
    assert "X-SmartGrocer-CSRF" in error["message"]


def test_refresh_from_the_site_itself_is_accepted(api, runtime, shopper):
    site = runtime.base_url.rstrip("/")
    response = api.refresh(shopper.refresh_token, headers={"Origin": site, "Sec-Fetch-Site": "same-origin"})
    assert _rotated(response) != shopper.refresh_token


def test_deactivated_user_tokens_stop_working(api, unique_email):
    from smartgrocer.adapters.mongo import db

    account = api.signup(unique_email("deact"))
    assert api.get("/api/auth/me", account).status_code == 200
    db().users.update_one({"_id": account.user_id}, {"$set": {"is_active": False}})
    assert_error(api.get("/api/auth/me", account), 401, "inactive_account")
    assert_error(_refresh(api, account.refresh_token), 401)
    deactivated = assert_error(api.login(account.email, account.password), 403, "account_deactivated")
    assert "deactivated" in deactivated["message"] and "support@" in deactivated["message"]
    assert_error(api.login(account.email, "wrong-password-1"), 401, "invalid_credentials")
    db().users.update_one({"_id": account.user_id}, {"$set": {"is_active": True}})
    assert api.get("/api/auth/me", account).status_code == 200


def test_signup_answer_equals_a_later_read(api, unique_email):
    body = api.post(SIGNUP, json=_signup_body(unique_email("same"), phone="+44 20 7946 0000")).json()
    me = api.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert me == body["user"]  # timestamps included: what signup returns is what is stored
