"""Sellers' payout accounts and commission (DESIGN.md section 11)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smartgrocer.models.common import RequestModel, ResponseModel, UtcDateTime

PayoutStatus = Literal["none", "pending", "active"]


class PayoutAccountOut(ResponseModel):
    status: PayoutStatus = Field(
        description="none: no account yet; pending: onboarding not finished; active: money can reach it "
        "(only then are the seller's products listed and sold)"
    )
    account_id: str | None = Field(description="The payment provider's connected account, once created")
    commission_bps: int = Field(description="The commission on goods charged to this seller, in basis points")
    platform_commission_bps: int = Field(description="The platform's rate, in basis points")
    updated_at: UtcDateTime | None = None


class OnboardingLinkOut(ResponseModel):
    url: str = Field(description="Where the seller completes onboarding with the payment provider (single use)")


class SellerCommissionRequest(RequestModel):
    commission_bps: int | None = Field(
        strict=True,
        ge=0,
        le=5000,
        description="The seller's commission on goods in basis points (1000 = 10 %), or null for the platform's rate",
    )


class SellerOut(ResponseModel):
    id: str
    name: str
    email: str
    payout_status: PayoutStatus
    account_id: str | None
    commission_bps: int | None = Field(description="The seller's own rate, or null: the platform's rate applies")
    effective_commission_bps: int
    updated_at: UtcDateTime | None = None
