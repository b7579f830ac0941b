from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import orders
from smartgrocer.models.orders import OrdersPage
from smartgrocer.web.app import api_function

app = api_function("admin_orders_list")


@app.endpoint
def find_orders(
    number: Annotated[str, Query(min_length=1, max_length=32, description="SG-7K3F-92: any case, dashes optional")],
) -> OrdersPage:
    return orders.find_by_number(app.context["principal"], number)


lambda_handler = app
