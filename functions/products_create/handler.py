from smartgrocer.domain import catalog
from smartgrocer.models.products import ProductCreate, ProductOut
from smartgrocer.web.app import api_function

app = api_function("products_create")


@app.endpoint(status_code=201)
def create_product(body: ProductCreate) -> ProductOut:
    return catalog.create_product(app.context["principal"], body.model_dump(mode="json"))


lambda_handler = app
