from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from smartgrocer.domain import auth
from smartgrocer.models.users import AuthResponse
from smartgrocer.web import session
from smartgrocer.web.app import api_function
from smartgrocer.web.csrf import CSRF_HEADER_DESCRIPTION

app = api_function("auth_refresh")


@app.endpoint(
    responses={
        200: session.cookie_documented("A new access token; the refresh token rotated"),
        401: {"description": "No session cookie, or its refresh token is invalid, expired or reused (cookie cleared)"},
        403: {"description": "CSRF check failed: header missing, or the request comes from another site"},
    }
)
def refresh(
    csrf: Annotated[Literal["1"], Header(alias="X-SmartGrocer-CSRF", description=CSRF_HEADER_DESCRIPTION)],
) -> Response[AuthResponse]:
    return session.signed_in(auth.refresh(session.presented_token(app.current_event)))


lambda_handler = app
