"""Signup and login through the handlers: validation, hashing limits, the per-IP login limiter."""

from __future__ import annotations

import uuid

import pytest

from tests.handlers.helpers import assert_error
from tests.support import within_one_window


def _email(prefix="h"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def _signup(raw_invoke, **fields):
    body = {"email": _email(), "password": "correct-horse-1", "full_name": "Handler Test", **fields}
    return raw_invoke("POST", "/api/auth/signup", body=body)


def test_signup_returns_tokens_and_public_user(raw_invoke):
    response = _signup(raw_invoke, is_seller=True, phone="+1 555 0100")
    assert response["statusCode"] == 201
    body = response["json"]
    assert set(body) == {"user", "access_token", "token_type", "expires_in"}  # the refresh token is in the cookie
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    assert body["user"]["role"] == "seller" and body["user"]["phone"] == "+1 555 0100"
    assert "password_hash" not in body["user"] and "password" not in body["user"]


@pytest.mark.parametrize(
    "phone, words", [("12345", "between 7 and 15 digits"), ("555-CALL-NOW", "digits, spaces, brackets or dashes")]
)
def test_signup_checks_the_phone_as_the_profile_does(raw_invoke, phone, words):
    # One rule everywhere: a phone signup accepted was once refused later by the profile and address book.
    error = assert_error(_signup(raw_invoke, phone=phone), 422, "validation_error")
    assert [d["loc"][-1] for d in error["details"]] == ["phone"] and words in error["details"][0]["msg"]


def test_signup_tidies_the_phone_as_the_profile_does(raw_invoke):
    assert _signup(raw_invoke, phone="  +44  20 7946  0000 ")["json"]["user"]["phone"] == "+44 20 7946 0000"


@pytest.mark.parametrize("password", ["€" * 25, "🍎" * 19, "é" * 37])
def test_multibyte_password_over_72_bytes_is_422_not_500(raw_invoke, password):
    assert len(password) < 72 < len(password.encode())
    error = assert_error(_signup(raw_invoke, password=password), 422, "validation_error")
    assert any(d["loc"][-1] == "password" for d in error["details"])


def test_72_byte_multibyte_password_works_end_to_end(raw_invoke):
    password, email = "🍎" * 18, _email()
    assert _signup(raw_invoke, email=email, password=password)["statusCode"] == 201
    ok = raw_invoke(
        "POST",
        "/api/auth/login",
        body={"email": email, "password": password},
        source_ip=f"198.51.100.{uuid.uuid4().int % 250}",
    )
    assert ok["statusCode"] == 200
    # bcrypt must not have been fed a truncated secret: a different 72-byte password fails
    bad = raw_invoke(
        "POST",
        "/api/auth/login",
        body={"email": email, "password": "🍎" * 17 + "🍐"},
        source_ip=f"198.51.100.{uuid.uuid4().int % 250}",
    )
    assert_error(bad, 401, "invalid_credentials")


def test_login_with_overlong_password_is_401_not_500(raw_invoke, shopper):
    response = raw_invoke(
        "POST", "/api/auth/login", body={"email": shopper.email, "password": "x" * 500}, source_ip="192.0.2.77"
    )
    assert_error(response, 401, "invalid_credentials")


@pytest.mark.parametrize("extra", [{"role": "admin"}, {"is_admin": True}, {"is_active": True}])
def test_signup_mass_assignment_is_422(raw_invoke, extra):
    error = assert_error(_signup(raw_invoke, **extra), 422, "validation_error")
    assert error["details"][0]["loc"][-1] == next(iter(extra))


def test_login_ip_limit_is_four_times_the_email_limit(raw_invoke, shopper):
    """Spread failures over many emails from one IP: the IP is blocked after LOGIN_IP_MAX_FAILURES."""
    from smartgrocer import settings

    limit = settings.LOGIN_IP_MAX_FAILURES

    def attempt():
        ip = f"203.0.113.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"  # unique per run; never a real IP
        failures = [
            raw_invoke(
                "POST", "/api/auth/login", body={"email": _email("nobody"), "password": "wrong-password"}, source_ip=ip
            )
            for _attempt in range(limit)
        ]
        login = {"email": shopper.email, "password": shopper.password}
        return ip, failures, raw_invoke("POST", "/api/auth/login", body=login, source_ip=ip)

    ip, failures, blocked = within_one_window(settings.LOGIN_WINDOW_SECONDS, attempt)
    for response in failures:
        assert_error(response, 401, "invalid_credentials")
    assert_error(blocked, 429, "rate_limited")
    assert 1 <= int(blocked["hdrs"]["retry-after"]) <= settings.LOGIN_WINDOW_SECONDS
    # the same account from another address is unaffected
    other = raw_invoke(
        "POST", "/api/auth/login", body={"email": shopper.email, "password": shopper.password}, source_ip=ip + "-other"
    )
    assert other["statusCode"] == 200
