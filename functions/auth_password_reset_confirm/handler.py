from smartgrocer.domain import passwords
from smartgrocer.models.passwords import PasswordResetConfirm
from smartgrocer.web.app import api_function
from smartgrocer.web.responses import no_content

app = api_function("auth_password_reset_confirm")


@app.endpoint(
    status_code=204,
    responses={
        400: {"description": "`reset_token_invalid` (unknown or used) or `reset_token_expired`"},
        403: {"description": "`account_deactivated`: the account was closed; the link cannot reopen it"},
    },
)
def confirm_reset(body: PasswordResetConfirm) -> None:
    passwords.confirm_reset(body.token, body.new_password)
    return no_content()


lambda_handler = app
