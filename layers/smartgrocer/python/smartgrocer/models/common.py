from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from smartgrocer.money import parse_amount


class RequestModel(BaseModel):
    """Request bodies: unknown fields are rejected, so nothing can be set by mass assignment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


AmountIn = Annotated[
    int,
    BeforeValidator(parse_amount),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\d{1,6}(\.\d{1,2})?$"},
                              {"type": "number", "minimum": 0, "maximum": 100000, "multipleOf": 0.01}],
                    "description": "Decimal amount with at most two places, e.g. \"3.49\""}),
]
AmountOut = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["3.49"])]

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
