"""Logs, metrics and traces for every function, added once here (handlers never see them).

- Logger: JSON lines with the Lambda context, `cold_start` and, for HTTP functions, the API Gateway
  request id as `correlation_id` (the same id is in the API access log's `requestId`).
- Metrics: CloudWatch embedded metric format, namespace `SmartGrocer` (dimension `service`). Business
  counters are recorded through the domain's `BusinessMetrics` port (`smartgrocer.domain.metrics`,
  implemented by `adapters.emf_metrics`) and flushed here once per invocation, only when there are any.
  The first invocation of a container also writes `ColdStart` (dimension `function_name`) on its own
  line, so cold starts can be counted per function without changing the business metrics' dimensions.
- Tracer: *not* built at import. Constructing a Powertools `Tracer` imports `aws_xray_sdk.core` and
  botocore even when tracing is disabled (measured: 0.3-0.7 s of a cold start, see docs/observability.md),
  so it is built on the first invocation and only when `POWERTOOLS_TRACE_DISABLED` is explicitly false
  inside Lambda. The stack leaves it off and relies on Lambda's active tracing (platform segments: init,
  invocation, overhead), which costs the function nothing.
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.logging import correlation_paths

from smartgrocer.web.logging import logger

NAMESPACE = "SmartGrocer"
metrics = Metrics(namespace=NAMESPACE, service="smartgrocer")

_UNSET: Any = object()
_tracer: Any = _UNSET
COLD_START = "ColdStart"
_cold = True  # this container has not served an invocation yet


def tracing_enabled() -> bool:
    """SDK tracing only on request: in Lambda with POWERTOOLS_TRACE_DISABLED=false."""
    flag = (os.environ.get("POWERTOOLS_TRACE_DISABLED") or "true").strip().lower()
    return bool(os.environ.get("LAMBDA_TASK_ROOT")) and flag in ("false", "0", "no", "off")


def tracer():
    """The Powertools Tracer when SDK tracing is on (built once, on first use), else None."""
    global _tracer
    if _tracer is _UNSET:
        _tracer = None
        if tracing_enabled():
            try:
                from aws_lambda_powertools import Tracer

                # Patch only what we call out to: the database driver and AWS SDK (not patch_all).
                _tracer = Tracer(service="smartgrocer", auto_patch=False)
                _tracer.patch(["pymongo", "botocore"])
            except ImportError:  # aws-xray-sdk is not in the layer unless requirements.txt adds it
                logger.warning("POWERTOOLS_TRACE_DISABLED=false but aws-xray-sdk is not installed; not tracing")
    return _tracer


def count_cold_start(context: Any) -> None:
    """One `ColdStart` per container, on its first invocation, per function."""
    global _cold
    if not _cold:
        return
    _cold = False
    with single_metric(name=COLD_START, unit=MetricUnit.Count, value=1, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="function_name", value=str(getattr(context, "function_name", "") or "local"))


def reset_cold_start() -> None:
    """The next invocation counts as a cold start again (a container resumed from a SnapStart snapshot)."""
    global _cold
    _cold = True


def flush_metrics() -> None:
    """Write the invocation's business metrics as one EMF line (nothing when none were recorded)."""
    if metrics.metric_set:
        metrics.flush_metrics()


def observed(handler: Callable[[dict, Any], Any], *, http: bool = False) -> Callable[[dict, Any], Any]:
    """Wrap a Lambda handler: context and correlation id in the logs, metrics flushed, optional traces."""
    correlation = correlation_paths.API_GATEWAY_HTTP if http else None

    @functools.wraps(handler)
    def run(event: dict, context: Any) -> Any:
        count_cold_start(context)
        traced = tracer()
        inner = traced.capture_lambda_handler(handler, capture_response=False) if traced else handler
        try:
            return logged(inner)(event, context)
        finally:
            flush_metrics()

    logged = functools.partial(logger.inject_lambda_context, correlation_id_path=correlation, clear_state=True)
    return run


def background_function(handler: Callable[[dict, Any], Any]) -> Callable[[dict, Any], Any]:
    """The one decorator for functions that are not HTTP routes (notifier, reconciler, index step)."""
    from smartgrocer.web import snapstart

    snapstart.install()  # the restore hooks, should the function run with SnapStart
    return observed(handler)
