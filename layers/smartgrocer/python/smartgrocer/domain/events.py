"""Domain events (order and account changes). Publishing never fails the caller's request:
notifications are a side effect, and a slow or broken bus must not break checkout."""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from smartgrocer import settings
from smartgrocer.web.logging import logger


class EventPublisher(Protocol):
    def publish(self, source: str, detail_type: str, detail: dict) -> None: ...


@lru_cache(maxsize=1)
def publisher() -> EventPublisher:
    from smartgrocer.adapters import event_bus

    if settings.env("EVENT_BUS_NAME"):
        return event_bus.EventBridgePublisher(settings.env("EVENT_BUS_NAME"))
    if settings.env("LOCAL_EVENTS_ENDPOINT"):
        return event_bus.HttpEventPublisher(settings.env("LOCAL_EVENTS_ENDPOINT"))
    return event_bus.DiscardingPublisher()


def publish_safely(source: str, detail_type: str, detail: dict) -> bool:
    try:
        publisher().publish(source, detail_type, detail)
        return True
    except Exception:  # logged and counted; the request that caused the event still succeeds
        logger.exception("event publish failed", extra={"detail_type": detail_type})
        return False
