"""Domain errors. Each carries its HTTP status; the mapping to responses lives in `web.app`."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details
        self.retry_after = retry_after


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class PreconditionFailed(AppError):
    status, code = 412, "precondition_failed"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class Invalid(AppError):
    status, code = 422, "validation_error"


class PreconditionRequired(AppError):
    status, code = 428, "precondition_required"


class RateLimited(AppError):
    status, code = 429, "rate_limited"


class Unavailable(AppError):
    status, code = 503, "unavailable"


class PaymentError(AppError):
    status, code = 502, "payment_provider_error"
