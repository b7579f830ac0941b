"""Event publishers: EventBridge in AWS, the local runner's event endpoint locally."""

from __future__ import annotations

import json
import urllib.request
from functools import lru_cache


class EventBridgePublisher:
    def __init__(self, bus_name: str):
        self.bus_name = bus_name

    @staticmethod
    @lru_cache(maxsize=1)
    def _client():
        import boto3
        from botocore.config import Config

        return boto3.client("events", config=Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2}))

    def publish(self, source: str, detail_type: str, detail: dict) -> None:
        result = self._client().put_events(
            Entries=[
                {
                    "Source": source,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, default=str),
                    "EventBusName": self.bus_name,
                }
            ]
        )
        if result.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge rejected the event: {result['Entries']}")


class HttpEventPublisher:
    """Posts EventBridge-shaped events to the local runner, which invokes the subscribed functions."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def publish(self, source: str, detail_type: str, detail: dict) -> None:
        event = {"source": source, "detail-type": detail_type, "detail": detail}
        request = urllib.request.Request(
            self.endpoint,
            data=json.dumps(event, default=str).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - loopback endpoint from config
            response.read()


class DiscardingPublisher:
    def publish(self, source: str, detail_type: str, detail: dict) -> None:
        return None
