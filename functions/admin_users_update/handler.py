from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import admin
from smartgrocer.models.users import UserOut, UserUpdateRequest
from smartgrocer.web.app import api_function

app = api_function("admin_users_update")


@app.endpoint(
    responses={
        409: {"description": "Admins cannot deactivate themselves"},
        422: {"description": "Invalid body, or deactivating without a reason"},
    }
)
def update_user(id: Annotated[str, Path(max_length=64)], body: UserUpdateRequest) -> UserOut:
    return admin.set_active(app.context["principal"], id, body.is_active, body.reason)


lambda_handler = app
