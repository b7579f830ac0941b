"""The signup body, on its own so only the signup function pays for email validation at cold start."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from smartgrocer.domain import addresses
from smartgrocer.models.addresses import in_words
from smartgrocer.models.common import RequestModel
from smartgrocer.models.passwords import password_fits_bcrypt as _password_fits_bcrypt

EMAIL_HINT = "Enter an email address like name@example.com"


def _email(value: str) -> str:
    """An address email can be sent to, as EmailStr checks it, refused in words instead of the validator's."""
    from pydantic.networks import validate_email

    try:
        return validate_email(value)[1]
    except PydanticCustomError:
        raise PydanticCustomError("email", EMAIL_HINT) from None


Email = Annotated[str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_email)]


class SignupRequest(RequestModel):
    email: Email = Field(description=f"{EMAIL_HINT}; at most 254 characters")
    password: str = Field(min_length=8, max_length=72, description="8 to 72 characters (at most 72 bytes in UTF-8)")
    full_name: str = Field(min_length=1, max_length=120, description="At most 120 characters")
    phone: str | None = Field(
        default=None,
        max_length=32,
        description="Optional: 7 to 15 digits, with spaces, brackets or dashes, optionally after a +",
    )
    is_seller: bool = Field(default=False, strict=True)

    _pw = field_validator("password")(_password_fits_bcrypt)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        # The profile's rule: a phone accepted here is one the profile and the address book accept later.
        return in_words("phone", addresses.check_phone, value)
