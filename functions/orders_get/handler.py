from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import orders
from smartgrocer.models.orders import OrderOut
from smartgrocer.web.app import api_function

app = api_function("orders_get")


@app.endpoint
def get_order(id: Annotated[str, Path(max_length=64)]) -> OrderOut:
    return orders.get_order(app.context["principal"], id)


lambda_handler = app
