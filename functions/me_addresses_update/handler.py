from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from smartgrocer.domain import address_book
from smartgrocer.models.addresses import SavedAddressIn, SavedAddressOut
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import etag_documented, with_etag

app = api_function("me_addresses_update")

IF_MATCH = (
    "The address's ETag as read (its `etag` field). Required: 428 without it, 412 when the address changed "
    "since (error details.current is the current address), 400 when it is not a quoted entity tag."
)


@app.endpoint(
    responses={
        200: etag_documented(),
        412: {"description": "Stale: the address changed since it was read; nothing was saved (details.current)"},
        428: {"description": "If-Match is missing (or `*`): send the ETag you read"},
    }
)
def update_address(
    id: Annotated[str, Path(max_length=64)],
    body: SavedAddressIn,
    # Optional in the schema so that a missing header is our 428, not a generic 422.
    if_match: Annotated[str | None, Header(alias="If-Match", description=IF_MATCH)] = None,
) -> Response[SavedAddressOut]:
    return with_etag(address_book.update_address(app.context["principal"], id, body.model_dump(mode="json"), if_match))


lambda_handler = app
