from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import catalog
from smartgrocer.models.products import ProductOut
from smartgrocer.web.app import api_function

app = api_function("products_get")


@app.endpoint
def get_product(id: Annotated[str, Path(max_length=64)]) -> ProductOut:
    return catalog.get_product(id)


lambda_handler = app
