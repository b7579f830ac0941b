"""The session cookie at the Lambda boundary (API Gateway HTTP API payload v2): the request's `cookies`
list in, the response's `cookies` list out, exactly as API Gateway turns them into `Set-Cookie` lines."""

from __future__ import annotations

import uuid

import pytest

from local.apigw import http_event, match_route
from tests.handlers.helpers import assert_error

COOKIE = "__Secure-sg_refresh"
CSRF = {"x-smartgrocer-csrf": "1"}


def _attributes(ttl: int) -> str:
    return f"Path=/api/auth; Max-Age={ttl}; HttpOnly; Secure; SameSite=Strict"


def _token(response) -> str:
    (cookie,) = response["cookies"]
    name, _, rest = cookie.partition("=")
    assert name == COOKIE
    return rest.split(";")[0]


def _refresh(raw_invoke, token: str | None, **headers):
    cookie = {"cookie": f"theme=dark; {COOKIE}={token}"} if token is not None else {}
    return raw_invoke("POST", "/api/auth/refresh", headers={**CSRF, **cookie, **headers})


def _login(raw_invoke, account):
    body = {"email": account.email, "password": account.password}
    return raw_invoke("POST", "/api/auth/login", body=body, source_ip=f"198.51.100.{uuid.uuid4().int % 250}")


def test_the_cookie_header_becomes_the_events_cookies_list():
    route, params, _ = match_route("POST", "/api/auth/refresh")
    event = http_event(route, "POST", "/api/auth/refresh", params, headers={"Cookie": "a=1; b=2;  c=x=y"})
    assert event["cookies"] == ["a=1", "b=2", "c=x=y"] and "cookie" not in event["headers"]
    assert "cookies" not in http_event(route, "POST", "/api/auth/refresh", params, headers={})


def test_login_sets_the_cookie_and_the_body_has_no_refresh_token(raw_invoke, shopper):
    from smartgrocer import settings

    response = _login(raw_invoke, shopper)
    assert response["statusCode"] == 200
    token = _token(response)
    assert response["cookies"] == [f"{COOKIE}={token}; {_attributes(settings.REFRESH_TOKEN_TTL)}"]
    assert "refresh_token" not in response["json"] and token not in response["body"]
    assert "set-cookie" not in response["hdrs"]  # payload v2: cookies travel in their own list


def test_refresh_by_cookie_rotates_it(raw_invoke, shopper):
    response = _refresh(raw_invoke, shopper.refresh_token)
    assert response["statusCode"] == 200, response["body"]
    rotated = _token(response)
    assert rotated != shopper.refresh_token and response["json"]["user"]["id"] == shopper.user_id
    assert _refresh(raw_invoke, rotated)["statusCode"] == 200


@pytest.mark.parametrize("cookie", [None, "", "x" * 600], ids=["none", "empty", "oversized"])
def test_missing_or_unusable_cookie_is_401_and_clears_it(raw_invoke, cookie):
    response = _refresh(raw_invoke, cookie)
    assert_error(response, 401, "missing_refresh_token")
    assert response["cookies"] == [f"{COOKIE}=; {_attributes(0)}"]


def test_invalid_cookie_is_401_and_clears_it(raw_invoke):
    response = _refresh(raw_invoke, "not-a-refresh-token-at-all")
    assert_error(response, 401, "invalid_refresh_token")
    assert response["cookies"] == [f"{COOKIE}=; {_attributes(0)}"]


def test_missing_csrf_header_is_403_before_the_cookie_is_used(raw_invoke, shopper):
    response = raw_invoke("POST", "/api/auth/refresh", headers={"cookie": f"{COOKIE}={shopper.refresh_token}"})
    error = assert_error(response, 403, "csrf_failed")
    assert "X-SmartGrocer-CSRF: 1" in error["message"]
    assert not response.get("cookies")
    assert _refresh(raw_invoke, shopper.refresh_token)["statusCode"] == 200  # not consumed


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "https://evil.example"},
        {"origin": "https://shop.example.com", "host": "shop.example.com.evil.example"},
        {"origin": "http://shop.example.com", "host": "shop.example.com"},  # plain http only on loopback
    ],
)
def test_cross_site_requests_are_403(raw_invoke, shopper, headers):
    assert_error(_refresh(raw_invoke, shopper.refresh_token, **headers), 403, "csrf_failed")


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "same-origin", "origin": "https://shop.example.com", "host": "shop.example.com"},
        # Behind CloudFront, Host is API Gateway's; the viewer function passes on the viewer's host.
        {
            "origin": "https://shop.example.com",
            "host": "abc123.execute-api.eu-west-1.amazonaws.com",
            "x-smartgrocer-site-host": "shop.example.com",
        },
        {"sec-fetch-site": "none"},
    ],
)
def test_same_origin_requests_pass(raw_invoke, shopper, headers):
    assert _refresh(raw_invoke, shopper.refresh_token, **headers)["statusCode"] == 200


def test_configured_site_url_wins(raw_invoke, shopper, monkeypatch):
    from smartgrocer import settings

    monkeypatch.setattr(settings, "SITE_URL", "https://shop.example.com")
    site = {"host": "shop.example.com"}
    assert_error(_refresh(raw_invoke, shopper.refresh_token, origin="https://other.example", **site), 403)
    assert _refresh(raw_invoke, shopper.refresh_token, origin="https://shop.example.com")["statusCode"] == 200


def test_logout_revokes_the_family_and_clears_the_cookie(raw_invoke, shopper):
    rotated = _token(_refresh(raw_invoke, shopper.refresh_token))
    response = raw_invoke("POST", "/api/auth/logout", headers={**CSRF, "cookie": f"{COOKIE}={rotated}"})
    assert response["statusCode"] == 204 and response["cookies"] == [f"{COOKIE}=; {_attributes(0)}"]
    assert_error(_refresh(raw_invoke, rotated), 401, "invalid_refresh_token")
    assert_error(_refresh(raw_invoke, shopper.refresh_token), 401, "invalid_refresh_token")


def test_reuse_detection_revokes_the_family_and_clears_the_cookie(raw_invoke, shopper):
    rotated = _token(_refresh(raw_invoke, _token(_refresh(raw_invoke, shopper.refresh_token))))
    reused = _refresh(raw_invoke, shopper.refresh_token)  # its successor was used: this is a copy
    assert_error(reused, 401, "invalid_refresh_token")
    assert reused["cookies"] == [f"{COOKIE}=; {_attributes(0)}"]
    assert_error(_refresh(raw_invoke, rotated), 401, "invalid_refresh_token")  # the family is gone


def test_a_body_is_still_size_checked(raw_invoke, shopper):
    from smartgrocer import settings

    oversized = "{" + " " * (settings.MAX_BODY_BYTES + 1) + "}"
    headers = {**CSRF, "cookie": f"{COOKIE}={shopper.refresh_token}"}
    assert_error(raw_invoke("POST", "/api/auth/refresh", headers=headers, raw_body=oversized), 413)
