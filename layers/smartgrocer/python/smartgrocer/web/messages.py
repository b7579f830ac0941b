"""Validation messages in words a seller or shopper understands.

Pydantic's own messages ("String should have at most 120 characters", "Input should be greater than or
equal to 0") are written for developers. Every 422 detail keeps Pydantic's `loc` and `type` (what clients
map to a field) and gets a sentence naming the field and, where there is one, the limit. Errors a model
raises itself with words of its own (`PydanticCustomError`) pass through unchanged.
"""

from __future__ import annotations

from typing import Any

# Field names that are not words as they are; the others read as their name with spaces.
LABELS = {
    "min_weight_g": "Minimum weight (g)",
    "step_g": "Step (g)",
    "content_type": "Photo type",
    "size": "File size",
    "images": "Photos",
    "is_seller": "Seller account",
}
# What a field with a pattern takes, said instead of the pattern.
FORMATS = {
    "unit": "Unit can use letters, digits, spaces and dots only, e.g. each or 500 g.",
}
_CONTAINERS = {"body", "query", "path", "header"}


def field_label(loc: tuple | list) -> str:
    """The field an error is about, in words: its last named part ("images", 2 -> "Photos")."""
    names = [part for part in loc if isinstance(part, str) and part not in _CONTAINERS and part != "[key]"]
    if not names:
        return "This value"
    name = names[-1]
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def _count(value: Any, unit: str) -> str:
    return f"{value} {unit}" if value == 1 else f"{value} {unit}s"


def plain_message(error: dict[str, Any]) -> str:
    """The sentence for one Pydantic error (a dict of `ValidationError.errors()`)."""
    kind = error.get("type", "")
    msg = str(error.get("msg", "invalid"))
    ctx = error.get("ctx") or {}
    value = error.get("input")
    label = field_label(error.get("loc", ()))
    if kind == "string_too_long":
        most = ctx.get("max_length")
        have = f" (this one has {len(value)})" if isinstance(value, str) else ""
        return f"{label} can be at most {_count(most, 'character')}{have}."
    if kind == "string_too_short":
        least = ctx.get("min_length")
        return f"{label} is required." if least == 1 else f"{label} must be at least {_count(least, 'character')}."
    if kind == "too_long":
        return f"{label} can have at most {ctx.get('max_length')}."
    if kind == "too_short":
        return f"{label} needs at least {ctx.get('min_length')}."
    if kind == "greater_than_equal":
        least = ctx.get("ge")
        if least == 0:
            return f"{label} can't be negative: enter 0 or more."
        return f"{label} must be at least {least}."
    if kind == "greater_than":
        return f"{label} must be more than {ctx.get('gt')}."
    if kind == "less_than_equal":
        return f"{label} can be at most {ctx.get('le'):,}." if isinstance(ctx.get("le"), int) else msg
    if kind == "less_than":
        return f"{label} must be less than {ctx.get('lt')}."
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"{label} must be a whole number, like 12."
    if kind in {"string_type", "str_type"}:
        return f"{label} must be text."
    if kind in {"bool_type", "bool_parsing"}:
        return f"{label} must be true or false."
    if kind == "missing":
        return f"{label} is required."
    if kind == "extra_forbidden":
        return f"{label} is not something you can set here."
    if kind in {"literal_error", "enum"}:
        return f"{label} must be one of: {ctx.get('expected', 'the listed choices')}."
    if kind == "string_pattern_mismatch":
        names = [part for part in error.get("loc", ()) if isinstance(part, str)]
        if names and names[-1] in FORMATS:
            return FORMATS[names[-1]]
        return f"{label} contains characters that are not allowed here."
    if kind in {"list_type", "dict_type", "model_type", "model_attributes_type"}:
        return f"{label} is not in the expected form."
    if kind == "value_error":
        text = msg.removeprefix("Value error, ").strip()
        if text[:1].islower():  # a fragment ("must not be negative"): say which field it is about
            text = f"{label} {text}" if text.startswith(("must ", "is ", "can")) else f"{label}: {text}"
        return text if text.endswith(".") else f"{text}."
    return msg
