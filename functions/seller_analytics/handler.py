from smartgrocer.domain.analytics import seller_analytics
from smartgrocer.models.orders import SellerAnalytics
from smartgrocer.web.app import api_function

app = api_function("seller_analytics")


@app.endpoint
def analytics() -> SellerAnalytics:
    return seller_analytics(app.context["principal"].user_id)


lambda_handler = app
