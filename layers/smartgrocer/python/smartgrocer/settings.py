"""Configuration from the environment, read once per container.

Secrets come from Secrets Manager in AWS (the stack sets `<NAME>_SECRET_ARN`, read through
Powertools parameters with caching) and from plain environment variables locally.
"""

from __future__ import annotations

import os
from functools import cache


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@cache
def secret(name: str, default: str | None = None) -> str:
    """A secret by logical name, e.g. `JWT_SECRET`: from `JWT_SECRET_ARN` in AWS, else `JWT_SECRET`."""
    arn = os.environ.get(f"{name}_ARN")
    if arn:
        from aws_lambda_powertools.utilities import parameters  # imports boto3: only where a secret is used

        return parameters.get_secret(arn, max_age=300)
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"configuration missing: set {name} (or {name}_ARN)")
    return value


def mongodb_uri() -> str:
    return secret("MONGODB_URI", "mongodb://127.0.0.1:27017/?directConnection=true")


def mongodb_db() -> str:
    return env("MONGODB_DB", "smartgrocer") or "smartgrocer"


CURRENCY = (env("CURRENCY", "usd") or "usd").lower()
JWT_ISSUER = env("JWT_ISSUER", "smartgrocer") or "smartgrocer"
JWT_AUDIENCE = env("JWT_AUDIENCE", "smartgrocer-api") or "smartgrocer-api"
ACCESS_TOKEN_TTL = env_int("ACCESS_TOKEN_TTL_SECONDS", 900)
REFRESH_TOKEN_TTL = env_int("REFRESH_TOKEN_TTL_SECONDS", 14 * 24 * 3600)
# A rotated refresh token presented again this soon, its successor still unused, is a lost answer (a
# reload while the refresh was in flight), not a stolen copy: answered again instead of ending the session.
REFRESH_REUSE_GRACE_SECONDS = env_int("REFRESH_REUSE_GRACE_SECONDS", 30)
MAX_BODY_BYTES = env_int("MAX_BODY_BYTES", 64 * 1024)
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_WINDOW_SECONDS = env_int("LOGIN_WINDOW_SECONDS", 300)
LOGIN_IP_MAX_FAILURES = env_int("LOGIN_IP_MAX_FAILURES", LOGIN_MAX_FAILURES * 4)  # many users behind one NAT
# Password reset links: how long one lives, and how many may be asked for per window (per email; the
# per-address limit is the login one), counted by the login limiter.
RESET_TOKEN_TTL_SECONDS = env_int("RESET_TOKEN_TTL_SECONDS", 30 * 60)
RESET_MAX_REQUESTS = env_int("RESET_MAX_REQUESTS", 3)
# Where a deactivated account is told to write.
SUPPORT_EMAIL = env("SUPPORT_EMAIL", "support@smartgrocer.test") or "support@smartgrocer.test"
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 5 * 1024 * 1024)
ORDER_PAYMENT_TTL_SECONDS = env_int("ORDER_PAYMENT_TTL_SECONDS", 30 * 60)
DB_RETRY_AFTER_SECONDS = 5
# Weighed lines are authorised with a margin, because the packed weight is known only at packing.
WEIGHT_BUFFER_BPS = env_int("WEIGHT_BUFFER_BPS", 1000)  # basis points: 1000 = 10 %
# Card holds last about 7 days: capture what is packed (and cancel the rest) before then.
AUTH_CAPTURE_DEADLINE_SECONDS = env_int("AUTH_CAPTURE_DEADLINE_SECONDS", 6 * 24 * 3600)
# The platform's commission on goods (never on delivery fees), unless an admin sets one for a seller.
PLATFORM_COMMISSION_BPS = env_int("PLATFORM_COMMISSION_BPS", 1000)  # basis points: 1000 = 10 %
# The site's public origin (e.g. https://shop.example.com): where the payment provider sends a seller back
# after onboarding, and what password reset links in mail start with. The stack always sets it (the custom
# domain, else CloudFront's); unset locally, where the page's own origin is used.
SITE_URL = env("SITE_URL", "") or ""
