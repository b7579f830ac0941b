from smartgrocer import settings
from smartgrocer.adapters.mongo import db
from smartgrocer.errors import Unavailable


def check() -> dict:
    try:
        db().command("ping")
    except Exception:  # any failure to reach the database is an outage from the caller's side
        raise Unavailable("The database is unavailable.", code="database_unavailable",
                          retry_after=settings.DB_RETRY_AFTER_SECONDS) from None
    return {"status": "ok", "db": "ok"}
