from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from smartgrocer.money import parse_amount


class RequestModel(BaseModel):
    """Request bodies: unknown fields are rejected, so nothing can be set by mass assignment. Integers and
    booleans are declared `strict` field by field: `true` is not a quantity and `0` is not `false`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    # Every field of a response is always sent (null when empty): the schema says so, so generated
    # clients need no "is it there?" checks for fields that are never missing.
    model_config = ConfigDict(extra="ignore", json_schema_serialization_defaults_required=True)


AmountIn = Annotated[
    int,
    BeforeValidator(parse_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{1,6}(\.\d{1,2})?$"},
                {"type": "number", "minimum": 0, "maximum": 100000, "multipleOf": 0.01},
            ],
            "description": 'Decimal amount with at most two places, e.g. "3.49"',
        }
    ),
]
AmountOut = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["3.49"])]


def _as_utc(moment: datetime) -> datetime:
    # Timestamps leave the API as RFC 3339 UTC ("...Z"), whatever the driver handed back: a naive value
    # (a store that dropped the zone, e.g. nx-27017 after `$set`) is UTC by construction here.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]

# Models no function needs to build at import: the error envelope (documented in the OpenAPI build; error
# bodies are written as plain JSON by web.app) and the generic page. Same names, imported on first use, so a
# cold start does not pay for building their schemas.
_ENVELOPES = frozenset({"Page", "ErrorBody", "ErrorResponse"})


def __getattr__(name: str) -> Any:
    if name in _ENVELOPES:
        from smartgrocer.models import envelopes

        return getattr(envelopes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
