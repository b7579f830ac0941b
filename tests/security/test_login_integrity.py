"""Login integrity, black-box over HTTP against this module's OWN local runtime, which hashes at the
production cost (BCRYPT_ROUNDS=12) so timing differences are as large as they would be in AWS:

- an unknown email and a wrong password take the same time (no account enumeration by timing);
- parallel wrong guesses cannot pass the limit: each guess is counted before it is compared, per
  account and per source address.

No absolute times are asserted: only the ratio of two medians measured interleaved in the same run.
Every loop is bounded; nothing sleeps to prove that something did not happen.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import ApiClient, loopback_alias_works, session_from

MAX_FAILURES, IP_MAX_FAILURES, WINDOW = 5, 20, 10**9  # no burst straddles a window boundary
STACK_ENV = {
    "BCRYPT_ROUNDS": "12",
    "LOGIN_MAX_FAILURES": str(MAX_FAILURES),
    "LOGIN_IP_MAX_FAILURES": str(IP_MAX_FAILURES),
    "LOGIN_WINDOW_SECONDS": str(WINDOW),
}
SAMPLES = 7
PARALLEL = 30


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from local.runner import LocalRuntime

    runtime = LocalRuntime(
        port=0,
        data_dir=tmp_path_factory.mktemp("login-integrity"),
        seed=False,
        expiry_interval=0,
        quiet=True,
        workers=4,
        extra_env=STACK_ENV,
    )
    try:
        runtime.start()
        yield runtime
    finally:
        runtime.stop()


def _client(stack, source_ip: str | None = None) -> ApiClient:
    """A client whose connections come from `source_ip` when this host can bind it (any 127.x.y.z on
    Linux), so each test counts against its own address; 127.0.0.1 otherwise."""
    client = ApiClient(stack.base_url)
    if source_ip and loopback_alias_works(source_ip):
        client.session = session_from(source_ip)
    return client


def _email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def _burst(stack, source_ip: str, bodies: list[dict]) -> list:
    """Send every login at once (one connection each) and return the responses."""
    start = threading.Barrier(len(bodies), timeout=30)

    def send(body):
        client = _client(stack, source_ip)
        start.wait()
        return client.post("/api/auth/login", json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))


def _code(response) -> str:
    return response.json()["error"]["code"]


def test_unknown_email_and_wrong_password_take_the_same_time(stack):
    client = _client(stack, "127.0.0.81")
    # Warm every worker ("container") without counting anything: invalid bodies load the login
    # function, and the signups open each worker's database connection.
    with ThreadPoolExecutor(max_workers=8) as pool:
        warm = list(pool.map(lambda _: ApiClient(stack.base_url).post("/api/auth/login", json={}), range(8)))
    assert {r.status_code for r in warm} == {422}
    # Two accounts share the wrong guesses (4 and 3): neither reaches its limit, fewer costly signups.
    accounts = [ApiClient(stack.base_url).signup(_email("timing")) for _ in range(2)]

    def timed(email: str) -> float:
        started = time.perf_counter()
        response = client.login(email, "wrong-password-1")
        elapsed = time.perf_counter() - started
        assert response.status_code == 401 and _code(response) == "invalid_credentials", response.text
        return elapsed

    unknown, wrong = [], []
    for i in range(SAMPLES):  # interleaved, alternating which goes first
        pair = [(unknown, _email("ghost")), (wrong, accounts[i % 2].email)]
        for samples, email in pair if i % 2 == 0 else reversed(pair):
            samples.append(timed(email))
    ratio = statistics.median(unknown) / statistics.median(wrong)
    print(
        f"login medians: unknown email {statistics.median(unknown) * 1000:.0f} ms, "
        f"wrong password {statistics.median(wrong) * 1000:.0f} ms, ratio {ratio:.2f}"
    )
    assert 0.5 <= ratio <= 2, (
        f"unknown email median {statistics.median(unknown) * 1000:.0f} ms vs wrong password "
        f"median {statistics.median(wrong) * 1000:.0f} ms"
    )


def test_thirty_parallel_wrong_passwords_for_one_account_get_at_most_five_checks(stack):
    victim = ApiClient(stack.base_url).signup(_email("victim"))
    responses = _burst(
        stack, "127.0.0.82", [{"email": victim.email, "password": f"guess-{n}-wrong"} for n in range(PARALLEL)]
    )
    statuses = [r.status_code for r in responses]
    checked = [r for r in responses if r.status_code == 401]
    limited = [r for r in responses if r.status_code == 429]
    assert 1 <= len(checked) <= MAX_FAILURES, statuses
    assert len(checked) + len(limited) == PARALLEL, statuses
    assert all(_code(r) == "invalid_credentials" for r in checked)
    for response in limited:
        assert _code(response) == "rate_limited"
        assert 1 <= int(response.headers["Retry-After"]) <= WINDOW
    # locked: even the right password waits for the window, from any address
    assert ApiClient(stack.base_url).login(victim.email, victim.password).status_code == 429


def test_thirty_parallel_guesses_from_one_address_get_at_most_its_limit(stack):
    source = "127.0.0.83"
    if not loopback_alias_works(source):
        pytest.skip("needs a loopback address of its own (its budget is counted per address)")
    responses = _burst(stack, source, [{"email": _email("spray"), "password": "Winter2026!"} for _ in range(PARALLEL)])
    statuses = [r.status_code for r in responses]
    assert 1 <= statuses.count(401) <= IP_MAX_FAILURES, statuses
    assert statuses.count(401) + statuses.count(429) == PARALLEL, statuses
    assert all(1 <= int(r.headers["Retry-After"]) <= WINDOW for r in responses if r.status_code == 429)
    # the address is locked out, for every account; other addresses are not
    bystander = ApiClient(stack.base_url).signup(_email("bystander"))
    assert _client(stack, source).login(bystander.email, bystander.password).status_code == 429
    assert ApiClient(stack.base_url).login(bystander.email, bystander.password).status_code == 200
