from smartgrocer.domain import address_book
from smartgrocer.models.addresses import ProfileUpdate
from smartgrocer.models.users import UserOut
from smartgrocer.web.app import api_function

app = api_function("me_update")


@app.endpoint
def update_me(body: ProfileUpdate) -> UserOut:
    return address_book.update_profile(app.context["principal"], body.model_dump(mode="json", exclude_unset=True))


lambda_handler = app
