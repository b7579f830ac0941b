"""Handler-tier helpers: raw v2 events (custom source IP, base64 bodies) and forged JWTs."""

from __future__ import annotations

import base64
import json
import time

import pytest

from local.apigw import load_handler


@pytest.fixture
def raw_invoke(runtime):
    """Like `invoke`, but with the source IP and the raw event under the test's control."""
    from local.apigw import decode_body, http_event, lambda_context, match_route

    def call(
        method: str,
        path: str,
        body=None,
        token: str | None = None,
        query: str = "",
        headers: dict | None = None,
        raw_body: str | bytes | None = None,
        source_ip: str = "127.0.0.1",
        mutate=None,
    ):
        route, params, _ = match_route(method, path)
        assert route is not None, f"no route for {method} {path}"
        all_headers = {"content-type": "application/json", **(headers or {})}
        if token is not None:
            all_headers["authorization"] = f"Bearer {token}"
        payload = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        event = http_event(route, method, path, params, query, all_headers, payload, source_ip)
        if mutate:
            mutate(event)
        response = load_handler(route.name).lambda_handler(event, lambda_context(route.name))
        raw = decode_body(response)
        try:
            response["json"] = json.loads(raw) if raw else None
        except ValueError:
            response["json"] = None
        response["hdrs"] = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        return response

    return call


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.fixture
def forge(runtime):
    """Build access tokens with any claims, key and algorithm (the runner's key by default)."""
    import jwt

    from smartgrocer import settings

    def make(
        sub: str, *, role: str = "shopper", key: str | None = None, alg: str = "HS256", drop=(), **overrides
    ) -> str:
        now = int(time.time())
        claims = {
            "sub": sub,
            "role": role,
            "typ": "access",
            "iat": now,
            "exp": now + 600,
            "iss": settings.JWT_ISSUER,
            "aud": settings.JWT_AUDIENCE,
            **overrides,
        }
        for name in drop:
            claims.pop(name, None)
        if alg == "none":
            header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return f"{header}.{_b64(json.dumps(claims).encode())}."
        return jwt.encode(claims, key if key is not None else runtime.env["JWT_SECRET"], algorithm=alg)

    return make
