from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import orders
from smartgrocer.models.fulfilment import SLOT_ID_EXAMPLE
from smartgrocer.models.orders import OrderStatus
from smartgrocer.models.sellers import SellerOrdersPage
from smartgrocer.web.app import api_function

app = api_function("seller_orders")

DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


@app.endpoint
def seller_orders(
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    slot_date: Annotated[
        str | None,
        Query(pattern=DATE, description="Orders for windows on this day (the seller's time zone), YYYY-MM-DD"),
    ] = None,
    slot_id: Annotated[
        str | None, Query(max_length=64, description="Orders for this window", examples=[SLOT_ID_EXAMPLE])
    ] = None,
) -> SellerOrdersPage:
    return orders.seller_orders(
        app.context["principal"], status=status, limit=limit, cursor=cursor, slot_date=slot_date, slot_id=slot_id
    )


lambda_handler = app
