from smartgrocer.domain import auth
from smartgrocer.models.users import UserOut
from smartgrocer.web.app import api_function

app = api_function("auth_me")


@app.endpoint
def me() -> UserOut:
    return auth.get_user(app.context["principal"])


lambda_handler = app
