from smartgrocer.domain import sellers
from smartgrocer.models.sellers import SellerProfileOut
from smartgrocer.web.app import api_function

app = api_function("seller_profile_get")


@app.endpoint
def get_profile() -> SellerProfileOut:
    return sellers.own_profile(app.context["principal"])


lambda_handler = app
