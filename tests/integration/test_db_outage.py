"""Database down: every route answers 503 + Retry-After (not a hang, not a 500) before API Gateway would give up, and
the same runner recovers by itself once MongoDB is back on the same port and data folder.

Runs its own LocalRuntime so stopping MongoDB cannot disturb the session stack."""

from __future__ import annotations

import os

import pytest
import requests

from tests.integration.helpers import assert_error
from tests.support import eventually

# API Gateway gives up on an integration after 30 s: an answer must come before that, so the client
# waits no longer. How fast it comes is not asserted (a busy machine must not fail the test).
GATEWAY_LIMIT_S = 29.0
RECOVERY_DEADLINE_S = 60.0


@pytest.fixture(scope="module")
def outage_stack(runtime, tmp_path_factory):
    """A second runtime. LocalRuntime writes its settings into os.environ; put the session's back after."""
    from local.runner import LocalRuntime
    from smartgrocer.adapters import mongo

    saved = dict(os.environ)
    stack = LocalRuntime(
        port=0, data_dir=tmp_path_factory.mktemp("outage"), seed=False, expiry_interval=0, quiet=True, workers=2
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        if stack.mongo is not None:
            stack.mongo.stop()
        os.environ.clear()
        os.environ.update(saved)
        mongo.reset()


def _request(method: str, url: str, **kwargs):
    return requests.request(method, url, timeout=GATEWAY_LIMIT_S, **kwargs)


def _signup(base_url: str) -> str:
    email = f"outage-{os.urandom(5).hex()}@example.com"
    response = requests.post(
        f"{base_url}/api/auth/signup",
        timeout=30,
        json={"email": email, "password": "correct-horse-1", "full_name": "Out Age"},
    )
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


def test_outage_and_recovery(outage_stack):
    base = outage_stack.base_url
    # warm: every worker has a live client before the database goes away
    for _ in range(3):
        assert requests.get(f"{base}/api/health", timeout=30).status_code == 200
        assert requests.get(f"{base}/api/products", timeout=30).status_code == 200
    token = _signup(base)

    outage_stack.mongo.stop()
    try:
        checks = [
            ("GET", "/api/products", {}),
            ("GET", "/api/health", {}),
            ("GET", "/api/products/" + "0" * 24, {}),
            ("GET", "/api/categories", {}),
            ("GET", "/api/auth/me", {"headers": {"Authorization": f"Bearer {token}"}}),
            ("POST", "/api/auth/login", {"json": {"email": "nobody@example.com", "password": "whatever-1"}}),
        ]
        for method, path, kwargs in checks:
            response = _request(method, f"{base}{path}", **kwargs)
            error = assert_error(response, 503)
            assert error["code"] in {"database_unavailable", "unavailable"}, error
            assert 1 <= int(response.headers["Retry-After"]) <= 30, response.headers
    finally:
        outage_stack.mongo.start()  # same port, same data folder

    response = eventually(
        lambda: (answer := requests.get(f"{base}/api/health", timeout=30)).status_code == 200 and answer,
        timeout=RECOVERY_DEADLINE_S,
        interval=0.5,
        what="recovery of /api/health",
    )
    assert response.json() == {"status": "ok", "db": "ok"}
    assert requests.get(f"{base}/api/products", timeout=30).status_code == 200
    me = requests.get(f"{base}/api/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert me.status_code == 200  # the data survived the restart
