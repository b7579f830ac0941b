from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header

from smartgrocer.domain import sellers
from smartgrocer.models.sellers import OnboardingLinkOut
from smartgrocer.web.app import api_function

app = api_function("seller_payout_onboarding")


@app.endpoint(responses={503: {"description": "The payment provider is not responding (see Retry-After)"}})
def start_onboarding(
    origin: Annotated[str | None, Header(alias="Origin", max_length=300, include_in_schema=False)] = None,
) -> OnboardingLinkOut:
    return sellers.start_onboarding(app.context["principal"], request_origin=origin)


lambda_handler = app
