"""Response envelopes that no function builds at import (see `models.common`): the error body every
error response carries, documented for the OpenAPI build, and the generic page."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from smartgrocer.models.common import ResponseModel

T = TypeVar("T")


class Page(ResponseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class ErrorBody(ResponseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(ResponseModel):
    error: ErrorBody
