from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from smartgrocer.domain import seller_fulfilment
from smartgrocer.models.fulfilment import SellerSlotsOut
from smartgrocer.web.app import api_function

app = api_function("sellers_slots")


@app.endpoint
def seller_slots(
    id: Annotated[str, Path(max_length=64)],
    days: Annotated[int, Query(ge=1, le=6, description="How many days ahead (the card is held for 6)")] = 6,
) -> SellerSlotsOut:
    return seller_fulfilment.seller_slots(id, days)


lambda_handler = app
