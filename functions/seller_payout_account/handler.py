from smartgrocer.domain import sellers
from smartgrocer.models.sellers import PayoutAccountOut
from smartgrocer.web.app import api_function

app = api_function("seller_payout_account")


@app.endpoint
def payout_account() -> PayoutAccountOut:
    return sellers.payout_account(app.context["principal"])


lambda_handler = app
