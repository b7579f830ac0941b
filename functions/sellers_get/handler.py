from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import sellers
from smartgrocer.models.sellers import SellerPublicOut
from smartgrocer.web.app import api_function

app = api_function("sellers_get")


@app.endpoint(responses={404: {"description": "No seller who can sell now has this id"}})
def get_seller(id: Annotated[str, Path(max_length=64)]) -> SellerPublicOut:
    return sellers.public_page(id)


lambda_handler = app
