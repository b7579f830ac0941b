from smartgrocer.domain import address_book
from smartgrocer.models.addresses import AddressBookOut
from smartgrocer.web.app import api_function

app = api_function("me_addresses_list")


@app.endpoint
def list_addresses() -> AddressBookOut:
    return address_book.list_addresses(app.context["principal"])


lambda_handler = app
