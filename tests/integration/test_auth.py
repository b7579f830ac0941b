"""Accounts over HTTP: signup validation, login (one message for every failure, rate limited), /me,
refresh-token rotation with reuse detection, logout, deactivated accounts."""

from __future__ import annotations

import pytest

from tests.integration.helpers import assert_error
from tests.support import within_one_window

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


# -- refresh tokens --------------------------------------------------------------------------------


def _refresh(api, token):
    return api.post("/api/auth/refresh", json={"refresh_token": token})


def test_refresh_rotates_and_old_token_dies(api, shopper):
    first = _refresh(api, shopper.refresh_token)
    assert first.status_code == 200
    pair = first.json()
    assert pair["refresh_token"] != shopper.refresh_token and pair["user"]["id"] == shopper.user_id
    assert api.get("/api/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"}).status_code == 200
    assert_error(_refresh(api, shopper.refresh_token), 401, "invalid_refresh_token")


def test_reusing_a_rotated_token_revokes_the_family(api, shopper):
    second = _refresh(api, shopper.refresh_token).json()["refresh_token"]
    third = _refresh(api, second).json()["refresh_token"]
    # the stolen first token comes back: the whole family ends, including the newest token
    assert_error(_refresh(api, shopper.refresh_token), 401, "invalid_refresh_token")
    assert_error(_refresh(api, third), 401, "invalid_refresh_token")


def test_reuse_does_not_touch_other_sessions(api, shopper):
    other_session = api.login(shopper.email, shopper.password).json()["refresh_token"]
    _refresh(api, shopper.refresh_token)
    assert_error(_refresh(api, shopper.refresh_token), 401)  # reuse: first family revoked
    assert _refresh(api, other_session).status_code == 200


def test_logout_revokes_the_refresh_token(api, shopper):
    response = api.post("/api/auth/logout", shopper, json={"refresh_token": shopper.refresh_token})
    assert response.status_code == 204 and response.content == b""
    assert_error(_refresh(api, shopper.refresh_token), 401, "invalid_refresh_token")


def test_logout_requires_authentication(api, shopper):
    assert_error(api.post("/api/auth/logout", json={"refresh_token": shopper.refresh_token}), 401)
    assert _refresh(api, shopper.refresh_token).status_code == 200  # untouched


def test_logout_cannot_revoke_someone_elses_token(api, shopper, seller):
    response = api.post("/api/auth/logout", shopper, json={"refresh_token": seller.refresh_token})
    assert response.status_code == 204  # no oracle
    assert _refresh(api, seller.refresh_token).status_code == 200


@pytest.mark.parametrize("token", ["x" * 10, "not-a-token-at-all", "a" * 512])
def test_refresh_with_unknown_token(api, token):
    assert_error(_refresh(api, token), 401, "invalid_refresh_token")


def test_refresh_validation(api):
    assert_error(api.post("/api/auth/refresh", json={}), 422)
    assert_error(api.post("/api/auth/refresh", json={"refresh_token": "x" * 10, "user_id": "y"}), 422)


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
