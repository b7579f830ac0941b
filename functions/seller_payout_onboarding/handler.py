from smartgrocer.domain import sellers
from smartgrocer.models.sellers import OnboardingLinkOut
from smartgrocer.web.app import api_function

app = api_function("seller_payout_onboarding")


@app.endpoint(responses={503: {"description": "The payment provider is not responding (see Retry-After)"}})
def start_onboarding() -> OnboardingLinkOut:
    return sellers.start_onboarding(app.context["principal"])


lambda_handler = app
