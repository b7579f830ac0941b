"""MongoDB connection: one small client per container, created on first use.

`serverSelectionTimeoutMS` is a few seconds so an outage answers 503 long before API Gateway's
29 s limit (the driver's default is 30 s).
"""

from __future__ import annotations

import threading

from pymongo import MongoClient
from pymongo.database import Database

from smartgrocer import settings

_client: MongoClient | None = None
_lock = threading.Lock()


def client() -> MongoClient:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = MongoClient(
                    settings.mongodb_uri(),
                    maxPoolSize=settings.env_int("MONGODB_MAX_POOL_SIZE", 5),
                    serverSelectionTimeoutMS=settings.env_int("MONGODB_SERVER_SELECTION_TIMEOUT_MS", 3000),
                    connectTimeoutMS=settings.env_int("MONGODB_CONNECT_TIMEOUT_MS", 3000),
                    socketTimeoutMS=settings.env_int("MONGODB_SOCKET_TIMEOUT_MS", 10000),
                    retryWrites=True,
                    tz_aware=True,
                    appname="smartgrocer",
                )
    return _client


def db() -> Database:
    return client()[settings.mongodb_db()]


def reset() -> None:
    """Drop the cached client (tests that point the same process at another database)."""
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None
