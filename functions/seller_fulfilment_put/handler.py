from smartgrocer.domain import seller_fulfilment
from smartgrocer.models.fulfilment import FulfilmentSettingsIn, FulfilmentSettingsOut
from smartgrocer.web.app import api_function

app = api_function("seller_fulfilment_put")


@app.endpoint
def put_fulfilment(body: FulfilmentSettingsIn) -> FulfilmentSettingsOut:
    return seller_fulfilment.put_settings(app.context["principal"], body.model_dump())


lambda_handler = app
