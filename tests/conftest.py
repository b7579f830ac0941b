"""Shared fixtures. One embedded stack per test session: nx-27017 + moto + the local runner,
driven over HTTP (integration tier) or by calling `lambda_handler` in-process (handler tier)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "smartgrocer" / "python")]

# Cheap hashing and tight limits make the suites fast; production defaults are in settings.py.
os.environ.setdefault("BCRYPT_ROUNDS", "4")
os.environ.setdefault("LOGIN_MAX_FAILURES", "5")
# Every HTTP test comes from 127.0.0.1: a per-IP limit sized for real NATs would lock the suite out.
os.environ.setdefault("LOGIN_IP_MAX_FAILURES", "60")
os.environ["MONGODB_DB"] = "smartgrocer_test"
os.environ.setdefault("LOG_LEVEL", "CRITICAL")
# A CDK app built without an outdir makes its own temporary cdk.out (with copies of every asset, ~90 MB)
# and never removes it: the infra tests' apps share one, removed when the run ends. Set before the first
# `import aws_cdk`, which starts the CDK's node process with this environment.
_CDK_OUT = tempfile.mkdtemp(prefix="smartgrocer-tests-cdk-")
os.environ.setdefault("CDK_OUTDIR", _CDK_OUT)
atexit.register(shutil.rmtree, _CDK_OUT, True)

from smartgrocer import wiring  # noqa: E402,F401  (adapters for the domain's ports)
from tests.support import ApiClient  # noqa: E402


@pytest.fixture(scope="session")
def runtime(tmp_path_factory):
    from local.runner import LocalRuntime

    rt = LocalRuntime(
        port=0, data_dir=tmp_path_factory.mktemp("stack"), seed=False, expiry_interval=0, quiet=True, workers=4
    )
    rt.start()
    yield rt
    rt.stop()


@pytest.fixture(scope="session")
def api(runtime) -> ApiClient:
    return ApiClient(runtime.base_url)


@pytest.fixture
def unique_email():
    return lambda prefix="user": f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def shopper(api, unique_email):
    return api.signup(unique_email("shopper"))


@pytest.fixture
def seller(api, unique_email):
    return api.signup(unique_email("seller"), is_seller=True)


@pytest.fixture
def other_seller(api, unique_email):
    return api.signup(unique_email("seller2"), is_seller=True)


@pytest.fixture
def admin(api, unique_email):
    from smartgrocer.adapters.mongo import db

    account = api.signup(unique_email("admin"))
    db().users.update_one({"_id": account.user_id}, {"$set": {"role": "admin"}})
    return account


@pytest.fixture
def invoke(runtime):
    """Call a function's `lambda_handler` in-process with an API Gateway v2 event."""
    from local.apigw import decode_body, http_event, lambda_context, load_handler, match_route

    def call(
        method: str,
        path: str,
        body=None,
        token: str | None = None,
        query: str = "",
        headers: dict | None = None,
        raw_body: str | bytes | None = None,
    ):
        route, params, _ = match_route(method, path)
        assert route is not None, f"no route for {method} {path}"
        module = load_handler(route.name)
        all_headers = {"content-type": "application/json", **(headers or {})}
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        payload = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        response = module.lambda_handler(
            http_event(route, method, path, params, query, all_headers, payload), lambda_context(route.name)
        )
        raw = decode_body(response)
        response["json"] = (
            json.loads(raw)
            if raw
            and response.get("headers", {}).get("Content-Type", "application/json").startswith("application/json")
            else None
        )
        return response

    return call


def pytest_addoption(parser):
    parser.addoption("--e2e", action="store_true", default=False, help="run the browser end-to-end suite")
