from smartgrocer.domain import auth
from smartgrocer.models.users import AuthResponse, RefreshRequest
from smartgrocer.web.app import api_function

app = api_function("auth_refresh")


@app.endpoint(responses={401: {"description": "Refresh token invalid, expired or reused"}})
def refresh(body: RefreshRequest) -> AuthResponse:
    return auth.refresh(body.refresh_token)


lambda_handler = app
