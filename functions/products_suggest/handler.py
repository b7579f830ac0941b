from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import catalog
from smartgrocer.models.products import SuggestionsOut
from smartgrocer.web.app import api_function

app = api_function("products_suggest")


@app.endpoint
def suggest_products(q: Annotated[str, Query(min_length=1, max_length=100)]) -> SuggestionsOut:
    return catalog.suggest(q)


lambda_handler = app
