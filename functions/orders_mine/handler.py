from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import orders
from smartgrocer.models.orders import OrdersPage
from smartgrocer.web.app import api_function

app = api_function("orders_mine")


@app.endpoint
def my_orders(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> OrdersPage:
    principal = app.context["principal"]
    return orders.list_orders(principal, user_id=principal.user_id, limit=limit, cursor=cursor, kind="mine")


lambda_handler = app
