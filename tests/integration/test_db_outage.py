"""Database down: every route answers 503 + Retry-After within a few seconds (not a hang, not a 500), and
the same runner recovers by itself once MongoDB is back on the same port and data folder.

Runs its own LocalRuntime so stopping MongoDB cannot disturb the session stack."""

from __future__ import annotations

import os
import time

import pytest
import requests

from tests.integration.helpers import assert_error

UPPER_BOUND_S = 10.0  # a correctness bound (serverSelectionTimeoutMS is 3 s), not a benchmark


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


def _timed(method: str, url: str, **kwargs):
    started = time.monotonic()
    response = requests.request(method, url, timeout=30, **kwargs)
    return response, time.monotonic() - started


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
            response, elapsed = _timed(method, f"{base}{path}", **kwargs)
            assert elapsed < UPPER_BOUND_S, f"{method} {path} took {elapsed:.1f}s with the database down"
            error = assert_error(response, 503)
            assert error["code"] in {"database_unavailable", "unavailable"}, error
            assert 1 <= int(response.headers["Retry-After"]) <= 30, response.headers
    finally:
        outage_stack.mongo.start()  # same port, same data folder

    deadline, attempts = time.monotonic() + UPPER_BOUND_S, 0
    while True:
        attempts += 1
        response = requests.get(f"{base}/api/health", timeout=30)
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert response.status_code == 200 and response.json() == {"status": "ok", "db": "ok"}, (
        f"no recovery after {attempts} attempts"
    )
    assert requests.get(f"{base}/api/products", timeout=30).status_code == 200
    me = requests.get(f"{base}/api/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert me.status_code == 200  # the data survived the restart
