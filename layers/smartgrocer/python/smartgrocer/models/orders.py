from __future__ import annotations

from typing import Literal, Self, TypeVar

from pydantic import Field, model_validator

from smartgrocer.models.addresses import AddressIn
from smartgrocer.models.common import AmountIn, AmountOut, RequestModel, ResponseModel, UtcDateTime
from smartgrocer.models.fulfilment import CheckoutFulfilment

OrderStatus = Literal[
    "pending_payment", "confirmed", "packed", "out_for_delivery", "delivered", "cancelled", "payment_failed"
]
PaymentStatus = Literal["unpaid", "authorized", "captured", "partially_refunded", "refunded", "voided", "failed"]
Substitution = Literal["none", "similar"]
MAX_WEIGHT_G = 100_000
ModelT = TypeVar("ModelT", bound=RequestModel)


def _exactly_one(model: ModelT, first: str, second: str, what: str) -> ModelT:
    if (getattr(model, first) is None) == (getattr(model, second) is None):
        raise ValueError(f"give exactly one of {first} or {second} ({what})")
    return model


class BasketLine(RequestModel):
    product_id: str = Field(min_length=1, max_length=64)
    quantity: int | None = Field(default=None, ge=1, le=100, strict=True, description="For products sold by unit")
    weight_g: int | None = Field(
        default=None,
        ge=1,
        le=MAX_WEIGHT_G,
        strict=True,
        description="For products sold by weight: grams, at least the product's min_weight_g, in its step_g",
    )
    substitution: Substitution = Field(
        default="none", description="'similar': the seller may replace what is missing with a similar product"
    )

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        return _exactly_one(self, "quantity", "weight_g", "a count for unit products, grams for weighed ones")


class ShippingAddress(AddressIn):
    """Where the orders go. The checkout keeps its own copy: editing the address book later changes no order."""


class CheckoutRequest(RequestModel):
    items: list[BasketLine] = Field(min_length=1, max_length=50)
    shipping_address: ShippingAddress
    fulfilment: CheckoutFulfilment = Field(
        default_factory=dict,
        description="A delivery or pickup window per seller that offers windows (see GET /api/sellers/{id}/slots)",
    )


class OrderFulfilmentOut(ResponseModel):
    """The window the shopper chose with this seller."""

    method: Literal["delivery", "pickup"]
    slot_id: str
    start: UtcDateTime
    end: UtcDateTime
    local_date: str = Field(description="The window's day in the seller's time zone, YYYY-MM-DD")
    label: str = Field(description='As the seller writes it, e.g. "Tuesday 1 December, 09:00-12:00"')
    address: str | None = Field(description="Where to collect (pickup)")


class StatusUpdateRequest(RequestModel):
    status: OrderStatus


class SubstituteRequest(RequestModel):
    product_id: str = Field(min_length=1, max_length=64)
    quantity: int | None = Field(default=None, ge=1, le=100, strict=True)
    weight_g: int | None = Field(default=None, ge=1, le=MAX_WEIGHT_G, strict=True)

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        return _exactly_one(self, "quantity", "weight_g", "the substitute's count or grams")


class PackLine(RequestModel):
    line_id: str = Field(min_length=1, max_length=16)
    packed_quantity: int | None = Field(
        default=None, ge=0, le=100, strict=True, description="Unit lines: how many were packed (0 = unavailable)"
    )
    packed_weight_g: int | None = Field(
        default=None,
        ge=0,
        le=MAX_WEIGHT_G,
        strict=True,
        description="Weighed lines: the weighed grams (0 = unavailable)",
    )
    substitute: SubstituteRequest | None = Field(
        default=None, description="Replaces the part not packed; only where the shopper allowed substitutes"
    )

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        return _exactly_one(
            self, "packed_quantity", "packed_weight_g", "a count for unit lines, grams for weighed ones"
        )


class PackRequest(RequestModel):
    lines: list[PackLine] = Field(min_length=1, max_length=50)


class RefundRequest(RequestModel):
    amount: AmountIn = Field(description="How much to give back, at most what is left of the order's charge")
    reason: str = Field(min_length=1, max_length=300, description="Shown to the shopper, kept in the order")


class RefundOut(ResponseModel):
    number: int
    amount: AmountOut
    reason: str
    at: UtcDateTime
    status: Literal["pending", "refunded"]


PayoutStatus = Literal["awaiting_capture", "pending", "paid", "partially_reversed", "reversed", "no_account"]


class PayoutOut(ResponseModel):
    """What the order pays its seller (shown to the seller and admins only)."""

    gross: AmountOut = Field(description="The order's final total")
    commission: AmountOut = Field(description="The platform's commission on the goods, net of what refunds gave back")
    commission_bps: int = Field(description="The commission rate, in basis points (1000 = 10 %)")
    net: AmountOut = Field(description="What is transferred to the seller")
    reversed: AmountOut = Field(description="Taken back from the seller by refunds")
    status: PayoutStatus


class SubstituteOut(ResponseModel):
    product_id: str
    name: str
    unit: str
    unit_price: AmountOut = Field(description="What the shopper is charged: never above the original's price")
    quantity: int | None = None
    weight_g: int | None = None
    line_total: AmountOut


class OrderLineOut(ResponseModel):
    line_id: str
    product_id: str
    name: str
    unit: str
    sold_by: Literal["unit", "weight"]
    unit_price: AmountOut = Field(description="Per item, or per kg when sold by weight")
    quantity: int | None = Field(description="Ordered count (unit lines)")
    weight_g: int | None = Field(description="Ordered grams (weighed lines)")
    substitution: Substitution
    line_total: AmountOut = Field(description="The estimate, at the ordered amount")
    packed_quantity: int | None = Field(description="Packed count, once packed")
    packed_weight_g: int | None = Field(description="Packed grams, once packed")
    substitute: SubstituteOut | None
    final_total: AmountOut | None = Field(description="What this line costs as packed (substitute included)")


class StatusChange(ResponseModel):
    status: OrderStatus
    at: UtcDateTime
    by: str


class AddressOut(ResponseModel):
    full_name: str
    line1: str
    line2: str | None = None
    city: str
    region: str | None = None
    postal_code: str | None = None
    country: str
    phone: str | None = None


class OrderOut(ResponseModel):
    id: str
    number: str = Field(
        description="The order's short number, shown to people and searched by admins", examples=["SG-7K3F-92"]
    )
    checkout_id: str
    user_id: str
    seller_id: str
    seller_name: str = ""
    items: list[OrderLineOut]
    item_count: int = Field(description="Items ordered: a unit line counts its quantity, a weighed line counts 1")
    total: AmountOut = Field(description="The final total once packed, the estimate until then")
    estimated_total: AmountOut
    authorized_amount: AmountOut = Field(description="This order's share of the card authorisation")
    final_total: AmountOut | None = Field(description="What is charged, once packed")
    released: AmountOut | None = Field(description="The part of the authorisation that will not be charged")
    currency: str
    status: OrderStatus
    payment_status: PaymentStatus
    shipping_address: AddressOut
    status_history: list[StatusChange]
    created_at: UtcDateTime
    updated_at: UtcDateTime
    expires_at: UtcDateTime | None = None
    payment_error: str | None = Field(
        default=None,
        description="The last decline while the order awaits payment: "
        "the shopper can pay again on the same payment until it expires",
    )
    allowed_transitions: list[OrderStatus] = Field(
        default_factory=list, description="Statuses the caller may move the order to next"
    )
    refunded: AmountOut = Field(default="0.00", description="Given back to the shopper so far")
    refundable: AmountOut | None = Field(
        default=None, description="What the caller may still refund (sellers and admins, captured orders), else null"
    )
    refunds: list[RefundOut] = Field(default_factory=list)
    payout: PayoutOut | None = Field(default=None, description="The seller's payout (seller and admins only)")
    delivery_fee: AmountOut = Field(default="0.00", description="Included in the totals above")
    fulfilment: OrderFulfilmentOut | None = Field(
        default=None, description="The chosen delivery or pickup window; null when the seller arranges delivery"
    )


class OrdersPage(ResponseModel):
    items: list[OrderOut]
    next_cursor: str | None = None


class PaymentInfo(ResponseModel):
    provider: Literal["stripe", "local"]
    client_secret: str
    amount: AmountOut = Field(description="The amount authorised (held) on the card; only what is packed is captured")
    estimated_total: AmountOut
    capture: Literal["manual"] = Field(description="The card is authorised now and charged once the order is packed")
    currency: str
    publishable_key: str | None = None


class CheckoutResponse(ResponseModel):
    checkout_id: str
    orders: list[OrderOut]
    payment: PaymentInfo


class CheckoutOut(ResponseModel):
    checkout_id: str
    status: Literal["pending_payment", "authorized", "capturing", "captured", "voided", "closed"]
    amount: AmountOut = Field(description="The authorised amount")
    estimated_total: AmountOut
    captured: AmountOut | None = Field(description="What was charged, once captured")
    currency: str
    expires_at: UtcDateTime
    payment_error: str | None = None
    orders: list[OrderOut]
    payment: PaymentInfo | None = Field(
        default=None, description="Present while the checkout awaits payment: resume the same payment with it"
    )


class RevenueDay(ResponseModel):
    date: str
    revenue: AmountOut
    orders: int


class TopProduct(ResponseModel):
    product_id: str
    name: str
    quantity: int
    revenue: AmountOut


class LowStockProduct(ResponseModel):
    product_id: str
    name: str
    stock: int = Field(description="Items, or grams when sold by weight")
    sold_by: Literal["unit", "weight"] = "unit"


class SellerAnalytics(ResponseModel):
    currency: str
    revenue_by_day: list[RevenueDay]
    total_revenue: AmountOut
    top_products: list[TopProduct]
    low_stock: list[LowStockProduct]


class PayoutRow(ResponseModel):
    order_id: str
    order_number: str = Field(description="The order's number (SG-7K3F-92)")
    captured_at: UtcDateTime
    order_status: OrderStatus
    status: PayoutStatus
    commission_bps: int
    gross: AmountOut = Field(description="The order's final total")
    commission: AmountOut = Field(description="Kept by the platform (net of commission given back with refunds)")
    net: AmountOut = Field(description="Transferred to the seller")
    reversed: AmountOut = Field(description="Taken back from the seller by refunds")
    refunded: AmountOut = Field(description="Given back to the shopper")


class PayoutTotals(ResponseModel):
    orders: int
    gross: AmountOut
    commission: AmountOut
    net: AmountOut
    reversed: AmountOut
    paid: AmountOut = Field(description="Net amounts already transferred")


class SellerPayouts(ResponseModel):
    currency: str
    items: list[PayoutRow]
    next_cursor: str | None = None
    totals: PayoutTotals


class FinanceDay(ResponseModel):
    date: str = Field(description="YYYY-MM-DD (UTC)")
    captured: AmountOut
    commission: AmountOut = Field(description="Commission kept: charged minus given back with refunds")
    refunds: AmountOut
    transfers: AmountOut = Field(description="Transferred to sellers minus reversals")


class FinanceTotals(ResponseModel):
    captured: AmountOut
    commission: AmountOut
    refunds: AmountOut
    transfers: AmountOut


class FinanceReport(ResponseModel):
    currency: str
    days: list[FinanceDay]
    totals: FinanceTotals
