from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field, field_validator

from smartgrocer.models.common import RequestModel, ResponseModel, UtcDateTime

Role = Literal["shopper", "seller", "admin"]


def _password_fits_bcrypt(value: str) -> str:
    if len(value.encode("utf-8")) > 72:
        raise ValueError("password must be at most 72 bytes (UTF-8)")
    return value


class SignupRequest(RequestModel):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=8, max_length=72)
    full_name: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()\-]{5,32}$")
    is_seller: bool = Field(default=False, strict=True)

    _pw = field_validator("password")(_password_fits_bcrypt)


class LoginRequest(RequestModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=10, max_length=512)


class UserOut(ResponseModel):
    id: str
    email: str
    full_name: str
    phone: str | None = None
    role: Role
    is_active: bool
    created_at: UtcDateTime


class AuthResponse(ResponseModel):
    user: UserOut
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserUpdateRequest(RequestModel):
    is_active: bool = Field(strict=True)


class UsersPage(ResponseModel):
    items: list[UserOut]
    next_cursor: str | None = None
