from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from smartgrocer.domain import admin
from smartgrocer.models.users import AuditTrail
from smartgrocer.web.app import api_function

app = api_function("admin_users_audit")


@app.endpoint
def audit_trail(id: Annotated[str, Path(max_length=64)]) -> AuditTrail:
    return admin.audit_trail(id)


lambda_handler = app
