"""Delivery and pickup windows: a seller's settings (`PUT /api/seller/fulfilment`), the windows a shopper
chooses from (`GET /api/sellers/{id}/slots`) and the checkout's choice per seller.

Each field is checked here; what depends on several fields (an end after its start, windows that do
not overlap, an address when pickup is on, at least one method on, a time zone that exists) is
checked by domain/fulfilment.py (`validate_settings`), which names every problem's field. The bounds
are those of domain/fulfilment.py, which also checks them.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema, model_validator

from smartgrocer.models.common import AmountOut, RequestModel, ResponseModel, UtcDateTime
from smartgrocer.money import parse_amount

Method = Literal["delivery", "pickup"]
MAX_AMOUNT_CENTS = 100_000  # 1000.00: fees, free-delivery thresholds and minimum orders
MAX_SLOTS = 50
SLOT_ID_EXAMPLE = "delivery-2026-03-29-09:00"

# ASCII digits only, matched whole (`fullmatch`: "$" would let a trailing newline through).
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_SLOT_ID = re.compile(r"(delivery|pickup)-[0-9]{4}-[0-9]{2}-[0-9]{2}-([01][0-9]|2[0-3]):[0-5][0-9]")


def _hhmm(value: str) -> str:
    if not _HHMM.fullmatch(value):
        raise ValueError("must be a time written HH:MM, from 00:00 to 23:59")
    return value


def _at_most(cents: int) -> int:
    if cents > MAX_AMOUNT_CENTS:
        raise ValueError("must be at most 1000.00")
    return cents


def _slot_id(value: str) -> str:
    if not _SLOT_ID.fullmatch(value):
        raise ValueError(f"must be one of the seller's window ids, like {SLOT_ID_EXAMPLE}")
    return value


LocalTime = Annotated[
    str,
    AfterValidator(_hhmm),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{_HHMM.pattern}$",
            "examples": ["09:00"],
            "description": "Local time, HH:MM (24 h)",
        }
    ),
]
# Like `AmountIn` (a decimal string or number, at most two places, to integer cents), capped at 1000.00.
FulfilmentAmount = Annotated[
    int,
    BeforeValidator(parse_amount),
    AfterValidator(_at_most),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{1,4}(\.\d{1,2})?$"},
                {"type": "number", "minimum": 0, "maximum": 1000, "multipleOf": 0.01},
            ],
            "description": 'Decimal amount from 0 to 1000 with at most two places, e.g. "3.49"',
        }
    ),
]
SlotId = Annotated[
    str,
    AfterValidator(_slot_id),
    WithJsonSchema({"type": "string", "pattern": f"^{_SLOT_ID.pattern}$", "examples": [SLOT_ID_EXAMPLE]}),
]
SellerKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CUTOFF = "Orders close this many hours before a window starts"


# -- the seller's settings -------------------------------------------------------------------------


class SlotIn(RequestModel):
    """A weekly window: every `weekday`, from `start` to `end` in the seller's time zone."""

    weekday: int = Field(ge=0, le=6, strict=True, description="0 = Monday ... 6 = Sunday")
    start: LocalTime
    end: LocalTime = Field(description="After `start`, the same day")
    capacity: int = Field(ge=1, le=500, strict=True, description="How many orders the window takes")


class DeliveryIn(RequestModel):
    enabled: bool = Field(strict=True)
    fee: FulfilmentAmount = Field(default=0, description="Added to the seller's order")
    free_over: FulfilmentAmount | None = Field(
        default=None, description="Delivery is free when the order's goods reach this; null: never free"
    )
    min_order: FulfilmentAmount = Field(default=0, description="The least an order's goods must come to")
    cutoff_hours: int = Field(default=0, ge=0, le=72, strict=True, description=CUTOFF)
    slots: list[SlotIn] = Field(default_factory=list, max_length=MAX_SLOTS)


class PickupIn(RequestModel):
    enabled: bool = Field(strict=True)
    address: str | None = Field(
        default=None, min_length=1, max_length=300, description="Where shoppers collect; required when enabled"
    )
    cutoff_hours: int = Field(default=0, ge=0, le=72, strict=True, description=CUTOFF)
    slots: list[SlotIn] = Field(default_factory=list, max_length=MAX_SLOTS)


class FulfilmentSettingsIn(RequestModel):
    """The whole of a seller's fulfilment settings (PUT replaces them): a method turned off is `{"enabled": false}`."""

    timezone: str = Field(
        min_length=1, max_length=64, examples=["Europe/London"], description="IANA time zone of the windows"
    )
    delivery: DeliveryIn
    pickup: PickupIn


class SlotOut(ResponseModel):
    weekday: int
    start: str
    end: str
    capacity: int


class DeliveryOut(ResponseModel):
    enabled: bool
    fee: AmountOut
    free_over: AmountOut | None = Field(description="Null: delivery is never free")
    min_order: AmountOut
    cutoff_hours: int
    slots: list[SlotOut]


class PickupOut(ResponseModel):
    enabled: bool
    address: str | None
    cutoff_hours: int
    slots: list[SlotOut]


class FulfilmentSettingsOut(ResponseModel):
    timezone: str
    delivery: DeliveryOut
    pickup: PickupOut
    configured: bool = Field(
        default=True,
        description="False: the seller has set none (this is the empty form), and arranges delivery themselves",
    )


# -- the windows a shopper chooses from ------------------------------------------------------------


class WindowOut(ResponseModel):
    slot_id: str = Field(examples=[SLOT_ID_EXAMPLE])
    method: Method
    start: UtcDateTime
    end: UtcDateTime
    local_date: str = Field(description="The day of the window in the seller's time zone, YYYY-MM-DD")
    local_start: str = Field(examples=["09:00"], description="Start, HH:MM in the seller's time zone")
    local_end: str = Field(examples=["12:00"], description="End, HH:MM in the seller's time zone")
    label: str = Field(examples=["Sunday 29 March, 09:00-12:00"], description="The window in the seller's local time")
    cutoff_at: UtcDateTime = Field(description="Orders for this window are taken until then")
    remaining: int = Field(description="Orders the window can still take (0: full)")


class DeliveryTermsOut(ResponseModel):
    fee: AmountOut = Field(description="Added to the seller's order unless its goods reach `free_over`")
    free_over: AmountOut | None = Field(description="Null: delivery is never free")
    min_order: AmountOut = Field(description="The least an order's goods must come to for delivery")
    cutoff_hours: int


class PickupTermsOut(ResponseModel):
    address: str = Field(description="Where shoppers collect their orders")
    cutoff_hours: int


class SellerSlotsOut(ResponseModel):
    seller_id: str
    seller_name: str
    timezone: str
    delivery: DeliveryTermsOut | None = Field(description="The seller's delivery terms; null: no delivery")
    pickup: PickupTermsOut | None = Field(description="Where to collect; null: no pickup")
    items: list[WindowOut] = Field(description="Open windows in time order, at most 6 days ahead")


# -- the seller's packing list for one window ------------------------------------------------------


class PackingLineOut(ResponseModel):
    line_id: str
    product_id: str
    name: str
    unit: str
    sold_by: Literal["unit", "weight"]
    quantity: int | None = Field(description="Ordered count (products sold by the unit)")
    weight_g: int | None = Field(description="Ordered grams (products sold by weight)")
    substitution: str = Field(description="What the shopper accepts when it is short")


class PackingProductOut(ResponseModel):
    product_id: str
    name: str
    unit: str
    sold_by: Literal["unit", "weight"]
    quantity: int | None = Field(description="Units across the window's orders (products sold by the unit)")
    weight_g: int | None = Field(description="Grams across the window's orders (products sold by weight)")
    orders: int = Field(description="How many orders ask for it")


class PackingAddressOut(ResponseModel):
    # the order's shipping address as stored (models/orders.py imports this module, not the reverse)
    full_name: str
    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    country: str
    phone: str | None = None


class PackingOrderOut(ResponseModel):
    order_id: str
    number: str = Field(description="The order's number, as shoppers and sellers know it (SG-7K3F-92)")
    status: Literal["confirmed", "packed", "out_for_delivery"]
    buyer_name: str = Field(description="From the shipping address")
    item_count: int = Field(description="Items: a unit line counts its quantity, a weighed line counts 1")
    address: PackingAddressOut | None = Field(description="Where to deliver; null for pickup")
    created_at: UtcDateTime
    lines: list[PackingLineOut]


class PackingListOut(ResponseModel):
    slot_id: str = Field(examples=[SLOT_ID_EXAMPLE])
    method: Method
    local_date: str
    local_start: str
    label: str = Field(description="The window in the seller's local time")
    order_count: int
    products: list[PackingProductOut] = Field(description="Each product once, summed over the orders, by name")
    orders: list[PackingOrderOut] = Field(description="The window's live orders, oldest first")


# -- the checkout's choice -------------------------------------------------------------------------


class FulfilmentChoice(RequestModel):
    method: Method
    slot_id: SlotId

    @model_validator(mode="after")
    def _same_method(self) -> Self:
        if not self.slot_id.startswith(self.method + "-"):
            raise ValueError(f"slot_id {self.slot_id} is not a {self.method} window")
        return self


# `fulfilment` of the checkout request: one choice per seller in the basket, keyed by seller id.
CheckoutFulfilment = Annotated[
    dict[SellerKey, FulfilmentChoice],
    Field(max_length=50, description="One {method, slot_id} per seller in the basket, keyed by seller id"),
]
