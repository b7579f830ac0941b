from aws_lambda_powertools.event_handler import Response

from smartgrocer.domain import catalog
from smartgrocer.models.product_writes import ProductCreate
from smartgrocer.models.products import ProductOut
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import etag_documented, with_etag

app = api_function("products_create")


@app.endpoint(status_code=201, responses={201: etag_documented("Created")})
def create_product(body: ProductCreate) -> Response[ProductOut]:
    # Only what was sent: a unit left out means "each", or "kg" for a product sold by weight.
    fields = body.model_dump(mode="json", exclude_unset=True)
    return with_etag(catalog.create_product(app.context["principal"], fields), 201)


lambda_handler = app
