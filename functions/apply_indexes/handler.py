"""Runs on every deploy (CDK Trigger): applies the declared MongoDB indexes, idempotently."""

from smartgrocer import wiring  # noqa: F401  (adapters for the domain's ports)
from smartgrocer.adapters.mongo import db
from smartgrocer.indexes import apply_indexes
from smartgrocer.web.logging import logger
from smartgrocer.web.observability import background_function


@background_function
def lambda_handler(event: dict, context) -> dict:
    applied = apply_indexes(db())
    logger.info("indexes applied", extra={"indexes": applied})
    return {"applied": applied}
