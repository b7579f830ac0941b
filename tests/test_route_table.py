"""The route table, the function folders, the handlers and the local runner must agree (DESIGN §2).

Strict on purpose: a route without a folder, a folder without a route, or a handler registering another
method/path than its table entry all fail here."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter

import pytest

from local.apigw import FUNCTIONS_DIR, http_event, lambda_context, match_route
from smartgrocer.routes import BACKGROUND_FUNCTIONS, FUNCTION_NAMES, ROUTES, ROUTES_BY_NAME

ROUTE_NAMES = [r.name for r in ROUTES]
BACKGROUND_NAMES = [b.name for b in BACKGROUND_FUNCTIONS]
_modules: dict[str, object] = {}


def _handler(name: str):
    if name not in _modules:
        path = FUNCTIONS_DIR / name / "handler.py"
        assert path.is_file(), f"functions/{name}/handler.py is missing"
        spec = importlib.util.spec_from_file_location(f"route_table_check.{name}.handler", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules[name] = module
    return _modules[name]


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"sample-{m.group(1)}-123", path)


def test_table_is_well_formed():
    assert len(set(FUNCTION_NAMES)) == len(FUNCTION_NAMES), Counter(FUNCTION_NAMES).most_common(3)
    keys = Counter((r.method, r.path) for r in ROUTES)
    assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    for route in ROUTES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", route.name), route.name
        assert route.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}, route
        assert route.path.startswith("/api/") or route.path == "/api", route
        assert route.roles is None or (route.roles and route.roles <= {"shopper", "seller", "admin"}), route
        assert route.summary, f"{route.name} has no summary"
    assert set(ROUTES_BY_NAME) == set(ROUTE_NAMES)


def test_function_folders_match_the_table_exactly():
    folders = {p.name for p in FUNCTIONS_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))}
    expected = set(ROUTE_NAMES) | set(BACKGROUND_NAMES)
    missing, extra = sorted(expected - folders), sorted(folders - expected)
    assert not missing and not extra, f"folders missing for {missing}; folders not in the route table: {extra}"
    without_handler = sorted(n for n in folders if not (FUNCTIONS_DIR / n / "handler.py").is_file())
    assert not without_handler, f"no handler.py in {without_handler}"


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_handler_registers_exactly_its_route(name):
    route = ROUTES_BY_NAME[name]
    module = _handler(name)
    app = module.app
    assert callable(module.lambda_handler), f"{name}: no lambda_handler"
    assert getattr(app, "entry", None) is route, f"{name}: resolver built for {getattr(app, 'entry', None)}"
    registered = [(r.method, r.openapi_path) for r in app._static_routes + app._dynamic_routes]
    assert registered == [(route.method, route.path)], (
        f"{name} registers {registered}, table says {route.method} {route.path}"
    )
    (powertools_route,) = app._static_routes + app._dynamic_routes
    assert powertools_route.operation_id == name
    if route.session_cookie:  # authenticated by the session cookie, whatever the roles say
        assert powertools_route.security == [{"sessionCookie": []}], f"{name}: the cookie scheme is not declared"
    else:
        assert (powertools_route.security is None) == route.is_public, f"{name}: security does not match roles"


@pytest.mark.parametrize("name", BACKGROUND_NAMES)
def test_background_function_has_a_handler(name):
    assert callable(_handler(name).lambda_handler), f"{name}: no lambda_handler"


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_local_runner_resolves_every_route(name):
    route = ROUTES_BY_NAME[name]
    path = _concrete(route.path)
    matched, params, exists = match_route(route.method, path)
    assert matched is route, f"{route.method} {path} resolved to {matched and matched.name}"
    assert exists and params == {k: f"sample-{k}-123" for k in re.findall(r"\{(\w+)\}", route.path)}
    event = http_event(route, route.method, path, params)
    assert event["routeKey"] == f"{route.method} {route.path}" and event["rawPath"] == path


def test_literal_segments_beat_parameters():
    route, params, _ = match_route("GET", "/api/orders/my-orders")
    assert route is not None and route.name == "orders_mine" and params == {}
    route, params, _ = match_route("GET", "/api/orders/abc123")
    assert route is not None and route.name == "orders_get" and params == {"id": "abc123"}
    # generally: no literal path of the table is shadowed by a parameterised one
    for literal in (r for r in ROUTES if "{" not in r.path):
        assert match_route(literal.method, literal.path)[0] is literal, literal.name


def test_packing_is_a_seller_or_admin_post_on_an_order():
    from smartgrocer.routes import Access

    route = ROUTES_BY_NAME["orders_pack"]
    assert (route.method, route.path, route.roles) == ("POST", "/api/orders/{id}/pack", frozenset({"seller", "admin"}))
    assert {Access.PAYMENTS, Access.EVENTS} <= route.access  # the last packing captures, and says so
    matched, params, _ = match_route("POST", "/api/orders/abc123/pack")
    assert matched is route and params == {"id": "abc123"}
    assert match_route("GET", "/api/orders/abc123/pack")[0] is None


def test_runner_rejects_unknown_paths_and_methods():
    assert match_route("GET", "/api/unknown") == (None, {}, False)
    route, _, exists = match_route("DELETE", "/api/products")
    assert route is None and exists  # path known, method not: API Gateway answers it itself
    assert match_route("GET", "/api/products/a/b")[0] is None  # a parameter never spans segments
    assert match_route("GET", "/api/products/")[0] is None


@pytest.mark.parametrize("name", [r.name for r in ROUTES if not r.is_public])
def test_every_protected_handler_refuses_anonymous_callers(name, monkeypatch):
    """The roles in the table really guard the handler: no token -> 401 before any validation or DB work."""
    route = ROUTES_BY_NAME[name]
    path = _concrete(route.path)
    _, params, _ = match_route(route.method, path)
    event = http_event(
        route,
        route.method,
        path,
        params,
        headers={"content-type": "application/json"},
        body="{}" if route.method in {"POST", "PUT", "PATCH"} else None,
    )
    response = _handler(name).lambda_handler(event, lambda_context(name))
    assert response["statusCode"] == 401, (name, response.get("body"))
    assert json.loads(response["body"])["error"]["code"] == "missing_token"
