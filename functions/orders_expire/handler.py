"""Scheduled: expire unpaid checkouts (releasing their stock) and retry pending refunds."""

from smartgrocer import wiring  # noqa: F401  (adapters for the domain's ports)
from smartgrocer.domain.expiry import sweep
from smartgrocer.web.logging import logger


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context) -> dict:
    result = sweep()
    logger.info("order expiry sweep", extra=result)
    return result
