"""One resolver per function, built from its route-table entry.

`api_function("products_get")` returns a Powertools resolver that already knows its method, path,
who may call it, the body-size limit and how every error becomes an HTTP response. Handlers add one
`@app.endpoint` function and nothing else.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (RequestUnsupportedContentType,
                                                                    RequestValidationError)

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from smartgrocer import settings, wiring  # noqa: F401  (wiring: adapters for the domain's ports)
from smartgrocer.domain import metrics as business_metrics
from smartgrocer.errors import AppError, BadRequest, PayloadTooLarge, Unavailable
from smartgrocer.routes import ROUTES_BY_NAME, Access, Route
from smartgrocer.web import csrf, origin, session, snapstart
from smartgrocer.web.logging import logger
from smartgrocer.web.observability import observed

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_JSON_DEPTH = 32  # our bodies nest 3 levels; Python's parser dies with RecursionError (a 500) near 1000
_JSON_TOKENS = re.compile(r'\\.|["\[\]{}]', re.DOTALL)  # escapes, quotes, brackets: one linear pass
# Refusals that are business signals: (error code, function or "*") -> counter (EMF, namespace SmartGrocer).
ERROR_METRICS = {
    ("out_of_stock", "*"): business_metrics.STOCK_CONFLICTS,
    ("rate_limited", "auth_login"): business_metrics.LOGIN_LOCKOUTS,
}
STATUS_DESCRIPTIONS = {
    400: "Malformed request", 401: "Missing or invalid token", 403: "Role not allowed",
    404: "Not found (or not yours)", 409: "Conflict", 413: "Body too large",
    415: "The body must be JSON (Content-Type: application/json)", 422: "Invalid input",
    429: "Rate limited (see Retry-After)", 503: "Dependency unavailable (see Retry-After)",
}


def error_response(status: int, code: str, message: str, details: Any = None,
                   retry_after: int | None = None) -> Response:
    headers = dict(SECURITY_HEADERS)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = {"error": {"code": code, "message": message, "details": details}}
    return Response(status_code=status, content_type="application/json", body=json.dumps(body, default=str),
                    headers=headers)


def _validation_details(errors: Any) -> list[dict[str, Any]]:
    from smartgrocer.web.messages import plain_message

    return [{"loc": list(e.get("loc", ())), "msg": plain_message(e), "type": e.get("type", "")} for e in errors]


def _is_database_outage(exc: Exception) -> bool:
    # pymongo is imported by the repositories already; look it up rather than import it here.
    import sys

    errors = sys.modules.get("pymongo.errors")
    return bool(errors) and isinstance(exc, (errors.ConnectionFailure, errors.ServerSelectionTimeoutError))


class ApiFunction(APIGatewayHttpResolver):
    """A resolver bound to one route of the table."""

    def __init__(self, route: Route):
        super().__init__(enable_validation=True)
        self.entry = route
        self.query_names: frozenset[str] = frozenset()  # what the endpoint declares; anything else is a 400
        self.exception_handler(AppError)(self._app_error)
        self.exception_handler(RequestValidationError)(self._validation_error)
        self.exception_handler(RequestUnsupportedContentType)(self._unsupported_media_type)
        self.exception_handler(ServiceError)(self._service_error)
        self.exception_handler(Exception)(self._unexpected)
        self._observed = observed(self._handle, http=True)
        snapstart.install(warm=self.warm)  # once per process: the SnapStart hooks (docs/deploy.md)

    def endpoint(self, func: Callable | None = None, *, status_code: int = 200,
                 responses: dict[int, Any] | None = None):
        """Register the one function of this Lambda under its route's method and path."""
        statuses = {400, 413, 422, 503}
        if not self.entry.is_public or self.entry.session_cookie:
            statuses |= {401, 403}
        if "{" in self.entry.path or self.entry.method in {"PUT", "PATCH", "DELETE"}:
            statuses.add(404)
        if self.entry.method in BODY_METHODS:
            statuses.add(415)
        error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
        documented: dict[int, Any] = {s: {"description": STATUS_DESCRIPTIONS[s], "content": error_content}
                                      for s in sorted(statuses)}
        # With `responses` given, Powertools documents only those: the success status must be listed too
        # (its schema comes from the return annotation; a 204 has no body at all).
        documented[status_code] = {"description": "No content", "content": {}} if status_code == 204 else {
            "description": "Success"}
        for status, extra in (responses or {}).items():
            # A description-only error entry would get the *success* schema from Powertools: errors are ErrorResponse.
            documented[status] = extra if "content" in extra or status < 400 else {**extra, "content": error_content}

        def register(f: Callable) -> Callable:
            self.query_names = _query_names(f)
            return self.route_decorator(f, status_code, documented)

        return register(func) if func else register

    def route_decorator(self, func, status_code, responses):
        security = [{"sessionCookie": []}] if self.entry.session_cookie else (
            None if self.entry.is_public else [{"bearerAuth": []}])
        return self.route(rule=self.entry.resolver_path, method=self.entry.method, summary=self.entry.summary,
                          operation_id=self.entry.name, status_code=status_code, responses=responses,
                          security=security, tags=[self.entry.name.split("_")[0]])(func)

    def warm(self) -> None:
        """Before a SnapStart snapshot: build what the first request would otherwise build, without any
        network: the validation and serialisation models of the endpoint (Powertools makes them on first
        use), and the modules the request path imports lazily (the token check, the database driver, the
        secrets client where secrets come from AWS)."""
        for route in (*self._static_routes, *self._dynamic_routes):
            _ = route.dependant, route.body_field
        if not self.entry.is_public:
            import smartgrocer.domain.auth  # noqa: F401
        if Access.MONGO in self.entry.access:
            import smartgrocer.adapters.mongo  # noqa: F401  (the module only: the client is built after restore)
        if any(key.endswith("_SECRET_ARN") for key in os.environ):
            import aws_lambda_powertools.utilities.parameters  # noqa: F401  (boto3; no client is created)

    def get_openapi_schema(self, **kwargs):
        """Schema generation only (build time): declares the bearer and cookie schemes the routes refer to."""
        from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer

        cookie = APIKey.model_validate({
            "in": APIKeyIn.cookie, "name": session.COOKIE_NAME,
            "description": f"The refresh token, set HttpOnly by login, signup and refresh (Path={session.COOKIE_PATH}); "
                           f"requests that use it must also send `{csrf.HEADER}: {csrf.HEADER_VALUE}`."})
        kwargs.setdefault("security_schemes", {"bearerAuth": HTTPBearer(bearerFormat="JWT"), "sessionCookie": cookie})
        return super().get_openapi_schema(**kwargs)

    def __call__(self, event: dict, context: Any) -> dict:
        return self._observed(event, context)

    def _handle(self, event: dict, context: Any) -> dict:
        """The guards run before Powertools resolves (and validates) anything: the origin check first, the CSRF
        check on routes a cookie authenticates (403 before the cookie is read), then the body's size, type and
        depth (413/415/400 before parsing), then who is calling (401/403 before the schema is revealed). Their refusals are answered here with the same error mapping."""
        request = APIGatewayProxyEventV2(event)
        try:
            origin.verify(request.headers)
            if self.entry.session_cookie:
                csrf.verify(request.headers)
            refused = _guard_query(request, self.query_names) or _guard_body(request)
            if refused is None:
                self.append_context(principal=_principal(self.entry, request))
        except Exception as exc:  # noqa: BLE001 - mapped exactly as the resolver maps it
            refused = self._app_error(exc) if isinstance(exc, AppError) else self._unexpected(exc)
        if refused is not None:
            response = _http_api_response(request, _with_security_headers(refused))
        else:
            response = self.resolve(event, context)
            headers = response.setdefault("headers", {})
            if self.entry.cache_seconds and response["statusCode"] == 200:  # public catalog reads only
                # CloudFront may keep it for a while (s-maxage); browsers revalidate, so a seller sees their edit.
                headers["Cache-Control"] = f"public, max-age=0, s-maxage={self.entry.cache_seconds}"
            for key, value in SECURITY_HEADERS.items():
                headers.setdefault(key, value)
        return response

    # -- error mapping: the one place where failures become HTTP answers --------------------------
    def _app_error(self, exc: AppError) -> Response:
        counter = ERROR_METRICS.get((exc.code, self.entry.name)) or ERROR_METRICS.get((exc.code, "*"))
        if counter:
            business_metrics.count(counter)
        response = error_response(exc.status, exc.code, exc.message, exc.details, exc.retry_after)
        if self.entry.session_cookie and exc.status == 401:
            response.cookies.append(session.cleared_cookie())  # the cookie's session is over: drop it
        return response

    @staticmethod
    def _validation_error(exc: RequestValidationError) -> Response:
        details = _validation_details(exc.errors())
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(400, "malformed_json", "The request body is not valid JSON.", details)
        # The message says what to fix in words (the first few problems); details map each one to its field.
        said = list(dict.fromkeys(d["msg"] for d in details))
        message = " ".join(said[:3]) + (f" ({len(said) - 3} more in details.)" if len(said) > 3 else "")
        return error_response(422, "validation_error", message or "The request is invalid.", details)

    @staticmethod
    def _unsupported_media_type(exc: Exception) -> Response:
        return error_response(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).")

    @staticmethod
    def _service_error(exc: ServiceError) -> Response:
        return error_response(exc.status_code, "not_found" if exc.status_code == 404 else "error", exc.msg)

    @staticmethod
    def _unexpected(exc: Exception) -> Response:
        if _is_database_outage(exc):
            logger.warning("database unavailable: %s", exc)
            return error_response(503, "database_unavailable", "The database is unavailable; try again shortly.",
                                  retry_after=settings.DB_RETRY_AFTER_SECONDS)
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "Something went wrong on our side.")


def _query_names(func: Callable) -> frozenset[str]:
    """The query parameters an endpoint declares: its scalar arguments that are neither path, header nor
    body (Powertools' own rule), by their alias when they have one."""
    import inspect
    import typing

    from aws_lambda_powertools.event_handler.openapi.params import Header, Path
    from pydantic import BaseModel

    names = set()
    for name, hint in typing.get_type_hints(func, include_extras=True).items():
        if name == "return":
            continue
        markers = getattr(hint, "__metadata__", ())
        if any(isinstance(m, (Path, Header)) for m in markers):
            continue
        base = typing.get_args(hint)[0] if markers else hint
        if inspect.isclass(base) and issubclass(base, BaseModel):
            continue  # the body
        alias = next((getattr(m, "alias", None) for m in markers if getattr(m, "alias", None)), None)
        names.add(alias or name)
    return frozenset(names)


def _guard_query(event: APIGatewayProxyEventV2, allowed: frozenset[str]) -> Response | None:
    """A query parameter the endpoint does not know is a mistake the caller should hear about (a typo'd
    filter would otherwise silently list everything)."""
    unknown = sorted(set(event.query_string_parameters or {}) - allowed)
    if not unknown:
        return None
    names = ", ".join(unknown[:5])[:200]
    return error_response(
        400,
        "unknown_parameter",
        f"Unknown query parameter: {names}.",
        [{"loc": ["query", name[:100]], "msg": "not a parameter of this endpoint"} for name in unknown[:5]],
    )


def _guard_body(event: APIGatewayProxyEventV2) -> Response | None:
    """Size (413), JSON-only (415), UTF-8 and nesting depth (400) before anything parses the body."""
    body = event.get("body") or ""
    encoded = bool(event.get("isBase64Encoded"))
    size = len(body) * 3 // 4 if encoded else len(body.encode("utf-8", "surrogatepass"))  # bytes, not characters
    if size > settings.MAX_BODY_BYTES:
        raise PayloadTooLarge(f"Request body exceeds {settings.MAX_BODY_BYTES} bytes.")
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if body and content_type and content_type != "application/json":
        # JSON only: Powertools would also parse form and multipart bodies (or fail with a 500 on others).
        return ApiFunction._unsupported_media_type(None)
    text = body
    if encoded and body:
        try:
            text = event.decoded_body
        except ValueError:
            raise BadRequest("The request body is not valid UTF-8 JSON.", code="malformed_json") from None
    if body and _nesting_depth(text) > MAX_JSON_DEPTH:
        raise BadRequest(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.", code="malformed_json")
    return None


def _nesting_depth(text: str) -> int:
    """How deeply brackets nest outside JSON strings: a linear lexical scan, nothing is parsed (the webhook's
    body must stay unparsed until its signature is verified). It agrees with a JSON parser on every valid
    prefix, which is all the parser would recurse into before failing."""
    depth = deepest = 0
    in_string = False
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif not in_string and token in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                break  # deep enough to refuse: no need to read the rest
        elif not in_string and token in "]}":
            depth -= 1
    return deepest


def _with_security_headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def _principal(route: Route, event: APIGatewayProxyEventV2):
    """The caller, with the route's roles enforced (401/403), before the handler runs."""
    if route.is_public:
        return None
    from smartgrocer.domain.auth import authenticate  # jwt is only imported by authenticated routes

    return authenticate(event.headers.get("authorization"), allowed_roles=route.roles)


def _http_api_response(event: APIGatewayProxyEventV2, response: Response) -> dict:
    """A refusal in the HTTP API (payload v2) shape, as the resolver would build it."""
    return {"statusCode": response.status_code, "body": response.body, "isBase64Encoded": False,
            **event.header_serializer().serialize(headers=response.headers, cookies=response.cookies)}


def api_function(name: str) -> ApiFunction:
    return ApiFunction(ROUTES_BY_NAME[name])


__all__ = ["ApiFunction", "api_function", "error_response", "Unavailable"]
