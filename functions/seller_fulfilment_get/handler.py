from smartgrocer.domain import seller_fulfilment
from smartgrocer.models.fulfilment import FulfilmentSettingsOut
from smartgrocer.web.app import api_function

app = api_function("seller_fulfilment_get")


@app.endpoint
def get_fulfilment() -> FulfilmentSettingsOut:
    return seller_fulfilment.get_settings(app.context["principal"])


lambda_handler = app
