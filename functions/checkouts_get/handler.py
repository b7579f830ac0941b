from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import orders
from smartgrocer.models.orders import CheckoutOut
from smartgrocer.web.app import api_function

app = api_function("checkouts_get")


@app.endpoint
def get_checkout(id: Annotated[str, Path(max_length=64)]) -> CheckoutOut:
    return orders.checkout_view(app.context["principal"], id)


lambda_handler = app
