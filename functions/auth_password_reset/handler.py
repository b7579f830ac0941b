from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header

from smartgrocer.domain import passwords
from smartgrocer.models.passwords import MessageOut, PasswordResetRequest
from smartgrocer.web.app import api_function

app = api_function("auth_password_reset")


@app.endpoint(status_code=202, responses={429: {"description": "Too many requests (see Retry-After)"}})
def request_reset(
    body: PasswordResetRequest,
    origin: Annotated[str | None, Header(alias="Origin", max_length=300, include_in_schema=False)] = None,
) -> MessageOut:
    source_ip = app.current_event.request_context.http.source_ip
    return passwords.request_reset(body.email, source_ip, origin)


lambda_handler = app
