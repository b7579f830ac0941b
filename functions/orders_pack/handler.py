from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import orders
from smartgrocer.models.orders import OrderOut, PackRequest
from smartgrocer.web.app import api_function

app = api_function("orders_pack")


@app.endpoint(
    responses={
        409: {"description": "Not packable now (already packed, cancelled) or a substitute is out of stock"},
        422: {"description": "The packing list does not fit the order, or its total is above the authorisation"},
    }
)
def pack(id: Annotated[str, Path(max_length=64)], body: PackRequest) -> OrderOut:
    lines = [line.model_dump(mode="json", exclude_none=True) for line in body.lines]
    return orders.pack_order(app.context["principal"], id, lines)


lambda_handler = app
