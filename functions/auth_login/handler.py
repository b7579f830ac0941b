from aws_lambda_powertools.event_handler import Response

from smartgrocer.domain import auth
from smartgrocer.models.users import AuthResponse, LoginRequest
from smartgrocer.web import session
from smartgrocer.web.app import api_function

app = api_function("auth_login")


@app.endpoint(
    responses={
        200: session.cookie_documented("Signed in"),
        401: {"description": "Email or password is incorrect"},
        403: {"description": "`account_deactivated`: the password is right but the account is deactivated"},
        429: {"description": "Too many failed attempts (see Retry-After)"},
    }
)
def login(body: LoginRequest) -> Response[AuthResponse]:
    return session.signed_in(auth.login(body.email, body.password, app.current_event.request_context.http.source_ip))


lambda_handler = app
