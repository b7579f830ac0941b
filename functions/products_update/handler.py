from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from smartgrocer.domain import catalog
from smartgrocer.models.product_writes import ProductUpdate
from smartgrocer.models.products import ProductOut
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import etag_documented, with_etag

app = api_function("products_update")

IF_MATCH = (
    "The product's ETag as read (GET /api/seller/products/{id}, or the `etag` field). Required: "
    "428 without it, 412 when the product changed since (error details.current is the current "
    "product), 400 when it is not a quoted entity tag."
)


@app.endpoint(
    responses={
        200: etag_documented(),
        412: {
            "description": "Stale: the product changed since it was read; nothing was saved "
            "(details.current is the current product)"
        },
        428: {"description": "If-Match is missing (or `*`): send the ETag you read"},
    }
)
def update_product(
    id: Annotated[str, Path(max_length=64)],
    body: ProductUpdate,
    # Optional in the schema so that a missing header is our 428, not a generic 422.
    if_match: Annotated[str | None, Header(alias="If-Match", description=IF_MATCH)] = None,
) -> Response[ProductOut]:
    changes = body.model_dump(mode="json", exclude_unset=True)
    return with_etag(catalog.update_product(app.context["principal"], id, changes, if_match))


lambda_handler = app
