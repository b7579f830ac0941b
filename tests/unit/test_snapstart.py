"""SnapStart hooks (smartgrocer.web.snapstart), called directly as the runtime would call them: nothing built
before a snapshot may be reused after a restore, and two restores of one snapshot must not share randomness,
secrets or the cold-start mark."""

from __future__ import annotations

import json
import random
from types import SimpleNamespace

import pytest

from smartgrocer import settings
from smartgrocer.adapters import mongo
from smartgrocer.web import observability, origin, snapstart

CLOSED_PORT_URI = "mongodb://127.0.0.1:9/?directConnection=true"  # nothing listens: no test reaches a server


@pytest.fixture
def restorable(monkeypatch):
    """A process whose MongoDB client and secret caches are this test's own."""
    monkeypatch.setenv("MONGODB_URI", CLOSED_PORT_URI)
    monkeypatch.delenv("MONGODB_URI_ARN", raising=False)
    settings.secret.cache_clear()
    mongo.reset()
    yield
    mongo.reset()
    settings.secret.cache_clear()


@pytest.fixture
def runtime_hooks(monkeypatch):
    """Stands in for the runtime's snapshot_restore_py: records what is registered."""
    registered: dict[str, list] = {"before": [], "after": []}
    monkeypatch.setattr(snapstart, "register_before_snapshot", registered["before"].append)
    monkeypatch.setattr(snapstart, "register_after_restore", registered["after"].append)
    monkeypatch.setattr(snapstart, "_installed", False)
    monkeypatch.setattr(snapstart, "_warmers", [])
    return registered


def test_hooks_are_registered_once_per_process(runtime_hooks):
    warmed = []
    assert snapstart.install(lambda: warmed.append("a")) is True
    assert snapstart.install(lambda: warmed.append("b")) is True  # a second resolver, or the background decorator
    assert snapstart.install() is True
    assert runtime_hooks == {"before": [snapstart.before_snapshot], "after": [snapstart.after_restore]}
    snapstart.before_snapshot()
    assert warmed == ["a", "b"]  # every warmer, once


def test_without_the_runtime_library_nothing_is_registered(monkeypatch):
    monkeypatch.setattr(snapstart, "register_before_snapshot", None)
    monkeypatch.setattr(snapstart, "register_after_restore", None)
    monkeypatch.setattr(snapstart, "_installed", False)
    monkeypatch.setattr(snapstart, "_warmers", [])
    assert snapstart.install() is False


def test_the_snapshot_holds_no_mongodb_client(restorable):
    built = mongo.client()
    snapstart.before_snapshot()
    assert mongo._client is None
    assert built._closed  # its sockets and monitor threads are gone, not frozen into the snapshot


def test_a_client_built_before_the_snapshot_is_not_reused_after_restore(restorable):
    before = mongo.client()
    snapstart.after_restore()
    after = mongo.client()
    assert after is not before
    assert before._closed and not after._closed


def test_ports_and_aws_clients_are_rebuilt_after_restore(restorable, monkeypatch):
    from smartgrocer.adapters import s3_storage
    from smartgrocer.domain import catalog_ports, ports

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3_before = s3_storage._s3()
    repository_before = ports.resolve(catalog_ports.ProductRepository)
    snapstart.after_restore()
    assert s3_storage._s3() is not s3_before
    assert ports.resolve(catalog_ports.ProductRepository) is not repository_before


def _restore_from(snapshot_state) -> tuple[float, bytes]:
    """One container resumed from the snapshot: the interpreter's state as it was, then the hooks."""
    from bson.objectid import ObjectId

    random.setstate(snapshot_state["random"])
    ObjectId._pid, ObjectId._inc = snapshot_state["objectid"]
    snapstart.after_restore()
    return random.random(), ObjectId().binary[4:]


def test_two_restores_of_one_snapshot_draw_different_random_numbers():
    from bson.objectid import ObjectId

    random.seed(20261129)  # what init left behind
    ObjectId()
    snapshot = {"random": random.getstate(), "objectid": (ObjectId._pid, ObjectId._inc)}
    random.setstate(snapshot["random"])
    assert random.random() == (random.setstate(snapshot["random"]) or random.random())  # without hooks: the same
    first, second = _restore_from(snapshot), _restore_from(snapshot)
    assert first[0] != second[0]
    assert first[1] != second[1]  # ObjectId's per-process random value and counter are renewed too


def test_secrets_are_read_again_after_restore(restorable, monkeypatch):
    monkeypatch.setenv("JWT_SECRET", "key-before-rotation-" + "x" * 32)
    assert settings.secret("JWT_SECRET").startswith("key-before")
    monkeypatch.setenv("JWT_SECRET", "key-after-rotation-" + "y" * 32)
    assert settings.secret("JWT_SECRET").startswith("key-before")  # cached for the container's life
    snapstart.after_restore()
    assert settings.secret("JWT_SECRET").startswith("key-after")


def test_the_origin_secret_cached_with_a_ttl_is_read_again_after_restore(monkeypatch):
    """CloudFront's origin header value comes from Secrets Manager with a five-minute cache; a snapshot can be
    older than that and its clock is not the restored container's."""
    from moto import mock_aws

    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("ORIGIN_VERIFY_SECRET", raising=False)
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    with mock_aws():
        import boto3

        secrets = boto3.client("secretsmanager")
        arn = secrets.create_secret(Name="origin-verify", SecretString=json.dumps({"current": "old"}))["ARN"]
        monkeypatch.setenv("ORIGIN_VERIFY_SECRET_ARN", arn)
        assert origin.accepted_values() == ("old",)
        secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({"current": "new", "previous": "old"}))
        assert origin.accepted_values() == ("old",)  # within the cache's max_age
        snapstart.after_restore()
        assert origin.accepted_values() == ("new", "old")
    parameters.clear_caches()


def test_the_first_invocation_after_restore_is_a_cold_start(monkeypatch, capsys):
    from aws_lambda_powertools.logging import logger as powertools_logger

    context = SimpleNamespace(function_name="smartgrocer-dev-products_list")
    monkeypatch.setattr(observability, "_cold", True)
    observability.count_cold_start(context)  # the snapshot's own init might have invoked nothing: be explicit
    observability.count_cold_start(context)
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert sum("ColdStart" in line for line in emitted) == 1
    monkeypatch.setattr(powertools_logger, "is_cold_start", False)
    snapstart.after_restore()
    observability.count_cold_start(context)
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [line["function_name"] for line in emitted if "ColdStart" in line] == [context.function_name]
    assert powertools_logger.is_cold_start is True


def test_warming_builds_the_validation_models_without_a_database(restorable):
    from local.apigw import load_handler

    app = load_handler("products_list").lambda_handler
    routes = [*app._static_routes, *app._dynamic_routes]
    for route in routes:
        route._dependant = route._body_field = None
    app.warm()
    assert all(route._dependant is not None for route in routes)
    assert mongo._client is None  # nothing connected: the database is for after the restore
