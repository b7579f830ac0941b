from smartgrocer.domain import auth
from smartgrocer.models.users import RefreshRequest
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import no_content

app = api_function("auth_logout")


@app.endpoint(status_code=204)
def logout(body: RefreshRequest) -> None:
    auth.logout(app.context["principal"], body.refresh_token)
    return no_content()


lambda_handler = app
