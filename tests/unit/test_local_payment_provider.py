"""The local payment provider: Stripe's PaymentIntent lifecycle with manual capture (authorise,
capture, void, refund), the sellers' payouts (connected accounts, transfers, reversals) and where
every cent went (balances), its events, the webhook queue and its delivery.

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
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from local import payments
from local.payment_provider import (
    DECLINED_CARD,
    PLATFORM,
    SUCCEEDING_CARD,
    LocalPaymentGateway,
    activate_account,
    apply_indexes,
    balances,
    clear_faults,
    confirm,
    inject_fault,
    queue_event,
)
from smartgrocer.domain.payments import PaymentProviderError
from tests.support import eventually

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


# -- the charge of a capture -------------------------------------------------------------------------


def test_capture_returns_the_charge_and_the_same_one_on_a_replay(provider_db):
    intent_id = _authorised(provider_db)
    charge = gw.capture(intent_id, 4000, "capture-c")
    assert charge == "ch_local_" + intent_id.removeprefix("pi_local_")  # one per intent, derived from it
    assert _intent(provider_db, intent_id)["latest_charge"] == charge
    assert _events(provider_db, intent_id)[-1]["data"]["object"]["latest_charge"] == charge
    assert gw.capture(intent_id, 4000, "capture-c") == charge
    assert balances(provider_db) == {PLATFORM: 4000}  # credited once, not once per call


def test_an_intent_stored_without_a_charge_gets_one_when_captured(provider_db):
    intent_id = "pi_local_byhand" + uuid.uuid4().hex[:8]
    provider_db.local_payment_intents.insert_one(
        {
            "_id": intent_id,
            "idempotency_key": uuid.uuid4().hex,
            "client_secret": intent_id + "_secret_x",
            "amount": 700,
            "currency": "usd",
            "metadata": {"checkout_id": "c-byhand"},
            "status": "requires_capture",
            "amount_capturable": 700,
        }
    )
    charge = gw.capture(intent_id, 700, "capture-byhand")
    assert (
        charge == "ch_local_" + intent_id.removeprefix("pi_local_") == _intent(provider_db, intent_id)["latest_charge"]
    )


# -- connected accounts ------------------------------------------------------------------------------

ACCOUNT_OBJECT_FIELDS = {
    "id",
    "object",
    "type",
    "charges_enabled",
    "payouts_enabled",
    "details_submitted",
    "email",
    "metadata",
}


def _account_doc(database, account_id: str) -> dict:
    return database.local_payment_accounts.find_one({"_id": account_id})


def _account_events(database, account_id: str) -> list[dict]:
    return [
        json.loads(q["payload"]) for q in database.local_payment_webhooks.find({"account": account_id}).sort("seq", 1)
    ]


def _active_account(seller: str = "seller") -> str:
    account_id = gw.create_account(f"{seller}-{uuid.uuid4().hex[:6]}", f"{seller}@example.com", uuid.uuid4().hex)
    activate_account(account_id)
    return account_id


def test_create_account_is_pending_and_idempotent_by_key(provider_db):
    account_id = gw.create_account("s1", "s1@example.com", "account-s1")
    assert account_id.startswith("acct_local_")
    doc = _account_doc(provider_db, account_id)
    assert (doc["seller_id"], doc["email"], doc["idempotency_key"], doc["status"]) == (
        "s1",
        "s1@example.com",
        "account-s1",
        "pending",
    )
    assert (doc["charges_enabled"], doc["payouts_enabled"], doc["details_submitted"]) == (False, False, False)
    assert gw.create_account("s1", "s1@example.com", "account-s1") == account_id  # same key, same account
    assert gw.create_account("s1", "other@example.com", "account-s1") == account_id  # the first answer stands
    assert provider_db.local_payment_accounts.count_documents({}) == 1
    assert gw.create_account("s2", "s2@example.com", "account-s2") != account_id
    assert gw.account_status(account_id) == "pending"
    assert _events(provider_db) == []  # nothing happened that Stripe would announce
    with pytest.raises(PaymentProviderError, match="no such account"):
        gw.account_status("acct_local_missing")


def test_concurrent_creates_with_one_key_make_one_account(provider_db):
    with ThreadPoolExecutor(6) as pool:
        ids = set(pool.map(lambda _: gw.create_account("s1", "s1@example.com", "account-race"), range(6)))
    assert len(ids) == 1 and provider_db.local_payment_accounts.count_documents({}) == 1


def test_activation_makes_the_account_active_and_raises_account_updated_once(provider_db):
    account_id = gw.create_account("s1", "s1@example.com", "account-a")
    event = activate_account(account_id)
    assert gw.account_status(account_id) == "active"
    doc = _account_doc(provider_db, account_id)
    assert doc["status"] == "active" and doc["charges_enabled"] and doc["payouts_enabled"] and doc["details_submitted"]
    (queued,) = _account_events(provider_db, account_id)
    assert queued == event and event["type"] == "account.updated" and event["object"] == "event"
    obj = event["data"]["object"]
    assert set(obj) == ACCOUNT_OBJECT_FIELDS
    assert obj == {
        "id": account_id,
        "object": "account",
        "type": "express",
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
        "email": "s1@example.com",
        "metadata": {"seller_id": "s1"},
    }
    activate_account(account_id)  # again (the seed on every start, a double click): nothing new
    assert len(_account_events(provider_db, account_id)) == 1
    with pytest.raises(LookupError):
        activate_account("acct_local_missing")


def test_onboarding_link_points_at_the_local_onboarding_page(provider_db):
    account_id = gw.create_account("s1", "s1@example.com", "account-l")
    link = gw.onboarding_link(account_id, "/seller/payouts?again=1", "/seller/payouts?done=1")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("", "", f"/local/payments/onboarding/{account_id}")
    assert parse_qs(parts.query) == {
        "return_url": ["/seller/payouts?done=1"],
        "refresh_url": ["/seller/payouts?again=1"],
    }
    with pytest.raises(PaymentProviderError, match="no such account"):
        gw.onboarding_link("acct_local_missing", "/r", "/x")


# -- transfers and reversals, balances ---------------------------------------------------------------

TRANSFER_OBJECT_FIELDS = {
    "id",
    "object",
    "amount",
    "amount_reversed",
    "created",
    "currency",
    "destination",
    "livemode",
    "metadata",
    "reversals",
    "reversed",
    "source_transaction",
    "transfer_group",
}


def _paid(database, amount: int = 5000) -> tuple[str, str]:
    """A captured intent and its charge."""
    intent_id = _authorised(database, amount)
    return intent_id, gw.capture(intent_id, amount, "capture-" + intent_id)


def _transfer_doc(database, transfer_id: str) -> dict:
    return database.local_payment_transfers.find_one({"_id": transfer_id})


def _transfer_events(database, transfer_id: str | None = None) -> list[dict]:
    query = {"transfer": transfer_id} if transfer_id else {"transfer": {"$exists": True}}
    return [json.loads(q["payload"]) for q in database.local_payment_webhooks.find(query).sort("seq", 1)]


def test_transfers_move_a_charge_from_the_platform_to_the_sellers(provider_db):
    _, charge = _paid(provider_db, 5000)
    greens, bakery = _active_account("greens"), _active_account("bakery")
    assert balances(provider_db) == {PLATFORM: 5000}
    first = gw.transfer(greens, 3000, "usd", charge, "checkout-c1", "transfer-c1-greens")
    second = gw.transfer(bakery, 1500, "usd", charge, "checkout-c1", "transfer-c1-bakery")
    assert first.startswith("tr_local_") and second.startswith("tr_local_") and first != second
    assert balances(provider_db) == {PLATFORM: 500, greens: 3000, bakery: 1500}  # the platform keeps its part
    doc = _transfer_doc(provider_db, first)
    assert {k: doc[k] for k in ("account_id", "amount", "amount_reversed", "source_transaction", "transfer_group")} == {
        "account_id": greens,
        "amount": 3000,
        "amount_reversed": 0,
        "source_transaction": charge,
        "transfer_group": "checkout-c1",
    }
    assert doc["currency"] == "usd" and doc["reversals"] == {}
    (event,) = _transfer_events(provider_db, first)
    assert event["type"] == "transfer.created" and event["request"]["idempotency_key"] == "transfer-c1-greens"
    obj = event["data"]["object"]
    assert set(obj) == TRANSFER_OBJECT_FIELDS
    assert (obj["id"], obj["object"], obj["amount"], obj["destination"]) == (first, "transfer", 3000, greens)
    assert (obj["source_transaction"], obj["transfer_group"], obj["reversed"]) == (charge, "checkout-c1", False)
    assert obj["reversals"]["data"] == [] and obj["reversals"]["total_count"] == 0


def test_the_transfers_of_a_charge_never_exceed_what_it_captured(provider_db):
    intent_id = _authorised(provider_db, 5997)
    charge = gw.capture(intent_id, 5000, "capture-partial")  # the rest of the hold was released
    account = _active_account()
    gw.transfer(account, 4000, "usd", charge, "g", "t-1")
    before = balances(provider_db)
    with pytest.raises(PaymentProviderError, match="5000 was captured and 4000 already transferred"):
        gw.transfer(account, 1001, "usd", charge, "g", "t-2")
    assert balances(provider_db) == before and len(_transfer_events(provider_db)) == 1
    gw.transfer(account, 1000, "usd", charge, "g", "t-2")  # the key was not used up by the refusal
    with pytest.raises(PaymentProviderError, match="already transferred"):
        gw.transfer(account, 1, "usd", charge, "g", "t-3")
    assert balances(provider_db) == {PLATFORM: 0, account: 5000}
    assert _intent(provider_db, intent_id)["amount_transferred"] == 5000


def test_concurrent_transfers_never_exceed_the_charge(provider_db):
    _, charge = _paid(provider_db, 5000)
    account = _active_account()

    def transfer(n: int):
        try:
            return gw.transfer(account, 1000, "usd", charge, "g", f"t-race-{n}")
        except PaymentProviderError:
            return None

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(transfer, range(8)))
    assert len([r for r in results if r]) == 5
    assert balances(provider_db) == {PLATFORM: 0, account: 5000}
    assert provider_db.local_payment_transfers.count_documents({}) == 5


def test_a_transfer_to_an_account_not_onboarded_is_refused(provider_db):
    _, charge = _paid(provider_db)
    pending = gw.create_account("s1", "s1@example.com", "account-p")
    with pytest.raises(PaymentProviderError, match="onboarding is not complete"):
        gw.transfer(pending, 100, "usd", charge, "g", "t-pending")
    with pytest.raises(PaymentProviderError, match="no such account"):
        gw.transfer("acct_local_missing", 100, "usd", charge, "g", "t-missing")
    assert balances(provider_db) == {PLATFORM: 5000}
    assert provider_db.local_payment_transfers.count_documents({}) == 0 and _transfer_events(provider_db) == []
    activate_account(pending)  # once onboarded, the same call goes through
    gw.transfer(pending, 100, "usd", charge, "g", "t-pending")
    assert balances(provider_db) == {PLATFORM: 4900, pending: 100}


@pytest.mark.parametrize("source", ["missing", "authorised", "voided"])
def test_a_transfer_needs_a_charge_that_succeeded(provider_db, source):
    account = _active_account()
    charge = "ch_local_missing"
    if source != "missing":
        intent_id = _authorised(provider_db)
        charge = _intent(provider_db, intent_id)["latest_charge"]  # the charge exists, uncaptured
        if source == "voided":
            gw.cancel(intent_id)
    with pytest.raises(PaymentProviderError, match="no such charge|has not succeeded"):
        gw.transfer(account, 100, "usd", charge, "g", "t-" + source)
    assert balances(provider_db) == {} and provider_db.local_payment_transfers.count_documents({}) == 0


@pytest.mark.parametrize("amount", [0, -1, True, 12.5, "100"])
def test_a_transfer_of_no_positive_amount_or_another_currency_is_refused(provider_db, amount):
    _, charge = _paid(provider_db)
    account = _active_account()
    with pytest.raises(PaymentProviderError, match="positive integer"):
        gw.transfer(account, amount, "usd", charge, "g", "t-bad")
    with pytest.raises(PaymentProviderError, match="cannot transfer eur"):
        gw.transfer(account, 100, "eur", charge, "g", "t-bad")
    assert balances(provider_db) == {PLATFORM: 5000} and _transfer_events(provider_db) == []


def test_a_replayed_transfer_is_the_same_transfer_and_moves_money_once(provider_db):
    _, charge = _paid(provider_db)
    account = _active_account()
    first = gw.transfer(account, 2000, "usd", charge, "g", "t-once")
    assert gw.transfer(account, 2000, "usd", charge, "g", "t-once") == first
    assert gw.transfer(account, 999, "usd", charge, "g", "t-once") == first  # the key's first answer stands
    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(lambda _: gw.transfer(account, 2000, "usd", charge, "g", "t-once"), range(6))) == {first}
    assert balances(provider_db) == {PLATFORM: 3000, account: 2000}
    assert provider_db.local_payment_transfers.count_documents({}) == 1
    assert [e["type"] for e in _transfer_events(provider_db)] == ["transfer.created"]


def test_concurrent_first_transfers_with_one_key_move_money_once(provider_db):
    _, charge = _paid(provider_db)
    account = _active_account()
    with ThreadPoolExecutor(6) as pool:
        ids = set(pool.map(lambda _: gw.transfer(account, 2000, "usd", charge, "g", "t-race"), range(6)))
    assert len(ids) == 1
    assert balances(provider_db) == {PLATFORM: 3000, account: 2000}
    assert len(_transfer_events(provider_db)) == 1


def test_a_transfer_cut_short_after_taking_its_share_is_finished_by_its_retry(provider_db):
    """A crash between reserving the charge's share and storing the transfer: the retry with the same
    key stores it and moves the money, once, without reserving the share again."""
    intent_id, charge = _paid(provider_db)
    account = _active_account()
    transfer_id = gw.transfer(account, 2000, "usd", charge, "g", "t-crash")
    provider_db.local_payment_transfers.delete_one({"_id": transfer_id})  # as if never stored
    provider_db.local_payment_balances.delete_many({})  # and no money moved yet
    provider_db.local_payment_balances.insert_one(
        {"_id": PLATFORM, "available_cents": 5000, "applied": {"capture_" + charge: 5000}}
    )
    assert gw.transfer(account, 2000, "usd", charge, "g", "t-crash") == transfer_id
    assert _intent(provider_db, intent_id)["amount_transferred"] == 2000
    assert _transfer_doc(provider_db, transfer_id)["amount"] == 2000
    assert balances(provider_db) == {PLATFORM: 3000, account: 2000}


def test_reversals_take_back_part_then_all_and_never_more(provider_db):
    _, charge = _paid(provider_db)
    account = _active_account()
    transfer_id = gw.transfer(account, 3000, "usd", charge, "g", "t-r")
    partial = gw.reverse_transfer(transfer_id, 1000, "rev-1")
    assert partial.startswith("trr_local_")
    assert balances(provider_db) == {PLATFORM: 3000, account: 2000}
    doc = _transfer_doc(provider_db, transfer_id)
    assert (doc["amount_reversed"], doc["reversals"]) == (1000, {partial: 1000})
    with pytest.raises(PaymentProviderError, match="3000 was transferred and 1000 already reversed"):
        gw.reverse_transfer(transfer_id, 2001, "rev-2")
    assert balances(provider_db) == {PLATFORM: 3000, account: 2000}
    rest = gw.reverse_transfer(transfer_id, 2000, "rev-2")  # the key was not used up by the refusal
    assert rest != partial
    assert balances(provider_db) == {PLATFORM: 5000, account: 0}
    with pytest.raises(PaymentProviderError, match="already reversed"):
        gw.reverse_transfer(transfer_id, 1, "rev-3")
    events = _transfer_events(provider_db, transfer_id)
    assert [e["type"] for e in events] == ["transfer.created", "transfer.reversed", "transfer.reversed"]
    assert [e["data"]["object"]["amount_reversed"] for e in events] == [0, 1000, 3000]
    last = events[-1]["data"]["object"]
    assert last["reversed"] is True and last["reversals"]["total_count"] == 2
    assert [(r["id"], r["amount"], r["transfer"]) for r in last["reversals"]["data"]] == [
        (partial, 1000, transfer_id),
        (rest, 2000, transfer_id),
    ]
    assert events[1]["data"]["object"]["reversed"] is False


@pytest.mark.parametrize("amount", [0, -5, False, 1.5, "10"])
def test_a_reversal_of_no_positive_amount_or_of_no_transfer_is_refused(provider_db, amount):
    _, charge = _paid(provider_db)
    account = _active_account()
    transfer_id = gw.transfer(account, 3000, "usd", charge, "g", "t-bad-r")
    with pytest.raises(PaymentProviderError, match="positive integer"):
        gw.reverse_transfer(transfer_id, amount, "rev-bad")
    with pytest.raises(PaymentProviderError, match="no such transfer"):
        gw.reverse_transfer("tr_local_missing", 10, "rev-bad")
    assert balances(provider_db) == {PLATFORM: 2000, account: 3000}
    assert _transfer_doc(provider_db, transfer_id)["amount_reversed"] == 0


def test_a_replayed_reversal_is_the_same_reversal_and_moves_money_once(provider_db):
    _, charge = _paid(provider_db)
    account = _active_account()
    transfer_id = gw.transfer(account, 3000, "usd", charge, "g", "t-rr")
    first = gw.reverse_transfer(transfer_id, 1200, "rev-once")
    with ThreadPoolExecutor(6) as pool:
        again = set(pool.map(lambda _: gw.reverse_transfer(transfer_id, 1200, "rev-once"), range(6)))
    assert again == {first}
    assert gw.reverse_transfer(transfer_id, 1, "rev-once") == first  # the key's first answer stands
    assert balances(provider_db) == {PLATFORM: 3200, account: 1800}
    assert _transfer_doc(provider_db, transfer_id)["amount_reversed"] == 1200
    assert [e["type"] for e in _transfer_events(provider_db, transfer_id)] == ["transfer.created", "transfer.reversed"]


def test_concurrent_reversals_never_exceed_the_transfer(provider_db):
    _, charge = _paid(provider_db)
    account = _active_account()
    transfer_id = gw.transfer(account, 3000, "usd", charge, "g", "t-race-r")

    def reverse(n: int):
        try:
            return gw.reverse_transfer(transfer_id, 1000, f"rev-race-{n}")
        except PaymentProviderError:
            return None

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(reverse, range(6)))
    assert len([r for r in results if r]) == 3
    assert balances(provider_db) == {PLATFORM: 5000, account: 0}


def test_refunds_debit_the_platform_once(provider_db):
    intent_id, charge = _paid(provider_db, 5000)
    account = _active_account()
    transfer_id = gw.transfer(account, 3000, "usd", charge, "g", "t-refund")
    refund = gw.refund(intent_id, 2000, "refund-r")
    assert gw.refund(intent_id, 2000, "refund-r") == refund  # a replay: not debited twice
    assert balances(provider_db) == {PLATFORM: 0, account: 3000}
    gw.reverse_transfer(transfer_id, 2000, "rev-refund")  # the seller's share of the refund comes back
    assert balances(provider_db) == {PLATFORM: 2000, account: 1000}
    assert sum(balances(provider_db).values()) == 5000 - 2000  # captured minus refunded: every cent accounted for


# -- fault injection for payouts ---------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["transfer", "reverse", "account"])
def test_an_injected_payout_failure_changes_nothing_and_the_retry_works(provider_db, operation):
    _, charge = _paid(provider_db)
    account = _active_account()
    transfer_id = gw.transfer(account, 3000, "usd", charge, "g", "t-fault-base")
    call = {
        "transfer": lambda: gw.transfer(account, 1000, "usd", charge, "g", "t-fault"),
        "reverse": lambda: gw.reverse_transfer(transfer_id, 1000, "rev-fault"),
        "account": lambda: gw.create_account("s-fault", "f@example.com", "account-fault"),
    }[operation]

    def state():
        return (
            balances(provider_db),
            list(provider_db.local_payment_transfers.find()),
            list(provider_db.local_payment_accounts.find()),
            provider_db.local_payment_webhooks.count_documents({}),
        )

    before = state()
    inject_fault(operation, database=provider_db)
    with pytest.raises(PaymentProviderError, match=f"injected {operation} failure"):
        call()
    assert state() == before
    result = call()
    assert result and state() != before
    assert call() == result  # and it is not repeated by a replay


def test_the_account_fault_covers_links_and_status_too(provider_db):
    account_id = gw.create_account("s1", "s1@example.com", "account-f")
    inject_fault("account", times=2)
    with pytest.raises(PaymentProviderError, match="injected account failure"):
        gw.onboarding_link(account_id, "/r", "/x")
    with pytest.raises(PaymentProviderError, match="injected account failure"):
        gw.account_status(account_id)
    assert gw.account_status(account_id) == "pending"
    inject_fault("transfer", times=5)
    clear_faults()
    _, charge = _paid(provider_db)
    activate_account(account_id)
    assert gw.transfer(account_id, 10, "usd", charge, "g", "t-cleared").startswith("tr_local_")
    with pytest.raises(ValueError, match="unknown operation"):
        inject_fault("payout")


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
    eventually(
        lambda: database.local_payment_webhooks.find_one({"_id": event["id"], "delivered": True}),
        interval=0.05,
        what="delivery of the event by the runner's background loop",
    )
    assert database.local_payment_webhooks.find_one({"_id": event["id"]})["last_status"] == 200


# -- the runner: /local/payments/onboarding/<account> ------------------------------------------------


def _onboarding(runtime, return_url: str = "/seller/payouts?done=1") -> tuple[str, str]:
    account_id = gw.create_account("s-" + uuid.uuid4().hex[:6], "onboard@example.com", uuid.uuid4().hex)
    return account_id, gw.onboarding_link(account_id, "/seller/payouts?again=1", return_url)


def test_the_onboarding_page_stands_in_for_stripe_and_activates_payouts(runtime, api):
    database = _session_db(runtime)
    account_id, link = _onboarding(runtime)
    page = api.get(link)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "SmartGrocer test payouts onboarding" in page.text and "stands in for Stripe" in page.text
    assert account_id in page.text and "Activate payouts" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

    done = api.post(
        f"/local/payments/onboarding/{account_id}",
        data={"return_url": "/seller/payouts?done=1"},
        headers={"Origin": runtime.base_url},
        allow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/seller/payouts?done=1"
    assert gw.account_status(account_id) == "active"
    (queued,) = database.local_payment_webhooks.find({"account": account_id})
    assert queued["type"] == "account.updated" and queued["delivered"] and queued["last_status"] == 200  # at once
    assert "Payouts are <strong>active</strong>" in api.get(link).text
    again = api.post(link, allow_redirects=False)  # the return address of the link's query; nothing new
    assert again.status_code == 303 and again.headers["location"] == "/seller/payouts?done=1"
    assert database.local_payment_webhooks.count_documents({"account": account_id}) == 1


def test_the_onboarding_page_returns_to_an_absolute_address_of_its_own_origin(runtime, api):
    account_id, link = _onboarding(runtime, return_url=f"{runtime.base_url}/seller/payouts")
    done = api.post(link, allow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{runtime.base_url}/seller/payouts"


@pytest.mark.parametrize(
    "return_url",
    [
        "https://evil.example/seller",
        "//evil.example/seller",
        "/\\evil.example/seller",
        "javascript:alert(1)",
        "http://127.0.0.1.evil.example/",
        "seller/payouts",
        "/seller\r\nSet-Cookie: x=1",
    ],
    ids=["other_site", "scheme_relative", "backslash", "javascript", "lookalike", "not_a_path", "header_split"],
)
def test_the_onboarding_page_never_redirects_off_site(runtime, api, return_url):
    account_id, link = _onboarding(runtime, return_url=return_url)
    assert api.get(link).status_code == 400
    refused = api.post(link, allow_redirects=False)
    assert refused.status_code == 400 and "location" not in refused.headers
    assert gw.account_status(account_id) == "pending"


def test_the_onboarding_page_refuses_a_form_posted_from_another_site(runtime, api):
    account_id, link = _onboarding(runtime)
    refused = api.post(link, headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert refused.status_code == 403
    assert gw.account_status(account_id) == "pending"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/local/payments/onboarding/acct_local_missing", 404),
        ("POST", "/local/payments/onboarding/acct_local_missing", 404),
        ("GET", "/local/payments/onboarding/not-an-account", 404),
        ("GET", "/local/payments/onboarding/acct_local_x%2F..%2F..%2Fmail", 404),
        ("PUT", "/local/payments/onboarding/acct_local_missing", 405),
    ],
)
def test_the_onboarding_page_of_no_account(api, method, path, status):
    response = api.request(method, path, allow_redirects=False)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
