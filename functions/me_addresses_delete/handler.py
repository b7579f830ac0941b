from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import address_book
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import no_content

app = api_function("me_addresses_delete")


@app.endpoint(status_code=204)
def delete_address(id: Annotated[str, Path(max_length=64)]) -> None:
    address_book.delete_address(app.context["principal"], id)
    return no_content()


lambda_handler = app
