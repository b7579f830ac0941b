"""Lambda SnapStart: what may go into the snapshot, and what every restored container must redo.

With SnapStart (docs/deploy.md) Lambda runs a function's init once per published version, snapshots the
memory, and starts every new container of that version from the same snapshot. Whatever init left in
memory is therefore shared by all of them, possibly hours later. The function wrapper (`web.app`) and the
background-function decorator (`web.observability`) call `install()`, which registers two hooks once per
process with the runtime's `snapshot_restore_py` (only Lambda's python3.12+ runtime has it; elsewhere
the hooks are never called by anyone but tests):

- before the snapshot: warm what is safe to share (the resolver's validation models, modules the first
  request would import) without touching the network, then make sure no MongoDB client, socket or
  monitor thread is in the snapshot.
- after a restore: drop any client built before it (MongoDB, AWS SDK, the payment provider's), reseed
  `random` and bson's ObjectId state (every container would otherwise draw the same numbers), forget
  cached secrets (rotation must keep working; a snapshot can be older than any cache TTL), and mark the
  next invocation a cold start for the logs and the `ColdStart` metric.

Hook failures are logged, never raised: a failed before-snapshot hook would fail the deploy, a failed
after-restore hook the request, for what is only a cache.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable
from typing import Any

try:  # the Lambda runtime's library (python3.12+ managed runtimes); absent locally and in tests
    from snapshot_restore_py import register_after_restore, register_before_snapshot
except ImportError:  # pragma: no cover - depends on where this runs
    register_after_restore = register_before_snapshot = None

_warmers: list[Callable[[], None]] = []
_installed = False
_lock = threading.Lock()


def install(warm: Callable[[], None] | None = None) -> bool:
    """Register the hooks with the runtime (once per process) and `warm` to run before the snapshot.
    True when the runtime provides the hooks, i.e. in Lambda."""
    global _installed
    with _lock:
        if warm is not None:
            _warmers.append(warm)
        if _installed:
            return register_before_snapshot is not None
        _installed = True
    if register_before_snapshot is None or register_after_restore is None:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


def before_snapshot() -> None:
    """Runs once per published version, in the init phase, before Lambda takes the snapshot."""
    for warm in list(_warmers):
        _safely(warm)
    _safely(_close_clients)


def after_restore() -> None:
    """Runs in every container resumed from the snapshot, before its first invocation."""
    for step in (_close_clients, _reseed, _forget_secrets, _mark_cold_start):
        _safely(step)


# -- the steps ------------------------------------------------------------------------------------


def _close_clients() -> None:
    """No connection may outlive a snapshot: sockets and pymongo's monitor threads would be the snapshot's,
    shared by every restored container and long closed by the server. Everything is rebuilt on first use."""
    mongo = sys.modules.get("smartgrocer.adapters.mongo")
    if mongo is not None:
        mongo.reset()  # closes the client (sockets, monitor threads) and forgets it
    ports = sys.modules.get("smartgrocer.domain.ports")
    if ports is not None:
        ports.reset()  # adapters built with a client or a key (payments) are rebuilt on first use
    for module, attribute in (
        ("smartgrocer.adapters.s3_storage", "_s3"),
        ("smartgrocer.adapters.ses_mailer", "_ses"),
    ):
        cached = getattr(sys.modules.get(module), attribute, None)
        if cached is not None:
            cached.cache_clear()  # AWS SDK clients: connection pools, and credentials fetched before the snapshot
    event_bus = sys.modules.get("smartgrocer.adapters.event_bus")
    if event_bus is not None:
        event_bus.EventBridgePublisher._client.cache_clear()


def _reseed() -> None:
    """`random` was seeded at init: every restored container would draw the same sequence."""
    random.seed()  # from os.urandom
    objectid = sys.modules.get("bson.objectid")
    if objectid is not None:
        # An ObjectId carries a per-process random value and a counter started at a random point, both made
        # once; pymongo renews them when the pid changes, which a restore does not do.
        objectid.ObjectId._pid = -1
        objectid.ObjectId._inc = random.SystemRandom().randint(0, objectid._MAX_COUNTER_VALUE)
    # `secrets`, `uuid.uuid4` and `os.urandom` read the kernel's generator on every call: nothing to do.


def _forget_secrets() -> None:
    """Secrets read before the snapshot (JWT key, MongoDB URI, Stripe keys, the origin-verify value) are
    read again on first use, so a rotation reaches containers restored from an older snapshot."""
    settings = sys.modules.get("smartgrocer.settings")
    if settings is not None:
        settings.secret.cache_clear()
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    if parameters is not None:
        parameters.clear_caches()  # values cached with a max_age, and the providers' AWS SDK clients


def _mark_cold_start() -> None:
    """The first invocation after a restore is this container's cold start, for our `ColdStart` metric and
    for Powertools' `cold_start` field in the logs (and its own ColdStart metric and trace annotation)."""
    observability = sys.modules.get("smartgrocer.web.observability")
    if observability is not None:
        observability.reset_cold_start()
    for module in (
        "aws_lambda_powertools.logging.logger",
        "aws_lambda_powertools.tracing.tracer",
        "aws_lambda_powertools.metrics.base",
    ):
        found: Any = sys.modules.get(module)
        if found is not None:
            found.is_cold_start = True
    cold_start = sys.modules.get("aws_lambda_powertools.metrics.provider.cold_start")
    if cold_start is not None:
        cold_start.reset_cold_start_flag()


def _safely(step: Callable[[], None]) -> None:
    try:
        step()
    except Exception:  # noqa: BLE001 - see the module docstring
        from smartgrocer.web.logging import logger

        logger.exception("SnapStart hook step failed", extra={"step": getattr(step, "__name__", repr(step))})
