"""Failure limits over fixed time windows, counted before they are compared.

An attempt first takes a slot: one atomic increment that returns the new count. Only a count within
the limit may go on, so N parallel attempts against a limit of L let at most L through, however
they interleave (comparing first and incrementing after lets them all read the same old count).
A slot stays taken when the attempt fails; an attempt that turns out not to be a failure gives it
back, or clears the counter, so the counters keep meaning "failures in this window".

The clock is injected so tests move time instead of waiting for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from smartgrocer.errors import RateLimited


class RateLimitRepository(Protocol):
    def increment(self, key: str, expires_at: int) -> int:
        """Add one to the counter `key` (creating it at 0), atomically; the new count. `expires_at`
        (epoch seconds) is when the counter may be forgotten."""

    def decrement(self, key: str) -> None:
        """Take one back from the counter `key`, never below zero; nothing if it does not exist."""

    def clear(self, key: str) -> None:
        """Forget the counter `key`."""


# Plain classes, not dataclasses: the wiring imports this module in every function, and building a
# dataclass costs about a millisecond of cold start each.
class Limit:
    __slots__ = ("kind", "subject", "max_failures", "clear_on_success")

    def __init__(self, kind: str, subject: str, max_failures: int, clear_on_success: bool = False):
        self.kind = kind  # e.g. "login-email"
        self.subject = subject  # who is counted: an email, a source address
        self.max_failures = max_failures
        self.clear_on_success = clear_on_success  # success forgets earlier failures (else gives its slot back)


class Attempt:
    """The slots one attempt holds, one per limit, in the window it started in."""

    __slots__ = ("counters", "slots")

    def __init__(self, counters: RateLimitRepository):
        self.counters = counters
        self.slots: list[tuple[Limit, str]] = []

    def succeeded(self) -> None:
        for limit, key in self.slots:
            if limit.clear_on_success:
                self.counters.clear(key)
            else:
                self.counters.decrement(key)
        self.slots = []

    def release(self) -> None:
        """Neither a failure nor a success: leave every counter as it was before the attempt."""
        for _, key in self.slots:
            self.counters.decrement(key)
        self.slots = []


class Limiter:
    def __init__(
        self, counters: RateLimitRepository, window_seconds: int, message: str, clock: Callable[[], float] = time.time
    ):
        if window_seconds < 1:
            raise ValueError("window_seconds must be at least 1")
        self.counters, self.window, self.message, self.clock = counters, int(window_seconds), message, clock

    def enter(self, limits: Sequence[Limit]) -> Attempt:
        """Take a slot under every limit, in order, or raise RateLimited (429, Retry-After) holding none."""
        now = int(self.clock())
        start = now // self.window * self.window
        end = start + self.window
        attempt = Attempt(self.counters)
        for limit in limits:
            key = f"{limit.kind}:{limit.subject}:{start}"  # the window is in the key: a new window starts at 0
            count = self.counters.increment(key, expires_at=end)
            if count > limit.max_failures:
                # Refused here, so the limits already passed did not get an attempt either: give those back
                # (a locked-out address spraying emails must not use up its victims' budgets). The refused
                # counter keeps its extra count; it is over the limit anyway and ends with the window.
                attempt.release()
                raise RateLimited(self.message, retry_after=max(1, end - now))
            attempt.slots.append((limit, key))
        return attempt
