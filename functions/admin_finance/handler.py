from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import payouts
from smartgrocer.models.orders import FinanceReport
from smartgrocer.web.app import api_function

app = api_function("admin_finance")


@app.endpoint
def finance(days: Annotated[int, Query(ge=1, le=payouts.MAX_FINANCE_DAYS)] = 30) -> FinanceReport:
    return payouts.finance(days)


lambda_handler = app
