from smartgrocer.domain import catalog
from smartgrocer.models.products import CategoriesOut
from smartgrocer.web.app import api_function

app = api_function("categories_list")


@app.endpoint
def list_categories() -> CategoriesOut:
    return {"items": catalog.categories()}


lambda_handler = app
