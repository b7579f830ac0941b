"""Scheduled: the reconciler. Closes interrupted and expired checkouts (releasing their stock),
finishes pending effects (refunds, stock, projections, events) and checks the stock invariant."""

from smartgrocer import wiring  # noqa: F401  (adapters for the domain's ports)
from smartgrocer.domain import metrics
from smartgrocer.domain.reconciler import reconcile
from smartgrocer.web.logging import logger
from smartgrocer.web.observability import background_function


@background_function
def lambda_handler(event: dict, context) -> dict:
    result = reconcile()
    logger.info("reconciler run", extra=result)
    metrics.count(metrics.RECONCILER_REPAIRS, result["repairs"])
    return result
