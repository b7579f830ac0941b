from typing import Protocol

from smartgrocer import settings
from smartgrocer.domain import ports
from smartgrocer.errors import Unavailable


class DatabaseProbe(Protocol):
    def ping(self) -> None:
        """Raises when the database cannot be reached."""


def check() -> dict:
    try:
        ports.resolve(DatabaseProbe).ping()
    except Exception:  # any failure to reach the database is an outage from the caller's side
        raise Unavailable(
            "The database is unavailable.", code="database_unavailable", retry_after=settings.DB_RETRY_AFTER_SECONDS
        ) from None
    return {"status": "ok", "db": "ok"}
