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
import traceback
from concurrent.futures import ProcessPoolExecutor


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

    def invoke(self, function_name: str, event: dict, timeout: float = 29.0) -> dict:
        return self._executor.submit(invoke_in_worker, function_name, event).result(timeout=timeout)

    def invoke_async(self, function_name: str, event: dict) -> None:
        self._executor.submit(invoke_in_worker, function_name, event)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
