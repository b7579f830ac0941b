"""Scheduled: the reconciler. Closes interrupted and expired checkouts (releasing their stock),
finishes pending effects (refunds, stock, projections, events) and checks the stock invariant."""

from smartgrocer import wiring  # noqa: F401  (adapters for the domain's ports)
from smartgrocer.domain.reconciler import reconcile
from smartgrocer.web.logging import logger


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context) -> dict:
    result = reconcile()
    logger.info("reconciler run", extra=result)
    return result
