from smartgrocer.domain import passwords
from smartgrocer.models.passwords import PasswordChangeRequest
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import no_content

app = api_function("auth_password_change")


@app.endpoint(
    status_code=204,
    responses={
        400: {"description": "`wrong_password`: the current password is not correct"},
        429: {"description": "Too many failed attempts (see Retry-After)"},
    },
)
def change_password(body: PasswordChangeRequest) -> None:
    source_ip = app.current_event.request_context.http.source_ip
    passwords.change_password(app.context["principal"], body.current_password, body.new_password, source_ip)
    return no_content()


lambda_handler = app
