"""Response envelopes that no function builds at import (see `models.common`): the error body every
error response carries, documented for the OpenAPI build, and the generic page."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import Field

from smartgrocer.models.common import ResponseModel

T = TypeVar("T")


class Page(ResponseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class ValidationIssue(ResponseModel):
    """One entry of a 422 `validation_error`'s details: `loc` ends in the offending field's name."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(ResponseModel):
    code: str
    message: str
    details: list[ValidationIssue] | Any = Field(
        default=None,
        description="validation_error: the issues, one per field; other codes: what the message is about "
        "(the products short of stock, the current product of a stale edit, ...)",
    )


class ErrorResponse(ResponseModel):
    error: ErrorBody
