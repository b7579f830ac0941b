"""The local payment provider: Stripe's PaymentIntent lifecycle with manual capture (authorise,
capture, void, refund), its events, the webhook queue and its delivery.

Runs against the session's nx-27017. The provider's own tests use a database of their own on that
server, so the runner's background delivery loop (which serves the session database) never races
them; the runner's endpoints are tested against the session database."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from local import payments
from local.payment_provider import (
    DECLINED_CARD,
    SUCCEEDING_CARD,
    LocalPaymentGateway,
    apply_indexes,
    confirm,
    queue_event,
)
from smartgrocer.domain.payments import PaymentProviderError

UNIT_DB = "smartgrocer_unit_payments"
INTENT_FIELDS = {
    "id",
    "object",
    "amount",
    "amount_capturable",
    "amount_received",
    "capture_method",
    "cancellation_reason",
    "currency",
    "last_payment_error",
    "latest_charge",
    "metadata",
    "status",
}
gw = LocalPaymentGateway()


@pytest.fixture
def provider_db(runtime, monkeypatch):
    """The provider's collections in a database of their own, empty for every test."""
    from smartgrocer.adapters.mongo import db

    monkeypatch.setenv("MONGODB_DB", UNIT_DB)
    database = db()
    for name in (
        "local_payment_intents",
        "local_payment_webhooks",
        "local_payment_faults",
        "local_payment_accounts",
        "local_payment_transfers",
        "local_payment_balances",
    ):
        database[name].delete_many({})
    apply_indexes(database)
    return database


def _intent(database, intent_id: str) -> dict:
    return database.local_payment_intents.find_one({"_id": intent_id})


def _events(database, intent_id: str | None = None) -> list[dict]:
    """Queued events (oldest first), parsed."""
    query = {} if intent_id is None else {"payment_intent": intent_id}
    return [json.loads(q["payload"]) for q in database.local_payment_webhooks.find(query).sort("seq", 1)]


def _types(database, intent_id: str) -> list[str]:
    return [event["type"] for event in _events(database, intent_id)]


def _new(amount: int = 5997) -> str:
    return gw.create_payment_intent(amount, "usd", "c-" + uuid.uuid4().hex[:8], uuid.uuid4().hex).id


def _authorised(database, amount: int = 5997) -> str:
    intent_id = _new(amount)
    confirm(_intent(database, intent_id)["client_secret"], SUCCEEDING_CARD)
    return intent_id


def _captured(database, amount: int = 5997, capture: int | None = None) -> str:
    intent_id = _authorised(database, amount)
    gw.capture(intent_id, amount if capture is None else capture, "capture-" + intent_id)
    return intent_id


def _inject(database, operation: str, times: int = 1) -> None:
    database.local_payment_faults.replace_one({"_id": operation}, {"_id": operation, "remaining": times}, upsert=True)


# -- create and confirm (authorise) ------------------------------------------------------------------


def test_create_awaits_a_card_with_manual_capture_and_raises_no_event(provider_db):
    created = gw.create_payment_intent(5997, "usd", "c1", "key-create")
    intent = _intent(provider_db, created.id)
    assert created.client_secret == intent["client_secret"] and created.id.startswith("pi_local_")
    assert (intent["status"], intent["amount"], intent["amount_capturable"], intent["amount_received"]) == (
        "requires_payment_method",
        5997,
        0,
        0,
    )
    assert intent["capture_method"] == "manual" and intent["metadata"] == {"checkout_id": "c1"}
    assert gw.create_payment_intent(5997, "usd", "c1", "key-create") == created  # same key, same intent
    assert provider_db.local_payment_intents.count_documents({}) == 1
    assert _events(provider_db) == []


def test_confirm_with_the_good_card_authorises(provider_db):
    intent_id = _new()
    intent, event = confirm(_intent(provider_db, intent_id)["client_secret"], "4242 4242 4242 4242")
    assert (intent["status"], intent["amount_capturable"], intent["amount_received"]) == ("requires_capture", 5997, 0)
    assert event["type"] == "payment_intent.amount_capturable_updated"
    obj = event["data"]["object"]
    assert set(obj) == INTENT_FIELDS
    assert obj["id"] == intent_id and obj["object"] == "payment_intent" and obj["status"] == "requires_capture"
    assert (obj["amount"], obj["amount_capturable"], obj["amount_received"]) == (5997, 5997, 0)
    assert obj["capture_method"] == "manual" and obj["last_payment_error"] is None
    assert obj["latest_charge"].startswith("ch_local_")
    queued = provider_db.local_payment_webhooks.find_one({"_id": event["id"]})
    assert queued["delivered"] == False and json.loads(queued["payload"]) == event  # noqa: E712 (nx-27017 stores 0)


def test_a_declined_card_leaves_the_intent_waiting_for_another_card(provider_db):
    intent_id = _new()
    secret = _intent(provider_db, intent_id)["client_secret"]
    intent, event = confirm(secret, DECLINED_CARD)
    assert (intent["status"], intent["amount_capturable"]) == ("requires_payment_method", 0)
    assert event["type"] == "payment_intent.payment_failed"
    assert event["data"]["object"]["last_payment_error"] == {
        "code": "card_declined",
        "message": "Your card was declined.",
    }
    intent, event = confirm(secret, SUCCEEDING_CARD)  # another card
    assert intent["status"] == "requires_capture" and event["data"]["object"]["last_payment_error"] is None
    assert _types(provider_db, intent_id) == [
        "payment_intent.payment_failed",
        "payment_intent.amount_capturable_updated",
    ]


def test_confirm_refuses_unknown_cards_and_intents_not_awaiting_a_card(provider_db):
    intent_id = _authorised(provider_db)
    secret = _intent(provider_db, intent_id)["client_secret"]
    with pytest.raises(LookupError):
        confirm(secret, SUCCEEDING_CARD)  # authorised already
    with pytest.raises(LookupError):
        confirm("pi_local_nope_secret_x", SUCCEEDING_CARD)
    with pytest.raises(ValueError):
        confirm(secret, "4111111111111111")
    assert _types(provider_db, intent_id) == ["payment_intent.amount_capturable_updated"]


# -- capture -----------------------------------------------------------------------------------------


def test_capture_takes_the_money_once_per_key(provider_db):
    intent_id = _authorised(provider_db)
    gw.capture(intent_id, 5997, "capture-1")
    intent = _intent(provider_db, intent_id)
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == ("succeeded", 5997, 0)
    event = _events(provider_db, intent_id)[-1]
    assert event["type"] == "payment_intent.succeeded" and event["request"]["idempotency_key"] == "capture-1"
    obj = event["data"]["object"]
    assert set(obj) == INTENT_FIELDS
    assert (obj["status"], obj["amount_received"], obj["amount_capturable"]) == ("succeeded", 5997, 0)

    gw.capture(intent_id, 5997, "capture-1")  # a retry with the same key: done, nothing changes
    gw.capture(intent_id, 1, "capture-1")  # (as on Stripe, the key's first answer stands)
    assert _intent(provider_db, intent_id) == intent
    assert _types(provider_db, intent_id).count("payment_intent.succeeded") == 1
    with pytest.raises(PaymentProviderError, match="status is succeeded"):
        gw.capture(intent_id, 5997, "capture-2")  # another capture of a captured intent
    assert _intent(provider_db, intent_id) == intent


def test_partial_capture_releases_the_rest(provider_db):
    intent_id = _captured(provider_db, 5997, capture=4000)
    intent = _intent(provider_db, intent_id)
    assert (intent["status"], intent["amount"], intent["amount_received"], intent["amount_capturable"]) == (
        "succeeded",
        5997,
        4000,
        0,
    )
    assert _events(provider_db, intent_id)[-1]["data"]["object"]["amount_received"] == 4000


@pytest.mark.parametrize("amount", [5998, 0, -1, True, 12.5, "5997"])
def test_capture_of_more_than_authorised_or_not_a_positive_amount_is_refused(provider_db, amount):
    intent_id = _authorised(provider_db)
    before = _intent(provider_db, intent_id)
    with pytest.raises(PaymentProviderError) as refused:
        gw.capture(intent_id, amount, "capture-x")
    assert "authorised" in str(refused.value) or "positive integer" in str(refused.value)
    assert _intent(provider_db, intent_id) == before
    gw.capture(intent_id, 5997, "capture-x")  # the key was not used up by the refusal
    assert _intent(provider_db, intent_id)["status"] == "succeeded"


def test_only_an_authorised_intent_can_be_captured(provider_db):
    waiting = _new()
    with pytest.raises(PaymentProviderError, match="status is requires_payment_method"):
        gw.capture(waiting, 5997, "capture-w")
    voided = _authorised(provider_db)
    gw.cancel(voided)
    with pytest.raises(PaymentProviderError, match="status is canceled"):
        gw.capture(voided, 5997, "capture-v")
    with pytest.raises(PaymentProviderError, match="no such PaymentIntent"):
        gw.capture("pi_local_missing", 1, "capture-m")
    assert "payment_intent.succeeded" not in _types(provider_db, waiting) + _types(provider_db, voided)


def test_concurrent_captures_with_one_key_capture_once(provider_db):
    intent_id = _authorised(provider_db)
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: gw.capture(intent_id, 5997, "capture-race"), range(6)))
    assert results == [_intent(provider_db, intent_id)["latest_charge"]] * 6
    assert _intent(provider_db, intent_id)["amount_received"] == 5997
    assert _types(provider_db, intent_id).count("payment_intent.succeeded") == 1


# -- cancel (void) -----------------------------------------------------------------------------------


@pytest.mark.parametrize("authorised", [False, True], ids=["awaiting_card", "authorised"])
def test_cancel_voids_and_is_harmless_when_repeated(provider_db, authorised):
    intent_id = _authorised(provider_db) if authorised else _new()
    gw.cancel(intent_id)
    intent = _intent(provider_db, intent_id)
    assert (intent["status"], intent["amount_capturable"], intent["amount_received"]) == ("canceled", 0, 0)
    assert intent["cancellation_reason"] == "abandoned"
    event = _events(provider_db, intent_id)[-1]
    assert event["type"] == "payment_intent.canceled"
    assert event["data"]["object"]["status"] == "canceled" and event["data"]["object"]["amount_capturable"] == 0
    assert event["data"]["object"]["cancellation_reason"] == "abandoned"
    gw.cancel(intent_id)
    assert _intent(provider_db, intent_id) == intent
    assert _types(provider_db, intent_id).count("payment_intent.canceled") == 1


def test_cancel_of_a_captured_intent_changes_nothing(provider_db):
    intent_id = _captured(provider_db)
    before, events = _intent(provider_db, intent_id), _types(provider_db, intent_id)
    gw.cancel(intent_id)
    assert _intent(provider_db, intent_id) == before and _types(provider_db, intent_id) == events
    with pytest.raises(PaymentProviderError):
        gw.cancel("pi_local_missing")


# -- refund ------------------------------------------------------------------------------------------


def test_refunds_give_back_captured_money_only(provider_db):
    intent_id = _captured(provider_db, 5997, capture=5000)
    first = gw.refund(intent_id, 3000, "refund-1")
    assert first.startswith("re_local_")
    assert gw.refund(intent_id, 3000, "refund-1") == first  # the same key: the same refund
    assert _intent(provider_db, intent_id)["amount_refunded"] == 3000
    with pytest.raises(PaymentProviderError, match="5000 was captured and 3000 already refunded"):
        gw.refund(intent_id, 2001, "refund-2")
    second = gw.refund(intent_id, 2000, "refund-2")
    assert second != first
    with pytest.raises(PaymentProviderError):
        gw.refund(intent_id, 1, "refund-3")
    assert _intent(provider_db, intent_id)["amount_refunded"] == 5000
    refunds = [e for e in _events(provider_db, intent_id) if e["type"] == "charge.refunded"]
    assert [e["data"]["object"]["amount_refunded"] for e in refunds] == [3000, 5000]
    charge = refunds[-1]["data"]["object"]
    assert charge["object"] == "charge" and charge["payment_intent"] == intent_id
    assert charge["id"] == _intent(provider_db, intent_id)["latest_charge"]
    assert (charge["amount"], charge["amount_captured"], charge["refunded"]) == (5997, 5000, True)
    assert charge["metadata"] == _intent(provider_db, intent_id)["metadata"]
    assert refunds[0]["data"]["object"]["refunded"] is False


@pytest.mark.parametrize("state", ["awaiting_card", "authorised", "voided"])
def test_nothing_captured_nothing_to_refund(provider_db, state):
    intent_id = _new() if state == "awaiting_card" else _authorised(provider_db)
    if state == "voided":
        gw.cancel(intent_id)
    with pytest.raises(PaymentProviderError, match="0 was captured"):
        gw.refund(intent_id, 1, "refund-" + state)
    assert _intent(provider_db, intent_id)["amount_refunded"] == 0
    assert "charge.refunded" not in _types(provider_db, intent_id)


def test_concurrent_refunds_never_exceed_what_was_captured(provider_db):
    intent_id = _captured(provider_db, 5000)

    def refund(n: int):
        try:
            return gw.refund(intent_id, 1000, f"refund-race-{n}")
        except PaymentProviderError:
            return None

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(refund, range(8)))
    assert len([r for r in results if r]) == 5
    assert _intent(provider_db, intent_id)["amount_refunded"] == 5000
    assert _types(provider_db, intent_id).count("charge.refunded") == 5


# -- fault injection ---------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["capture", "cancel", "refund"])
def test_an_injected_failure_changes_nothing_and_the_retry_works(provider_db, operation):
    intent_id = _captured(provider_db) if operation == "refund" else _authorised(provider_db)
    call = {
        "capture": lambda: gw.capture(intent_id, 5997, "fault-key"),
        "cancel": lambda: gw.cancel(intent_id),
        "refund": lambda: gw.refund(intent_id, 100, "fault-key"),
    }[operation]
    before, events = _intent(provider_db, intent_id), _types(provider_db, intent_id)
    _inject(provider_db, operation)
    with pytest.raises(PaymentProviderError, match=f"injected {operation} failure"):
        call()
    assert _intent(provider_db, intent_id) == before and _types(provider_db, intent_id) == events
    call()
    assert _intent(provider_db, intent_id) != before and len(_types(provider_db, intent_id)) == len(events) + 1


# -- delivery (local.payments.deliver_pending) -------------------------------------------------------


class Endpoint:
    """A webhook endpoint on 127.0.0.1 that answers the statuses it is given (then 200) and keeps what it got."""

    def __init__(self, *statuses: int):
        self.statuses, self.received = list(statuses), []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                endpoint.received.append((body, self.headers["Stripe-Signature"]))
                status = endpoint.statuses.pop(0) if endpoint.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/payments/webhook"

    def types(self) -> list[str]:
        return [json.loads(body)["type"] for body, _ in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


SECRET = "whsec_unit_" + "b" * 32


@pytest.fixture
def endpoint():
    made: list[Endpoint] = []

    def make(*statuses: int) -> Endpoint:
        made.append(Endpoint(*statuses))
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_deliver_pending_sends_oldest_first_signed_as_stripe_and_marks_delivered(provider_db, endpoint):
    hook = endpoint()
    intent_id = _captured(provider_db)
    gw.refund(intent_id, 10, "refund-d")
    assert payments.deliver_pending(provider_db, hook.url, SECRET) == (3, 0)
    assert hook.types() == ["payment_intent.amount_capturable_updated", "payment_intent.succeeded", "charge.refunded"]
    for body, signature in hook.received:  # Stripe's own SDK accepts every delivery
        event = stripe.Webhook.construct_event(body, signature, SECRET, tolerance=300)
        assert event["id"].startswith("evt_local_")
    assert provider_db.local_payment_webhooks.count_documents({"delivered": True}) == 3
    assert payments.deliver_pending(provider_db, hook.url, SECRET) == (0, 0)  # nothing delivered twice
    assert len(hook.received) == 3


def test_a_refused_delivery_is_retried_with_backoff_and_then_given_up(provider_db, endpoint):
    hook = endpoint(500, 503)
    intent_id = _authorised(provider_db)
    assert payments.deliver_pending(provider_db, hook.url, SECRET) == (0, 1)
    queued = provider_db.local_payment_webhooks.find_one({"payment_intent": intent_id})
    assert (queued["delivered"], queued["attempts"], queued["last_status"]) == (False, 1, 500)
    assert queued["next_attempt_at"] > time.time()
    assert payments.deliver_pending(provider_db, hook.url, SECRET) == (0, 1)  # backing off: not tried yet
    assert len(hook.received) == 1
    assert payments.deliver_pending(provider_db, hook.url, SECRET, force=True) == (0, 1)  # 503
    assert payments.deliver_pending(provider_db, hook.url, SECRET, force=True) == (1, 0)
    assert len({body for body, _ in hook.received}) == 1  # the same event each time
    assert provider_db.local_payment_webhooks.find_one({"_id": queued["_id"]})["attempts"] == 3

    dead = endpoint(*[500] * payments.MAX_ATTEMPTS)
    other = _authorised(provider_db)
    for _ in range(payments.MAX_ATTEMPTS):
        payments.deliver_pending(provider_db, dead.url, SECRET, force=True)
    assert payments.deliver_pending(provider_db, dead.url, SECRET, force=True) == (0, 0)  # given up
    given_up = provider_db.local_payment_webhooks.find_one({"payment_intent": other})
    assert (given_up["delivered"], given_up["attempts"]) == (False, payments.MAX_ATTEMPTS)
    assert len(dead.received) == payments.MAX_ATTEMPTS


def test_an_unreachable_endpoint_is_a_failed_attempt(provider_db, endpoint):
    hook = endpoint()
    url = hook.url
    hook.close()
    _authorised(provider_db)
    assert payments.deliver_pending(provider_db, url, SECRET) == (0, 1)
    queued = provider_db.local_payment_webhooks.find_one({})
    assert queued["attempts"] == 1 and queued["last_status"] is None and queued["last_error"]


def test_deliver_pending_does_a_bounded_amount_of_work(provider_db, endpoint):
    hook = endpoint()
    for _ in range(5):
        _authorised(provider_db)
    assert payments.deliver_pending(provider_db, hook.url, SECRET, limit=2) == (2, 3)
    assert payments.deliver_pending(provider_db, hook.url, SECRET, limit=10) == (3, 0)


# -- the runner: /local/payments/confirm, /local/payments/deliver, the background loop ----------------


def _session_db(runtime):
    return runtime._payments_db


def test_confirm_endpoint_authorises_and_delivers_its_event_at_once(runtime, api):
    created = gw.create_payment_intent(1234, "usd", "c-unit-" + uuid.uuid4().hex[:8], uuid.uuid4().hex)
    declined = api.post(
        "/local/payments/confirm", json={"client_secret": created.client_secret, "card_number": DECLINED_CARD}
    )
    assert declined.status_code == 200, declined.text
    assert declined.json() == {"status": "failed", "payment_intent": created.id, "webhook_status": 200}
    response = api.post(
        "/local/payments/confirm", json={"client_secret": created.client_secret, "card_number": "4242 4242 4242 4242"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "authorized", "payment_intent": created.id, "webhook_status": 200}
    queued = list(_session_db(runtime).local_payment_webhooks.find({"payment_intent": created.id}))
    assert len(queued) == 2 and all(q["delivered"] and q["attempts"] == 1 for q in queued)
    again = api.post(
        "/local/payments/confirm", json={"client_secret": created.client_secret, "card_number": SUCCEEDING_CARD}
    )
    assert again.status_code == 404


def test_deliver_endpoint_flushes_the_queue(runtime, api):
    database = _session_db(runtime)
    intent = {
        "_id": "pi_local_unit_" + uuid.uuid4().hex[:8],
        "amount": 500,
        "currency": "usd",
        "metadata": {"checkout_id": "c-unit-" + uuid.uuid4().hex[:8]},
        "status": "canceled",
    }
    with runtime._delivery_lock:  # the background loop waits meanwhile
        ids = [queue_event(intent, "payment_intent.canceled", f"k{n}", database=database)["id"] for n in range(3)]
        # as if backing off after a failure: the background loop leaves them alone, an explicit flush does not
        database.local_payment_webhooks.update_many(
            {"_id": {"$in": ids}}, {"$set": {"next_attempt_at": time.time() + 3600}}
        )
    response = api.post("/local/payments/deliver")
    assert response.status_code == 200, response.text
    assert response.json() == {"delivered": 3, "pending": 0}
    for queued in database.local_payment_webhooks.find({"payment_intent": intent["_id"]}):
        assert queued["delivered"] and queued["last_status"] == 200
    assert api.post("/local/payments/deliver").json() == {"delivered": 0, "pending": 0}


def test_the_background_loop_delivers_without_being_asked(runtime):
    database = _session_db(runtime)
    intent = {
        "_id": "pi_local_unit_" + uuid.uuid4().hex[:8],
        "amount": 500,
        "currency": "usd",
        "metadata": {"checkout_id": "c-unit-" + uuid.uuid4().hex[:8]},
        "status": "canceled",
    }
    event = queue_event(intent, "payment_intent.canceled", database=database)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if database.local_payment_webhooks.find_one({"_id": event["id"], "delivered": True}):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the runner's background loop did not deliver the event")
    assert database.local_payment_webhooks.find_one({"_id": event["id"]})["last_status"] == 200
