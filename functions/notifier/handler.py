"""Order and account events (EventBridge) -> email. Failures raise so the platform retries."""

from smartgrocer import wiring  # noqa: F401  (adapters for the domain's ports)
from smartgrocer.domain.notifications import handle
from smartgrocer.web.logging import logger
from smartgrocer.web.observability import background_function


@background_function
def lambda_handler(event: dict, context) -> dict:
    sent = handle(event)
    logger.info("notifications sent", extra={"detail_type": event.get("detail-type"), "count": len(sent)})
    return {"sent": sent}
