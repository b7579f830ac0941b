from smartgrocer.domain import auth
from smartgrocer.domain.events import publish_safely
from smartgrocer.models.signup import SignupRequest
from smartgrocer.models.users import AuthResponse
from smartgrocer.web.app import api_function

app = api_function("auth_signup")


@app.endpoint(status_code=201, responses={409: {"description": "Email already registered"}})
def signup(body: SignupRequest) -> AuthResponse:
    tokens, user = auth.signup(str(body.email), body.password, body.full_name, body.phone, body.is_seller)
    publish_safely(
        "smartgrocer.accounts",
        "UserSignedUp",
        {"user_id": user["_id"], "email": user["email"], "full_name": user["full_name"]},
    )
    return tokens


lambda_handler = app
