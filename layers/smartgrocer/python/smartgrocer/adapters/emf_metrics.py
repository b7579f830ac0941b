"""`BusinessMetrics` as CloudWatch embedded metric format (Powertools Metrics, flushed by the wrapper)."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from smartgrocer.web.observability import metrics


class EmfMetrics:
    def count(self, name: str, value: float = 1) -> None:
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
