"""Lambda-like execution for the local runner: a pool of worker processes ("containers").

Each worker imports a function's handler module the first time it runs it and keeps it warm, as a
Lambda container does. Separate processes matter: Powertools keeps the current event on the
resolver class, so two invocations must never share an interpreter at the same time (Lambda
never does that either), and concurrent requests still race for real in the database.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import traceback
from concurrent.futures import Future, ProcessPoolExecutor, wait


def _worker_init(paths: list[str], env: dict[str, str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the runner shuts us down
    os.environ.update(env)
    for path in reversed(paths):
        if path not in sys.path:
            sys.path.insert(0, path)


def invoke_in_worker(function_name: str, event: dict) -> dict:
    from local.apigw import lambda_context, load_handler

    try:
        return load_handler(function_name).lambda_handler(event, lambda_context(function_name))
    except Exception:  # a crash in a handler is a 500 from API Gateway, never a dead runner
        traceback.print_exc()
        return {
            "statusCode": 500,
            "headers": {"content-type": "application/json"},
            "body": '{"error": {"code": "internal_error", "message": "The function crashed."}}',
        }


class FunctionPool:
    def __init__(self, workers: int, env: dict[str, str]):
        from local.apigw import LAYER_PATH, ROOT

        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=([str(ROOT), str(LAYER_PATH)], env),
        )
        self._in_flight: set[Future] = set()
        self._lock = threading.Lock()

    def invoke(self, function_name: str, event: dict, timeout: float = 29.0) -> dict:
        return self._executor.submit(invoke_in_worker, function_name, event).result(timeout=timeout)

    def invoke_async(self, function_name: str, event: dict) -> None:
        future = self._executor.submit(invoke_in_worker, function_name, event)
        with self._lock:
            self._in_flight.add(future)
        future.add_done_callback(self._finished)

    def _finished(self, future: Future) -> None:
        with self._lock:
            self._in_flight.discard(future)

    def drain(self, timeout: float = 30.0) -> int:
        """Wait until every asynchronous invocation started so far has finished (event deliveries to
        the notifier): tests then read the outcome instead of sleeping. Returns how many are left."""
        with self._lock:
            pending = set(self._in_flight)
        _, not_done = wait(pending, timeout=timeout)
        return len(not_done)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
