from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from smartgrocer.domain import admin
from smartgrocer.models.users import Role, UsersPage
from smartgrocer.web.app import api_function

app = api_function("admin_users_list")


@app.endpoint
def list_users(
    q: Annotated[str | None, Query(max_length=100)] = None,
    role: Role | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> UsersPage:
    return admin.list_users(q, role, limit, cursor)


lambda_handler = app
