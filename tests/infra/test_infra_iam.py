"""Least privilege: each function's IAM and environment follow exactly its `access` set."""

from __future__ import annotations

import pytest

from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access
from tests.infra.helpers import app_functions, function_statements, listify, literals, refs

ENTRIES = {e.name: e for e in (*ROUTES, *BACKGROUND_FUNCTIONS)}
ROUTE_NAMES = {r.name for r in ROUTES}
ORIGIN = "origin_verify"  # every HTTP function reads the CloudFront origin secret, nothing else does
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}  # no resource-level permissions exist
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
ALLOWED_ACTIONS = (
    XRAY_ACTIONS
    | LOG_ACTIONS
    | {
        "secretsmanager:GetSecretValue",
        "s3:PutObject",
        "s3:GetObject",
        "s3:DeleteObject",
        "events:PutEvents",
        "ses:SendEmail",
        "ses:SendRawEmail",
    }
)

ENV_FOR_ACCESS = {
    Access.MONGO: {"MONGODB_URI_ARN"},
    Access.JWT: {"JWT_SECRET_ARN"},
    Access.PAYMENTS: {"STRIPE_SECRET_KEY_ARN", "PAYMENT_PROVIDER"},
    Access.PAYMENT_WEBHOOK: {"STRIPE_WEBHOOK_SECRET_ARN", "PAYMENT_PROVIDER"},
    Access.IMAGES_UPLOAD: {"IMAGES_BUCKET"},
    Access.IMAGES_CHECK: {"IMAGES_BUCKET"},
    Access.EVENTS: {"EVENT_BUS_NAME"},
    Access.MAIL: {"MAIL_FROM", "SES_CONFIGURATION_SET"},
}


@pytest.fixture(scope="module")
def ids(dev):
    stack = dev.stack
    return {
        "secrets": {
            dev.logical_id(stack.secrets.mongodb_uri): Access.MONGO,
            dev.logical_id(stack.secrets.jwt_secret): Access.JWT,
            dev.logical_id(stack.secrets.stripe_secret_key): Access.PAYMENTS,
            dev.logical_id(stack.secrets.stripe_webhook_secret): Access.PAYMENT_WEBHOOK,
            dev.logical_id(stack.secrets.origin_verify): ORIGIN,
        },
        "images": dev.logical_id(stack.storage.images),
        "bus": dev.logical_id(stack.events.bus),
        "identity": dev.logical_id(stack.mail.identity),
        "configuration_set": dev.logical_id(stack.mail.configuration_set),
    }


def granted_access(statements: list[dict], ids: dict) -> set[Access]:
    """Which capabilities a set of statements amounts to, recognised by action and target resource."""
    granted: set[Access] = set()
    for st in statements:
        assert st["Effect"] == "Allow"
        actions, targets = set(listify(st["Action"])), refs(st["Resource"])
        if "secretsmanager:GetSecretValue" in actions:
            granted |= {ids["secrets"][t] for t in targets}
        if "s3:PutObject" in actions and ids["images"] in targets:
            granted.add(Access.IMAGES_UPLOAD)
        if {"s3:GetObject", "s3:DeleteObject"} <= actions and ids["images"] in targets:
            granted.add(Access.IMAGES_CHECK)
        if "events:PutEvents" in actions and ids["bus"] in targets:
            granted.add(Access.EVENTS)
        if "ses:SendEmail" in actions and {ids["identity"], ids["configuration_set"]} <= targets:
            granted.add(Access.MAIL)
    return granted


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_grants_match_the_access_set_exactly(dev, ids, name):
    expected = set(ENTRIES[name].access) | ({ORIGIN} if name in ROUTE_NAMES else set())
    assert granted_access(function_statements(dev, name), ids) == expected


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_only_known_actions(dev, name):
    actions = {a for st in function_statements(dev, name) for a in listify(st["Action"])}
    assert actions <= ALLOWED_ACTIONS, actions - ALLOWED_ACTIONS


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_no_wildcard_resource_where_an_arn_exists(dev, ids, name):
    for st in function_statements(dev, name):
        actions = set(listify(st["Action"]))
        for resource in listify(st["Resource"]):
            if resource == "*":
                assert actions <= XRAY_ACTIONS, f"{name}: {sorted(actions)} on '*'"
                continue
            wild = [s for s in literals(resource) if "*" in s]
            if wild:  # a pattern inside a specific resource: only the images key prefix
                # The upload signer puts; the product writes read a photo's first bytes and delete what is no photo.
                allowed = {"s3:PutObject"} if name == "products_image_upload" else {"s3:GetObject", "s3:DeleteObject"}
                assert wild == ["/products/*"] and actions == allowed, (name, wild, actions)
                assert refs(resource) == {ids["images"]}


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_each_function_writes_only_its_own_log_group(dev, name):
    logical_id, fn = app_functions(dev)[name]
    log_group = fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    for st in function_statements(dev, name):
        if set(listify(st["Action"])) & LOG_ACTIONS:
            assert refs(st["Resource"]) == {log_group}
            assert set(listify(st["Action"])) == LOG_ACTIONS  # no logs:CreateLogGroup: it exists already


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_environment_follows_access(dev, name):
    env = set(app_functions(dev)[name][1]["Properties"]["Environment"]["Variables"])
    access = ENTRIES[name].access
    for key in set().union(*ENV_FOR_ACCESS.values()):
        owners = {capability for capability, keys in ENV_FOR_ACCESS.items() if key in keys}
        assert (key in env) == bool(owners & access), f"{name}: {key}"


def test_examples_from_the_issue(dev, ids):
    """Spelled out: the catalog cannot read the JWT key, one function uploads, Stripe stays with payments."""
    statements = {name: function_statements(dev, name) for name in ENTRIES}
    access = {name: granted_access(st, ids) for name, st in statements.items()}
    assert Access.JWT not in access["products_list"]
    assert [n for n, a in access.items() if Access.IMAGES_UPLOAD in a] == ["products_image_upload"]
    # Only the product writes read uploads (to check a photo before attaching it), and may delete them.
    assert {n for n, a in access.items() if Access.IMAGES_CHECK in a} == {"products_create", "products_update"}
    stripe_readers = {n for n, a in access.items() if Access.PAYMENTS in a}
    assert stripe_readers == {n for n, e in ENTRIES.items() if Access.PAYMENTS in e.access}
    assert stripe_readers and "products_list" not in stripe_readers
    assert {n for n, a in access.items() if Access.PAYMENT_WEBHOOK in a} == {"payments_webhook"}
    assert {n for n, a in access.items() if Access.MAIL in a} == {"notifier"}


def test_packing_captures_and_publishes_but_reads_no_webhook_secret(dev, ids):
    """The last packing of a checkout captures its payment (Stripe key) and announces it (event bus)."""
    granted = granted_access(function_statements(dev, "orders_pack"), ids)
    assert {Access.MONGO, Access.JWT, Access.PAYMENTS, Access.EVENTS} <= granted
    assert not granted & {Access.PAYMENT_WEBHOOK, Access.MAIL, Access.IMAGES_UPLOAD}
    env = app_functions(dev)["orders_pack"][1]["Properties"]["Environment"]["Variables"]
    assert {"STRIPE_SECRET_KEY_ARN", "EVENT_BUS_NAME"} <= set(env) and "STRIPE_WEBHOOK_SECRET_ARN" not in env


@pytest.mark.parametrize("name", ["products_image_upload", "products_create", "products_update"])
def test_images_base_url_points_at_the_distribution(dev, name):
    """Uploads build photo URLs from it, and product writes only accept photos under it."""
    env = app_functions(dev)[name][1]["Properties"]["Environment"]["Variables"]
    url = env["IMAGES_BASE_URL"]["Fn::Join"][1]
    assert url[0] == "https://" and url[-1] == "/images"
    assert refs(url) == {dev.logical_id(dev.stack.frontend.distribution)}


def test_publishable_key_goes_to_payment_functions_only(prod):
    for name, (_, fn) in app_functions(prod).items():
        env = fn["Properties"]["Environment"]["Variables"]
        has_key = env.get("STRIPE_PUBLISHABLE_KEY") == "pk_test_123"
        assert has_key == (Access.PAYMENTS in ENTRIES[name].access), name
