"""The committed openapi.json is generated from the handlers and covers the whole route table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartgrocer.routes import ROUTES

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "openapi.json"


@pytest.fixture(scope="module")
def rendered() -> str:
    from local.openapi import render

    return render()


@pytest.fixture(scope="module")
def document(rendered) -> dict:
    return json.loads(rendered)


def test_committed_document_is_up_to_date(rendered):
    assert COMMITTED.is_file(), "openapi.json is missing: run `make openapi`"
    assert COMMITTED.read_text() == rendered, "openapi.json is stale: run `make openapi` and commit the result"


def test_generation_is_deterministic(rendered):
    from local.openapi import render

    assert render() == rendered


def _operation(document, route):
    return document["paths"].get(route.path, {}).get(route.method.lower())


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_route_is_documented_with_its_method(document, route):
    operation = _operation(document, route)
    assert operation is not None, f"{route.method} {route.path} ({route.name}) is not in openapi.json"
    assert operation["operationId"] == route.name
    assert operation.get("summary") == route.summary


def test_no_undeclared_operations(document):
    declared = {(r.path, r.method.lower()) for r in ROUTES}
    documented = {
        (p, m) for p, ops in document["paths"].items() for m in ops if m in {"get", "post", "put", "patch", "delete"}
    }
    assert documented == declared


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_security_matches_roles(document, route):
    operation = _operation(document, route)
    assert operation is not None, route.name
    if route.session_cookie:
        assert operation.get("security") == [{"sessionCookie": []}], f"{route.name} does not declare the cookie"
        assert "401" in operation["responses"] and "403" in operation["responses"]
        csrf = [p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "x-smartgrocer-csrf"]
        assert csrf and csrf[0]["required"] and csrf[0]["schema"]["const"] == "1", f"{route.name}: no CSRF header"
        cookie = document["components"]["securitySchemes"]["sessionCookie"]
        assert (cookie["type"], cookie["in"], cookie["name"]) == ("apiKey", "cookie", "__Secure-sg_refresh")
    elif route.is_public:
        assert not operation.get("security"), f"{route.name} is public but declares security"
    else:
        assert operation.get("security") == [{"bearerAuth": []}], f"{route.name} does not declare bearerAuth"
        assert "401" in operation["responses"] and "403" in operation["responses"]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_responses_are_documented_sensibly(document, route):
    operation = _operation(document, route)
    assert operation is not None, route.name
    responses = operation["responses"]
    successes = [code for code in responses if code.startswith("2")]
    assert successes, f"{route.name}: no success response documented ({sorted(responses)})"
    for code, spec in responses.items():
        if code[0] in "45" and code != "422":
            schema = spec.get("content", {}).get("application/json", {}).get("schema", {})
            assert schema.get("$ref") == "#/components/schemas/ErrorResponse", (
                f"{route.name}: {code} is not documented as the error shape but as {schema}"
            )
    assert "503" in responses


def test_error_schema_is_present(document):
    schema = document["components"]["schemas"]["ErrorResponse"]
    assert schema["properties"]["error"]


def test_order_states_are_those_of_authorise_then_capture(document):
    schemas = document["components"]["schemas"]
    properties = schemas["OrderOut"]["properties"]
    assert "confirmed" in properties["status"]["enum"] and "paid" not in properties["status"]["enum"]
    assert set(properties["payment_status"]["enum"]) == {
        "unpaid",
        "authorized",
        "captured",
        "partially_refunded",
        "refunded",
        "voided",
        "failed",
    }


def test_packing_documents_its_failures_and_a_closed_body(document):
    operation = document["paths"]["/api/orders/{id}/pack"]["post"]
    assert {"200", "403", "404", "409", "413", "422"} <= set(operation["responses"])
    assert operation["requestBody"]["required"] is True
    schemas = document["components"]["schemas"]
    request, line = schemas["PackRequest"], schemas["PackLine"]
    assert request["required"] == ["lines"] and request["additionalProperties"] is False
    assert (request["properties"]["lines"]["minItems"], request["properties"]["lines"]["maxItems"]) == (1, 50)
    assert line["required"] == ["line_id"] and line["additionalProperties"] is False
