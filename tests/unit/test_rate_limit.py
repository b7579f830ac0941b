"""Unit tier for the failure limiter (`domain.rate_limit`): an in-memory counter store and an injected
clock, no database, no sleeping. Time moves because the test moves it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from smartgrocer.domain.rate_limit import Limit, Limiter
from smartgrocer.errors import RateLimited
from tests.unit.accounts_fakes import MemoryRateLimits

WINDOW = 300
T0 = 1_700_000_200  # 100 s into a 300 s window (1_700_000_100 is a multiple of 300)


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def account(max_failures=5):
    return Limit("login-email", "a@example.com", max_failures, clear_on_success=True)


def address(max_failures=20):
    return Limit("login-ip", "192.0.2.1", max_failures)


@pytest.fixture
def counters():
    return MemoryRateLimits()


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def limiter(counters, clock):
    return Limiter(counters, WINDOW, "Too many attempts.", clock=clock)


def test_the_limit_lets_exactly_max_failures_through_then_refuses_with_retry_after(limiter, counters):
    for _ in range(5):
        limiter.enter([account()])  # each failed attempt keeps its slot
    with pytest.raises(RateLimited) as refused:
        limiter.enter([account()])
    assert refused.value.status == 429 and refused.value.message == "Too many attempts."
    assert refused.value.retry_after == WINDOW - T0 % WINDOW == 200  # until the window ends


def test_retry_after_is_never_zero(limiter, clock):
    clock.now = T0 - T0 % WINDOW + WINDOW - 0.2  # the last fraction of a second of the window
    for _ in range(5):
        limiter.enter([account()])
    with pytest.raises(RateLimited) as refused:
        limiter.enter([account()])
    assert refused.value.retry_after == 1


def test_the_window_resets_when_the_clock_moves_into_the_next_one(limiter, clock, counters):
    for _ in range(5):
        limiter.enter([account()])
    with pytest.raises(RateLimited):
        limiter.enter([account()])
    clock.now += 199  # still the same window: still refused
    with pytest.raises(RateLimited):
        limiter.enter([account()])
    clock.now += 1  # the next window starts at 0
    for _ in range(5):
        limiter.enter([account()])
    with pytest.raises(RateLimited):
        limiter.enter([account()])
    # each window has its own counter, with the end of its window as expiry
    assert sorted(counters.expires.values()) == [T0 - 100 + WINDOW, T0 - 100 + 2 * WINDOW]


def test_success_clears_the_account_and_gives_the_address_its_slot_back(limiter, counters):
    for _ in range(4):
        limiter.enter([account(), address()])
    assert (counters.count("login-email:"), counters.count("login-ip:")) == (4, 4)
    limiter.enter([account(), address()]).succeeded()
    assert (counters.count("login-email:"), counters.count("login-ip:")) == (0, 4)  # failures only


def test_release_leaves_every_counter_as_it_was(limiter, counters):
    limiter.enter([account(), address()])
    limiter.enter([account(), address()]).release()
    assert (counters.count("login-email:"), counters.count("login-ip:")) == (1, 1)


def test_refused_by_the_address_takes_nothing_from_the_account(limiter, counters):
    """A locked-out address spraying guesses must not use up its victims' budgets."""
    for n in range(3):
        limiter.enter([Limit("login-email", f"victim{n}@example.com", 5), address(max_failures=3)])
    with pytest.raises(RateLimited):
        limiter.enter([account(), address(max_failures=3)])
    assert counters.count("login-email:a@example.com") == 0


def test_a_refused_attempt_keeps_nothing_it_took_before(limiter, counters):
    for _ in range(5):
        limiter.enter([account()])
    with pytest.raises(RateLimited):
        limiter.enter([address(), account()])  # the address passed first, then the account refused
    assert counters.count("login-ip:") == 0


class HeldChecks:
    """Stands in for the password check: every admitted attempt waits inside it until all attempts were
    admitted or refused. A limiter that compares first and counts afterwards therefore lets every one
    of them through; one that counts first cannot. Every wait is bounded."""

    def __init__(self, attempts: int):
        self.attempts, self.decided, self.checked = attempts, 0, 0
        self._lock = threading.Lock()
        self.all_decided = threading.Event()

    def decide(self) -> None:
        with self._lock:
            self.decided += 1
            if self.decided == self.attempts:
                self.all_decided.set()

    def check(self) -> None:
        with self._lock:
            self.checked += 1
        self.decide()
        self.all_decided.wait(timeout=10)


def test_thirty_parallel_attempts_get_at_most_five_checks(limiter, counters):
    attempts = 30
    held, start = HeldChecks(attempts), threading.Barrier(attempts, timeout=10)

    def attempt(_):
        start.wait()
        try:
            limiter.enter([account(), address(max_failures=100)])
        except RateLimited:
            held.decide()
            return 429
        held.check()
        return 401

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(attempt, range(attempts)))
    assert held.all_decided.is_set()
    assert held.checked == statuses.count(401) == 5
    assert statuses.count(429) == 25
    assert counters.count("login-ip:") == 5  # refused attempts never reached the address limit


def test_the_held_check_harness_catches_compare_then_increment(counters):
    """The harness above is sound: the old order (compare, check, then count) lets all 30 through."""
    attempts, limit = 30, 5
    held, start = HeldChecks(attempts), threading.Barrier(attempts, timeout=10)

    def compare_then_increment(_):
        start.wait()
        if counters.count("k") >= limit:
            held.decide()
            return 429
        held.check()
        counters.increment("k", 0)
        return 401

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(compare_then_increment, range(attempts)))
    assert statuses.count(401) > limit


def test_window_must_be_positive(counters):
    with pytest.raises(ValueError):
        Limiter(counters, 0, "x")
