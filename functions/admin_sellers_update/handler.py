from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import sellers
from smartgrocer.models.sellers import SellerCommissionRequest, SellerOut
from smartgrocer.web.app import api_function

app = api_function("admin_sellers_update")


@app.endpoint
def update_seller(id: Annotated[str, Path(max_length=64)], body: SellerCommissionRequest) -> SellerOut:
    return sellers.set_commission(app.context["principal"], id, body.commission_bps)


lambda_handler = app
