from smartgrocer.domain.health import check
from smartgrocer.models.common import ResponseModel
from smartgrocer.web.app import api_function

app = api_function("health")


class Health(ResponseModel):
    status: str
    db: str


@app.endpoint(responses={503: {"description": "Database unavailable"}})
def health() -> Health:
    return check()


lambda_handler = app
