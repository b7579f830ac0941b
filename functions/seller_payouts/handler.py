from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import payouts
from smartgrocer.models.orders import SellerPayouts
from smartgrocer.web.app import api_function

app = api_function("seller_payouts")


@app.endpoint
def seller_payouts(
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> SellerPayouts:
    return payouts.seller_payouts(app.context["principal"].user_id, limit, cursor)


lambda_handler = app
