"""The refresh token travels only in an HttpOnly cookie, never in a JSON body.

Script in the page (an injected one included) can neither read it (`HttpOnly`) nor send it anywhere but
our own `/api/auth/*` (`Path`, `SameSite=Strict`, `Secure`; the `__Secure-` prefix makes browsers refuse
it unless it carries `Secure`). API Gateway (payload v2) hands the request's cookies to the function as
the event's `cookies` list and turns the response's `cookies` into `Set-Cookie` headers.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from smartgrocer import settings
from smartgrocer.errors import Unauthorized
from smartgrocer.routes import SESSION_COOKIE_NAME as COOKIE_NAME
from smartgrocer.routes import SESSION_COOKIE_PATH as COOKIE_PATH
MAX_TOKEN_LENGTH = 512


def refresh_cookie(token: str) -> Cookie:
    return Cookie(
        name=COOKIE_NAME,
        value=token,
        path=COOKIE_PATH,
        secure=True,
        http_only=True,
        max_age=settings.REFRESH_TOKEN_TTL,
        same_site=SameSite.STRICT_MODE,
    )


def cleared_cookie() -> Cookie:
    """Same name, path and attributes, empty and already expired: the browser drops its copy."""
    return Cookie(
        name=COOKIE_NAME,
        value="",
        path=COOKIE_PATH,
        secure=True,
        http_only=True,
        max_age=0,
        same_site=SameSite.STRICT_MODE,
    )


def cookie_documented(description: str, *, sets: bool = True) -> dict:
    """The OpenAPI entry of an answer that sets (or clears) the session cookie."""
    what = "The session cookie with the new refresh token" if sets else "The session cookie, cleared"
    entry: dict = {
        "description": description,
        "headers": {
            "Set-Cookie": {
                "description": f"{what}: `{COOKIE_NAME}=...; Path={COOKIE_PATH}; Max-Age=...; HttpOnly; Secure; SameSite=Strict`",
                "schema": {"type": "string"},
            }
        },
    }
    if not sets:
        entry["content"] = {}
    return entry


def signed_in(tokens: dict, status_code: int = 200) -> Response:
    """The JSON answer without the refresh token, which goes into the cookie instead."""
    body = {key: value for key, value in tokens.items() if key != "refresh_token"}
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        cookies=[refresh_cookie(tokens["refresh_token"])],
    )


def signed_out() -> Response:
    return Response(status_code=204, body="", headers={"Cache-Control": "no-store"}, cookies=[cleared_cookie()])


def presented_token_or_none(event: APIGatewayProxyEventV2) -> str | None:
    """The refresh token of the request's cookie, if it has one that could be one."""
    for cookie in event.cookies or []:
        name, _, value = cookie.partition("=")
        value = value.strip()
        # Browsers send the most specific path first; an empty value is a cleared cookie.
        if name.strip() == COOKIE_NAME and value:
            return value if len(value) <= MAX_TOKEN_LENGTH else None
    return None


def presented_token(event: APIGatewayProxyEventV2) -> str:
    """The refresh token of the request's cookie (401 when there is none)."""
    token = presented_token_or_none(event)
    if token is not None:
        return token
    raise Unauthorized("Sign in to continue: the session cookie is missing or expired.", code="missing_refresh_token")
