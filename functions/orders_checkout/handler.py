from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header

from smartgrocer.domain import idempotency, orders
from smartgrocer.models.orders import CheckoutRequest, CheckoutResponse
from smartgrocer.web.app import api_function

app = api_function("orders_checkout")


@app.endpoint(status_code=201, responses={409: {"description": "Out of stock (details name the products)"}})
def checkout(
    body: CheckoutRequest,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> CheckoutResponse:
    principal = app.context["principal"]
    request = body.model_dump(mode="json")
    _, result = idempotency.run_once(
        principal.user_id,
        idempotency_key,
        request,
        lambda: orders.place_checkout(
            principal, request["items"], request["shipping_address"], idempotency_key, request["fulfilment"]
        ),
    )
    return result


lambda_handler = app
