from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from smartgrocer.domain import idempotency, orders
from smartgrocer.models.orders import OrderOut, RefundRequest
from smartgrocer.web.app import api_function

app = api_function("orders_refund")


@app.endpoint(
    status_code=201,
    responses={
        409: {"description": "The order has not been charged (cancel it instead) or is refunded in full"},
        422: {"description": "More than what is left of the order's charge"},
    },
)
def refund(
    id: Annotated[str, Path(max_length=64)],
    body: RefundRequest,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> OrderOut:
    principal = app.context["principal"]
    request = {"order_id": id, **body.model_dump(mode="json")}
    _, result = idempotency.run_once(
        principal.user_id,
        idempotency_key,
        request,
        lambda: orders.refund_order(principal, id, body.amount, body.reason, idempotency_key),
    )
    return result


lambda_handler = app
