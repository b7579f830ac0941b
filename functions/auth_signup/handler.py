from aws_lambda_powertools.event_handler import Response

from smartgrocer.domain import auth
from smartgrocer.domain.events import publish_safely
from smartgrocer.models.signup import SignupRequest
from smartgrocer.models.users import AuthResponse
from smartgrocer.web import session
from smartgrocer.web.app import api_function

app = api_function("auth_signup")


@app.endpoint(
    status_code=201,
    responses={
        201: session.cookie_documented("Account created and signed in"),
        409: {"description": "Email already registered"},
    },
)
def signup(body: SignupRequest) -> Response[AuthResponse]:
    tokens, user = auth.signup(str(body.email), body.password, body.full_name, body.phone, body.is_seller)
    publish_safely(
        "smartgrocer.accounts",
        "UserSignedUp",
        {"user_id": user["_id"], "email": user["email"], "full_name": user["full_name"]},
    )
    return session.signed_in(tokens, status_code=201)


lambda_handler = app
