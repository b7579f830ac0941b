from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import catalog
from smartgrocer.models.common import AmountIn
from smartgrocer.models.products import Category, ProductSort, ProductsPage
from smartgrocer.web.app import api_function

app = api_function("products_list")

SORT = (
    'The order. Default: "relevance" (best match first) with a query `q`, "newest" without one; "relevance" '
    "without a query is newest first."
)


@app.endpoint
def list_products(
    q: Annotated[str | None, Query(max_length=100)] = None,
    category: Category | None = None,
    min_price: AmountIn | None = None,
    max_price: AmountIn | None = None,
    seller_id: Annotated[str | None, Query(max_length=64)] = None,
    sort: Annotated[ProductSort | None, Query(description=SORT)] = None,
    limit: Annotated[int, Query(ge=1, le=catalog.MAX_LIMIT)] = 24,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> ProductsPage:
    return catalog.list_products(
        q=q,
        category=category.value if category else None,
        min_price=min_price,
        max_price=max_price,
        seller_id=seller_id,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


lambda_handler = app
