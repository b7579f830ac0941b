from __future__ import annotations

from typing import Literal

from pydantic import Field

from smartgrocer.models.common import AmountOut, RequestModel, ResponseModel, UtcDateTime

OrderStatus = Literal[
    "pending_payment", "paid", "packed", "out_for_delivery", "delivered", "cancelled", "payment_failed"
]
PaymentStatus = Literal["unpaid", "paid", "failed", "refunded"]


class BasketLine(RequestModel):
    product_id: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=100, strict=True)


class ShippingAddress(RequestModel):
    full_name: str = Field(min_length=1, max_length=120)
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=2, max_length=16)
    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    phone: str | None = Field(default=None, max_length=32)


class CheckoutRequest(RequestModel):
    items: list[BasketLine] = Field(min_length=1, max_length=50)
    shipping_address: ShippingAddress


class StatusUpdateRequest(RequestModel):
    status: OrderStatus


class OrderLineOut(ResponseModel):
    product_id: str
    name: str
    unit: str
    unit_price: AmountOut
    quantity: int
    line_total: AmountOut


class StatusChange(ResponseModel):
    status: OrderStatus
    at: UtcDateTime
    by: str


class AddressOut(ResponseModel):
    full_name: str
    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    country: str
    phone: str | None = None


class OrderOut(ResponseModel):
    id: str
    checkout_id: str
    user_id: str
    seller_id: str
    seller_name: str = ""
    items: list[OrderLineOut]
    total: AmountOut
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


class OrdersPage(ResponseModel):
    items: list[OrderOut]
    next_cursor: str | None = None


class PaymentInfo(ResponseModel):
    provider: Literal["stripe", "local"]
    client_secret: str
    amount: AmountOut
    currency: str
    publishable_key: str | None = None


class CheckoutResponse(ResponseModel):
    checkout_id: str
    orders: list[OrderOut]
    payment: PaymentInfo


class CheckoutOut(ResponseModel):
    checkout_id: str
    status: Literal["pending_payment", "paid", "closed"]
    amount: AmountOut
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
    stock: int


class SellerAnalytics(ResponseModel):
    currency: str
    revenue_by_day: list[RevenueDay]
    total_revenue: AmountOut
    top_products: list[TopProduct]
    low_stock: list[LowStockProduct]
