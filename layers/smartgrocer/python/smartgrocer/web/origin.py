"""Only CloudFront reaches the API: every request must carry the origin-verify header that the
distribution adds to each request it forwards to API Gateway.

The value lives in Secrets Manager as `{"current": "...", "previous": "..."}`. CloudFront sends
`current`; functions accept either, so the secret can be rotated without downtime (docs/deploy.md):
put a new `current` (the old one becomes `previous`), wait out the functions' five-minute secret cache,
then redeploy so CloudFront sends the new value.

- In AWS the stack sets `ORIGIN_VERIFY_SECRET_ARN` on every HTTP function; a Lambda without it
  accepts nothing (fails closed).
- Locally there is no CloudFront: the check is off unless `ORIGIN_VERIFY_SECRET` is set (plain value
  or the same JSON), which is how the tests exercise it.
"""

from __future__ import annotations

import hmac
import json
import os

from smartgrocer.errors import Forbidden

HEADER = "x-origin-verify"  # API Gateway v2 lower-cases header names
SECRET_CACHE_SECONDS = 300


def accepted_values() -> tuple[str, ...] | None:
    """The values a request may carry; None when the check is off (local runtime, nothing configured)."""
    arn = os.environ.get("ORIGIN_VERIFY_SECRET_ARN")
    if arn:
        from aws_lambda_powertools.utilities import parameters  # boto3: every AWS function reads secrets anyway

        return parse(parameters.get_secret(arn, max_age=SECRET_CACHE_SECONDS))
    raw = os.environ.get("ORIGIN_VERIFY_SECRET")
    if raw is not None:
        return parse(raw)
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        from smartgrocer.web.logging import logger

        logger.error("ORIGIN_VERIFY_SECRET_ARN is not set: refusing every request")
        return ()
    return None


def parse(raw: str) -> tuple[str, ...]:
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if isinstance(value, dict):
        candidates = [value.get("current"), value.get("previous")]
    else:
        candidates = [value]
    return tuple(v for v in candidates if isinstance(v, str) and v)


def verify(headers) -> None:
    """Raise 403 unless the request carries an accepted origin-verify value (constant-time compare)."""
    accepted = accepted_values()
    if accepted is None:
        return
    presented = (headers.get(HEADER) or "").encode()
    if not any(hmac.compare_digest(presented, value.encode()) for value in accepted):
        raise Forbidden("Requests must come through the site.", code="forbidden_origin")
