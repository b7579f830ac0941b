"""Domain events (order and account changes), through the `EventPublisher` port.

Order events are effects of the money core: published from the checkout's outbox, so a crash or a
bus outage delays them (the reconciler retries) but never loses them. Account events use
`publish_safely`: a broken bus must not fail a signup."""

from __future__ import annotations

from typing import Protocol

from smartgrocer.domain import ports
from smartgrocer.web.logging import logger


class EventPublisher(Protocol):
    def publish(self, source: str, detail_type: str, detail: dict) -> None: ...


def publish(source: str, detail_type: str, detail: dict) -> None:
    ports.resolve(EventPublisher).publish(source, detail_type, detail)


def publish_safely(source: str, detail_type: str, detail: dict) -> bool:
    try:
        publish(source, detail_type, detail)
        return True
    except Exception:  # logged and counted; the request that caused the event still succeeds
        logger.exception("event publish failed", extra={"detail_type": detail_type})
        return False
