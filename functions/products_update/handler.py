from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import catalog
from smartgrocer.models.products import ProductOut, ProductUpdate
from smartgrocer.web.app import api_function

app = api_function("products_update")


@app.endpoint
def update_product(id: Annotated[str, Path(max_length=64)], body: ProductUpdate) -> ProductOut:
    changes = body.model_dump(mode="json", exclude_unset=True)
    return catalog.update_product(app.context["principal"], id, changes)


lambda_handler = app
