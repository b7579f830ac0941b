from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Header

from smartgrocer.domain import auth
from smartgrocer.web import session
from smartgrocer.web.app import api_function
from smartgrocer.web.csrf import CSRF_HEADER_DESCRIPTION

app = api_function("auth_logout")


@app.endpoint(
    status_code=204,
    responses={
        204: session.cookie_documented("Signed out", sets=False),
        401: {"description": "No session cookie (signed out already; the cookie is cleared)"},
        403: {"description": "CSRF check failed: header missing, or the request comes from another site"},
    },
)
def logout(
    csrf: Annotated[Literal["1"], Header(alias="X-SmartGrocer-CSRF", description=CSRF_HEADER_DESCRIPTION)],
) -> None:
    auth.logout(session.presented_token(app.current_event))
    return session.signed_out()


lambda_handler = app
