"""The signup body, on its own so only the signup function pays for email validation at cold start."""

from __future__ import annotations

from pydantic import EmailStr, Field, field_validator

from smartgrocer.models.common import RequestModel
from smartgrocer.models.passwords import password_fits_bcrypt as _password_fits_bcrypt


class SignupRequest(RequestModel):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=8, max_length=72)
    full_name: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()\-]{5,32}$")
    is_seller: bool = Field(default=False, strict=True)

    _pw = field_validator("password")(_password_fits_bcrypt)
