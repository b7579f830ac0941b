"""Sellers' payout accounts and commission (DESIGN.md section 11)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smartgrocer.models.common import RequestModel, ResponseModel, UtcDateTime
from smartgrocer.models.fulfilment import DeliveryTermsOut, PickupTermsOut
from smartgrocer.models.orders import OrderOut

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


# -- the seller's public page and their "about" text -----------------------------------------------

ABOUT_MAX = 500


class SellerAboutRequest(RequestModel):
    about: str = Field(
        max_length=ABOUT_MAX,
        description=f"What shoppers read on the seller's page, at most {ABOUT_MAX} characters; empty clears it",
        examples=["Family farm in the Wye valley: vegetables picked the morning they are packed."],
    )


class SellerProfileOut(ResponseModel):
    """The signed-in seller's public profile as they edit it."""

    id: str
    name: str
    about: str
    listed: bool = Field(description="Whether shoppers can see the seller's page (only once payouts are active)")
    updated_at: UtcDateTime | None = None


class SellerPublicOut(ResponseModel):
    """A seller's public page: who they are and how they get orders to shoppers."""

    id: str
    name: str
    about: str = Field(description="The seller's own words; empty when they wrote none")
    timezone: str | None = Field(description="The time zone of their windows; null: no delivery or pickup windows")
    delivery: DeliveryTermsOut | None = Field(description="Their delivery terms; null: no delivery windows")
    pickup: PickupTermsOut | None = Field(description="Where to collect and until when; null: no pickup")


class StatusCountOut(ResponseModel):
    status: Literal["confirmed", "packed", "out_for_delivery", "delivered", "cancelled"] = Field(
        description="confirmed: to pack"
    )
    count: int = Field(description="At most `limit`: a count equal to it means that many or more")


class SellerOrderCountsOut(ResponseModel):
    """How many of the seller's orders are in each status (with the listing's window filter, if any)."""

    by_status: list[StatusCountOut] = Field(description="Every status a seller's order can be in, in flow order")
    limit: int = Field(description="Counts stop at this number")


class SellerOrdersPage(ResponseModel):
    items: list[OrderOut]
    next_cursor: str | None = None
    counts: SellerOrderCountsOut | None = Field(
        description="Orders per status, on the first page only (null on the pages after it)"
    )
