from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import packing_list
from smartgrocer.models.fulfilment import SLOT_ID_EXAMPLE, PackingListOut
from smartgrocer.web.app import api_function

app = api_function("seller_packing_list")


@app.endpoint
def seller_packing_list(
    slot_id: Annotated[str, Query(min_length=1, max_length=64, examples=[SLOT_ID_EXAMPLE])],
) -> PackingListOut:
    return packing_list.packing_list(app.context["principal"], slot_id)


lambda_handler = app
