from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import orders
from smartgrocer.models.orders import OrdersPage, OrderStatus
from smartgrocer.web.app import api_function

app = api_function("seller_orders")


@app.endpoint
def seller_orders(
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> OrdersPage:
    principal = app.context["principal"]
    return orders.list_orders(
        principal,
        seller_id=principal.user_id,
        status=status,
        limit=limit,
        cursor=cursor,
        kind=f"seller:{status or 'all'}",
    )


lambda_handler = app
