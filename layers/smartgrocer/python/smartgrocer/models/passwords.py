"""Password bodies: the rules a new password follows (signup's too), reset and change requests."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from smartgrocer.models.common import RequestModel, ResponseModel


def password_fits_bcrypt(value: str) -> str:
    if len(value.encode("utf-8")) > 72:
        raise PydanticCustomError(
            "password_too_long", "Password can be at most 72 bytes: fewer characters, or fewer accented ones."
        )
    return value


NewPassword = Annotated[
    str,
    Field(min_length=8, max_length=72, description="At least 8 characters, at most 72 bytes (UTF-8)"),
    AfterValidator(password_fits_bcrypt),
]


class PasswordResetRequest(RequestModel):
    email: str = Field(min_length=3, max_length=254)


class PasswordResetConfirm(RequestModel):
    token: str = Field(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    new_password: NewPassword


class PasswordChangeRequest(RequestModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: NewPassword


class MessageOut(ResponseModel):
    message: str
