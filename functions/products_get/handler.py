from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import catalog
from smartgrocer.models.products import ProductOut
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import etag_documented, with_etag

app = api_function("products_get")


@app.endpoint(responses={200: etag_documented()})
def get_product(id: Annotated[str, Path(max_length=64)]) -> Response[ProductOut]:
    return with_etag(catalog.get_product(id))


lambda_handler = app
