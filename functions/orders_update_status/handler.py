from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import orders
from smartgrocer.models.orders import OrderOut, StatusUpdateRequest
from smartgrocer.web.app import api_function

app = api_function("orders_update_status")


@app.endpoint(responses={409: {"description": "Illegal status transition"}})
def update_status(id: Annotated[str, Path(max_length=64)], body: StatusUpdateRequest) -> OrderOut:
    return orders.change_status(app.context["principal"], id, body.status)


lambda_handler = app
