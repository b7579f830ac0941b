"""The function wrapper's cross-cutting duties: only CloudFront's origin header gets in (checked before
anything else, current and previous value during a rotation), business metrics are counted once from
the one place that knows them and flushed as EMF, and logs carry the request id as correlation id."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.handlers.helpers import assert_error
from tests.handlers.test_orders_handlers import _checkout, _webhook, _webhook_event, authorised_event
from tests.integration.orders_support import basket, db, event_for, intent_for, product

ROTATING = {"current": "cf-origin-new-" + uuid.uuid4().hex, "previous": "cf-origin-old-" + uuid.uuid4().hex}


@pytest.fixture
def origin_secret(monkeypatch):
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", json.dumps(ROTATING))
    return ROTATING


def _from(value: str | None) -> dict:
    return {"x-origin-verify": value} if value is not None else {}


# -- only CloudFront reaches the API -----------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "guessed", ROTATING["current"][:-1], ROTATING["current"] + "x"])
def test_requests_without_the_origin_header_are_403(raw_invoke, origin_secret, header):
    response = raw_invoke("GET", "/api/health", headers=_from(header))
    error = assert_error(response, 403, "forbidden_origin")
    assert error["details"] is None
    assert response["hdrs"]["x-content-type-options"] == "nosniff" and response["hdrs"]["cache-control"] == "no-store"


@pytest.mark.parametrize("which", ["current", "previous"])
def test_current_and_previous_values_pass_during_a_rotation(raw_invoke, origin_secret, which):
    response = raw_invoke("GET", "/api/health", headers=_from(origin_secret[which]))
    assert response["statusCode"] == 200, response["body"]


def test_plain_value_is_accepted_too(raw_invoke, monkeypatch):
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", "just-one-value")
    assert raw_invoke("GET", "/api/health", headers=_from("just-one-value"))["statusCode"] == 200
    assert_error(raw_invoke("GET", "/api/health"), 403, "forbidden_origin")


def test_origin_is_checked_before_size_auth_and_validation(raw_invoke, origin_secret):
    """Nothing about the API (limits, auth, schema) is revealed to a caller that bypassed CloudFront."""
    from smartgrocer import settings

    oversized = raw_invoke("POST", "/api/orders", raw_body="x" * (settings.MAX_BODY_BYTES + 1))
    assert_error(oversized, 403, "forbidden_origin")
    assert_error(raw_invoke("POST", "/api/orders", body={"nope": 1}), 403, "forbidden_origin")
    assert_error(raw_invoke("GET", "/api/auth/me"), 403, "forbidden_origin")
    # with the header, the usual answers come back
    assert_error(raw_invoke("GET", "/api/auth/me", headers=_from(origin_secret["current"])), 401)
    assert_error(
        raw_invoke(
            "POST", "/api/orders", raw_body="x" * (settings.MAX_BODY_BYTES + 1), headers=_from(origin_secret["current"])
        ),
        413,
        "payload_too_large",
    )


def test_stripe_webhook_also_needs_the_origin_header(runtime, invoke, api, seller, shopper, origin_secret):
    """Public in the route table (no token), but Stripe calls the site's URL, so it comes through CloudFront."""
    from local.payment_provider import serialize_event, stripe_signature

    item = product(api, seller, stock=3)
    placed = _checkout(invoke, shopper, basket((item, 1)), headers=_from(origin_secret["current"]))["json"]
    payload = serialize_event(authorised_event(placed["checkout_id"]))
    signature = stripe_signature(payload, runtime.env["STRIPE_WEBHOOK_SECRET"])
    event = _webhook_event(runtime, payload, signature)
    assert_error(_webhook(runtime, event), 403, "forbidden_origin")
    event["headers"]["x-origin-verify"] = origin_secret["previous"]
    response = _webhook(runtime, event)
    assert response["statusCode"] == 200 and response["json"]["outcome"] == "authorized"


def test_without_configuration_the_local_runtime_does_not_check(raw_invoke, monkeypatch):
    monkeypatch.delenv("ORIGIN_VERIFY_SECRET", raising=False)
    monkeypatch.delenv("ORIGIN_VERIFY_SECRET_ARN", raising=False)
    assert raw_invoke("GET", "/api/health")["statusCode"] == 200


def test_a_lambda_without_the_secret_refuses_everything(raw_invoke, monkeypatch):
    monkeypatch.delenv("ORIGIN_VERIFY_SECRET", raising=False)
    monkeypatch.delenv("ORIGIN_VERIFY_SECRET_ARN", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "smartgrocer-dev-health")
    assert_error(raw_invoke("GET", "/api/health", headers=_from("anything")), 403, "forbidden_origin")


# -- business metrics ---------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.counts: list[tuple[str, float]] = []

    def count(self, name: str, value: float = 1) -> None:
        self.counts.append((name, value))

    def total(self, name: str) -> float:
        return sum(v for n, v in self.counts if n == name)


@pytest.fixture
def recorded():
    from smartgrocer import wiring
    from smartgrocer.domain import ports
    from smartgrocer.domain.metrics import BusinessMetrics

    recorder = Recorder()
    ports.use(BusinessMetrics, recorder)
    yield recorder
    ports.register(BusinessMetrics, wiring._business_metrics)


def test_checkout_authorisation_capture_and_decline_are_counted_once(runtime, invoke, api, seller, shopper, recorded):
    from local.payment_provider import serialize_event, stripe_signature
    from smartgrocer.domain import metrics

    item = product(api, seller, stock=5, price="1.25")
    key = uuid.uuid4().hex
    placed = _checkout(invoke, shopper, basket((item, 2)), key)["json"]
    _checkout(invoke, shopper, basket((item, 2)), key)  # a retry carries on the same checkout: not counted again
    assert recorded.total(metrics.ORDERS_PLACED) == 1

    def deliver(event: dict) -> dict:
        payload = serialize_event(event)
        return _webhook(
            runtime, _webhook_event(runtime, payload, stripe_signature(payload, runtime.env["STRIPE_WEBHOOK_SECRET"]))
        )

    checkout_id = placed["checkout_id"]
    assert deliver(event_for(checkout_id, "payment_intent.payment_failed"))["json"]["outcome"] == "declined"
    assert recorded.total(metrics.PAYMENT_FAILURES) == 1
    assert deliver(authorised_event(checkout_id))["json"]["outcome"] == "authorized"
    assert deliver(authorised_event(checkout_id))["json"]["outcome"] == "already_settled"  # a second event
    assert recorded.total(metrics.AMOUNT_AUTHORISED) == 250
    assert recorded.total(metrics.AMOUNT_CAPTURED) == 0  # nothing is taken before the seller packs
    # The provider's side of the authorisation (the webhook above was hand-delivered).
    intent = intent_for(checkout_id)
    db().local_payment_intents.update_one(
        {"_id": intent["_id"]}, {"$set": {"status": "requires_capture", "amount_capturable": intent["amount"]}}
    )
    (order,) = placed["orders"]
    packed = invoke(
        "POST",
        f"/api/orders/{order['id']}/pack",
        body={"lines": [{"line_id": "1", "packed_quantity": 1}]},  # one of the two
        token=seller.access_token,
    )
    assert packed["statusCode"] == 200, packed["body"]
    assert recorded.total(metrics.AMOUNT_CAPTURED) == 125
    captured = event_for(checkout_id, "payment_intent.succeeded")  # the provider's own event, delivered late
    assert deliver(captured)["json"]["outcome"] == "already_settled"
    assert recorded.total(metrics.AMOUNT_CAPTURED) == 125 and recorded.total(metrics.AMOUNT_AUTHORISED) == 250


def test_out_of_stock_is_counted_as_a_stock_conflict(invoke, api, seller, shopper, recorded):
    from smartgrocer.domain import metrics

    item = product(api, seller, stock=1)
    assert_error(_checkout(invoke, shopper, basket((item, 2))), 409, "out_of_stock")
    assert recorded.counts == [(metrics.STOCK_CONFLICTS, 1)]


def test_only_a_rate_limited_login_is_a_lockout(recorded):
    from local.apigw import load_handler
    from smartgrocer.domain import metrics
    from smartgrocer.errors import RateLimited

    load_handler("auth_login").lambda_handler._app_error(RateLimited("slow down", retry_after=5))
    load_handler("auth_signup").lambda_handler._app_error(RateLimited("slow down", retry_after=5))
    assert recorded.counts == [(metrics.LOGIN_LOCKOUTS, 1)]


def test_reconciler_reports_its_repairs(recorded):
    from local.apigw import lambda_context, load_handler
    from smartgrocer.domain import metrics

    result = load_handler("orders_expire").lambda_handler(
        {"source": "aws.events", "detail": {}}, lambda_context("orders_expire")
    )
    assert recorded.counts == [(metrics.RECONCILER_REPAIRS, result["repairs"])]


def test_metrics_are_flushed_as_one_emf_line_per_invocation(invoke, api, seller, shopper, capsys, monkeypatch):
    from smartgrocer.web import observability

    monkeypatch.setattr(observability, "_cold", False)  # a warm container: only the business metrics
    item = product(api, seller, stock=1)
    capsys.readouterr()
    assert_error(_checkout(invoke, shopper, basket((item, 5))), 409, "out_of_stock")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    (emf,) = lines
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "SmartGrocer"
    assert [m["Name"] for m in directive["Metrics"]] == ["StockConflicts"] and emf["StockConflicts"] in (1.0, [1.0])
    assert emf["service"] == "smartgrocer"
    invoke("GET", "/api/health")
    assert '"_aws"' not in capsys.readouterr().out  # nothing recorded, nothing written


def test_the_first_invocation_of_a_container_counts_one_cold_start_per_function(invoke, capsys, monkeypatch):
    from smartgrocer.web import observability

    monkeypatch.setattr(observability, "_cold", True)  # a fresh container
    capsys.readouterr()
    invoke("GET", "/api/health")
    invoke("GET", "/api/health")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    (emf,) = lines  # the second invocation is warm
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert [m["Name"] for m in directive["Metrics"]] == ["ColdStart"] and emf["ColdStart"] in (1.0, [1.0])
    assert "function_name" in directive["Dimensions"][0] and emf["function_name"]


def test_log_lines_carry_the_request_id_and_the_lambda_context(raw_invoke, monkeypatch):
    import io

    from local.apigw import load_handler
    from smartgrocer.web.logging import logger

    stream = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", stream)
    level = logger.log_level
    logger.setLevel("INFO")  # the suite runs with LOG_LEVEL=CRITICAL

    handler = load_handler("health")

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(handler, "check", broken)
    seen = {}
    try:
        response = raw_invoke("GET", "/api/health", mutate=lambda event: seen.update(event))
    finally:
        logger.setLevel(level)
    assert_error(response, 500, "internal_error")
    records = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    (record,) = [r for r in records if r.get("message") == "unhandled error"]
    assert record["correlation_id"] == seen["requestContext"]["requestId"]
    assert record["function_name"] == "health" and "cold_start" in record and record["level"] == "ERROR"
