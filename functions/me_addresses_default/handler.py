from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import address_book
from smartgrocer.models.addresses import SavedAddressOut
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import etag_documented, with_etag

app = api_function("me_addresses_default")


@app.endpoint(responses={200: etag_documented()})
def make_default(id: Annotated[str, Path(max_length=64)]) -> Response[SavedAddressOut]:
    return with_etag(address_book.make_default(app.context["principal"], id))


lambda_handler = app
