from smartgrocer.domain.orders import handle_payment_event
from smartgrocer.domain.payments import verify_webhook
from smartgrocer.models.common import ResponseModel
from smartgrocer.web.app import api_function

app = api_function("payments_webhook")


class WebhookAck(ResponseModel):
    received: bool
    duplicate: bool = False
    outcome: str | None = None


@app.endpoint(responses={400: {"description": "Bad signature, stale timestamp or malformed payload"}})
def stripe_webhook() -> WebhookAck:
    # The signature covers the exact raw bytes, so the body is verified before any parsing.
    event = verify_webhook(app.current_event.decoded_body or "", app.current_event.headers.get("stripe-signature"))
    return handle_payment_event(event)


lambda_handler = app
