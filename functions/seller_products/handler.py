from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import catalog
from smartgrocer.models.products import Category, ProductSort, ProductsPage
from smartgrocer.web.app import api_function

app = api_function("seller_products")


@app.endpoint
def list_my_products(
    q: Annotated[str | None, Query(max_length=100)] = None,
    category: Category | None = None,
    sort: ProductSort | None = None,
    limit: Annotated[int, Query(ge=1, le=catalog.MAX_LIMIT)] = 24,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> ProductsPage:
    return catalog.list_products(
        q=q,
        category=category.value if category else None,
        seller_id=app.context["principal"].user_id,
        sort=sort,
        limit=limit,
        cursor=cursor,
        payable_only=False,
    )


lambda_handler = app
