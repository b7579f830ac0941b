from aws_lambda_powertools.event_handler import Response

from smartgrocer.domain import address_book
from smartgrocer.models.addresses import SavedAddressCreate, SavedAddressOut
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import etag_documented, with_etag

app = api_function("me_addresses_create")


@app.endpoint(
    status_code=201,
    responses={
        201: etag_documented("Saved"),
        409: {"description": "The address book is full (address_book_full): delete an address first"},
    },
)
def create_address(body: SavedAddressCreate) -> Response[SavedAddressOut]:
    fields = body.model_dump(mode="json", exclude={"is_default"})
    return with_etag(address_book.add_address(app.context["principal"], fields, body.is_default), status_code=201)


lambda_handler = app
