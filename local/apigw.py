"""API Gateway HTTP API (payload v2) emulation: route matching from the route table, and the events
and context Lambda receives. Shared by the local runner and the handler tests."""

from __future__ import annotations

import base64
import importlib.util
import re
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent.parent
LAYER_PATH = ROOT / "layers" / "smartgrocer" / "python"
FUNCTIONS_DIR = ROOT / "functions"
if str(LAYER_PATH) not in sys.path:
    sys.path.insert(0, str(LAYER_PATH))

from smartgrocer.routes import ROUTES, Route  # noqa: E402


def _compile(route: Route) -> re.Pattern:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
    return re.compile(f"^{pattern}$")


# Literal paths win over parameterised ones, as in API Gateway (/api/orders/my-orders vs {id}).
_MATCHERS = sorted(((route, _compile(route)) for route in ROUTES), key=lambda item: "{" in item[0].path)


def match_route(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path parameters, path_exists). path_exists with no route means 405-like (method mismatch)."""
    path_exists = False
    for route, pattern in _MATCHERS:
        found = pattern.match(path)
        if found:
            path_exists = True
            if route.method == method:
                return route, found.groupdict(), True
    return None, {}, path_exists


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:local"
    deadline_ms: int = 0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def lambda_context(function_name: str, timeout_s: int = 29) -> LambdaContext:
    return LambdaContext(function_name, str(uuid.uuid4()), deadline_ms=int(time.time() * 1000) + timeout_s * 1000)


def http_event(
    route: Route,
    method: str,
    path: str,
    path_params: dict[str, str],
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    source_ip: str = "127.0.0.1",
) -> dict:
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    # As API Gateway does: the Cookie header leaves `headers` and becomes the `cookies` list, one "name=value"
    # string per cookie.
    cookie_header = headers.pop("cookie", None)
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value  # v2 joins repeats with commas
    event: dict = {
        "version": "2.0",
        "routeKey": f"{route.method} {route.path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": headers.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
        },
        "isBase64Encoded": False,
    }
    cookies = [c.strip() for c in (cookie_header or "").split(";") if c.strip()]
    if cookies:
        event["cookies"] = cookies
    if params:
        event["queryStringParameters"] = params
    if path_params:
        event["pathParameters"] = path_params
    if body:
        raw = body.encode() if isinstance(body, str) else body
        try:
            event["body"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    return event


_handlers: dict[str, object] = {}


def load_handler(function_name: str):
    """A function's handler module, imported once per process, as a warm Lambda container keeps it."""
    module = _handlers.get(function_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(
            f"functions.{function_name}.handler", FUNCTIONS_DIR / function_name / "handler.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _handlers[function_name] = module
    return module


def decode_body(response: dict) -> bytes:
    body = response.get("body") or ""
    return base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
