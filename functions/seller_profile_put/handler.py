from smartgrocer.domain import sellers
from smartgrocer.models.sellers import SellerAboutRequest, SellerProfileOut
from smartgrocer.web.app import api_function

app = api_function("seller_profile_put")


@app.endpoint
def put_profile(body: SellerAboutRequest) -> SellerProfileOut:
    return sellers.set_about(app.context["principal"], body.about)


lambda_handler = app
