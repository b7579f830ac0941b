"""Access-token checks through the real `lambda_handler`s: every forged or broken token is a 401 with the
error shape, roles come from the database (never from the token), and the success path works."""

from __future__ import annotations

import time

import pytest

from tests.handlers.helpers import assert_error

PROTECTED = [("GET", "/api/auth/me"), ("POST", "/api/products")]


def test_valid_forged_token_is_accepted_so_the_forgery_helper_is_sound(raw_invoke, forge, shopper):
    response = raw_invoke("GET", "/api/auth/me", token=forge(shopper.user_id))
    assert response["statusCode"] == 200
    assert response["json"]["id"] == shopper.user_id


@pytest.mark.parametrize("method, path", PROTECTED)
def test_missing_authorization_header(raw_invoke, method, path):
    error = assert_error(raw_invoke(method, path, body={}), 401, "missing_token")
    assert "Bearer" in error["message"]


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer"])
def test_malformed_authorization_header(raw_invoke, header):
    response = raw_invoke("GET", "/api/auth/me", headers={"authorization": header})
    assert_error(response, 401)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "x" * 2000, "é.ü.ö"])
def test_garbage_token(raw_invoke, token):
    assert_error(raw_invoke("GET", "/api/auth/me", token=token), 401, "invalid_token")


def _case(name):
    return pytest.param(name, id=name)


@pytest.mark.parametrize(
    "case",
    [
        _case("alg_none"),
        _case("wrong_key"),
        _case("expired"),
        _case("missing_exp"),
        _case("missing_iat"),
        _case("missing_sub"),
        _case("missing_iss"),
        _case("missing_aud"),
        _case("wrong_aud"),
        _case("wrong_iss"),
        _case("typ_refresh"),
        _case("typ_missing"),
        _case("hs512"),
        _case("future_iat_only_exp_in_past"),
    ],
)
def test_forged_or_broken_tokens_are_401(raw_invoke, forge, shopper, case):
    uid, now = shopper.user_id, int(time.time())
    token = {
        "alg_none": lambda: forge(uid, alg="none"),
        "wrong_key": lambda: forge(uid, key="not-the-key-" + "x" * 40),
        "expired": lambda: forge(uid, iat=now - 3600, exp=now - 60),  # beyond the 5 s leeway
        "missing_exp": lambda: forge(uid, drop=("exp",)),
        "missing_iat": lambda: forge(uid, drop=("iat",)),
        "missing_sub": lambda: forge(uid, drop=("sub",)),
        "missing_iss": lambda: forge(uid, drop=("iss",)),
        "missing_aud": lambda: forge(uid, drop=("aud",)),
        "wrong_aud": lambda: forge(uid, aud="another-api"),
        "wrong_iss": lambda: forge(uid, iss="https://evil.example"),
        "typ_refresh": lambda: forge(uid, typ="refresh"),
        "typ_missing": lambda: forge(uid, drop=("typ",)),
        "hs512": lambda: forge(uid, alg="HS512"),  # right key, algorithm not allowed
        "future_iat_only_exp_in_past": lambda: forge(uid, exp=now - 30),
    }[case]()
    error = assert_error(raw_invoke("GET", "/api/auth/me", token=token), 401, "invalid_token")
    assert "password" not in error["message"].lower()


def test_refresh_token_is_not_an_access_token(raw_invoke, shopper):
    assert_error(raw_invoke("GET", "/api/auth/me", token=shopper.refresh_token), 401, "invalid_token")


def test_access_token_is_not_a_refresh_token(raw_invoke, shopper):
    headers = {"x-smartgrocer-csrf": "1", "cookie": f"__Secure-sg_refresh={shopper.access_token}"}
    response = raw_invoke("POST", "/api/auth/refresh", headers=headers)
    assert_error(response, 401, "invalid_refresh_token")


def test_token_for_unknown_user_is_401(raw_invoke, forge):
    assert_error(raw_invoke("GET", "/api/auth/me", token=forge("0" * 24)), 401, "inactive_account")


def test_role_claim_is_not_trusted(raw_invoke, forge, shopper):
    # A validly signed token claiming "seller" for a shopper must not open seller routes: roles come from the DB.
    token = forge(shopper.user_id, role="seller")
    body = {"name": "Forged", "price": "1.00", "category": "pantry", "stock": 1}
    assert_error(raw_invoke("POST", "/api/products", body=body, token=token), 403, "wrong_role")
    assert raw_invoke("GET", "/api/auth/me", token=forge(shopper.user_id, role="admin"))["json"]["role"] == "shopper"


def test_wrong_role_is_403_not_401(raw_invoke, shopper):
    body = {"name": "X", "price": "1.00", "category": "pantry", "stock": 1}
    assert_error(raw_invoke("POST", "/api/products", body=body, token=shopper.access_token), 403, "wrong_role")


def test_auth_errors_carry_security_headers(raw_invoke):
    response = raw_invoke("GET", "/api/auth/me")
    assert response["hdrs"].get("cache-control") == "no-store"
    assert response["hdrs"].get("x-content-type-options") == "nosniff"


def test_me_has_no_password_hash(raw_invoke, shopper):
    body = raw_invoke("GET", "/api/auth/me", token=shopper.access_token)["json"]
    assert set(body) == {"id", "email", "full_name", "phone", "role", "is_active", "created_at"}
    assert body["email"] == shopper.email and body["role"] == "shopper" and body["is_active"] is True
