from __future__ import annotations

from typing import Literal

from pydantic import Field

from smartgrocer.models.common import RequestModel, ResponseModel, UtcDateTime

Role = Literal["shopper", "seller", "admin"]


class LoginRequest(RequestModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(ResponseModel):
    id: str
    email: str
    full_name: str
    phone: str | None = None
    role: Role
    is_active: bool
    created_at: UtcDateTime


class AuthResponse(ResponseModel):
    """The access token (kept in memory by the SPA); the refresh token is set as an HttpOnly cookie."""

    user: UserOut
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserUpdateRequest(RequestModel):
    is_active: bool = Field(strict=True)
    reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why: required (not blank) to deactivate, optional to reactivate; kept in the audit trail",
    )


class AuditEntryOut(ResponseModel):
    id: str
    at: UtcDateTime
    actor_id: str = Field(description="The admin who did it")
    actor_email: str | None = None
    action: Literal["activate", "deactivate"]
    target_id: str = Field(description="The user it was done to")
    reason: str | None = None


class AuditTrail(ResponseModel):
    items: list[AuditEntryOut] = Field(description="Newest first, at most 100")


class UsersPage(ResponseModel):
    items: list[UserOut]
    next_cursor: str | None = None
