"""The local payment provider: Stripe's PaymentIntent lifecycle with manual capture, and Connect's
separate charges and transfers for the sellers' payouts, kept in MongoDB, no network.

Part of the local runtime only (never shipped in the layer). As on Stripe, an intent is created
awaiting a card (`requires_payment_method`); confirming it with a test card (the runner's
`/local/payments/confirm`) only authorises it (`requires_capture`, a declined card leaves it waiting
for another card); `capture` takes all or part of the hold (`succeeded`) and returns the charge id
(`latest_charge`, `ch_local_...`, one per intent), `cancel` voids it (`canceled`), and `refund` gives
back captured money.

Sellers are paid like on Connect Express: `create_account` opens a connected account
(`local_payment_accounts`, `acct_local_...`, `pending`); `onboarding_link` points at the runner's
stand-in for Stripe's hosted onboarding (`/local/payments/onboarding/<account>`), whose button calls
`activate_account` (the account turns `active` and an `account.updated` event is raised). `transfer`
moves part of a captured charge to an active account (`local_payment_transfers`, `tr_local_...`; the
transfers of a charge never add up to more than it captured), `reverse_transfer` takes part or all
of it back.

Money is tracked per balance (`local_payment_balances`: the platform's and each account's
`available_cents`, see `balances`): a capture credits the platform, a refund debits it, a transfer
moves money from the platform to the account, a reversal moves it back. Each movement is applied
once per operation (its id is recorded with the balance), so a replayed call never moves money twice.

Every transition raises a webhook event shaped like Stripe's. Those raised inside a function are
only queued in `local_payment_webhooks`; the runner delivers them, signed with Stripe's scheme, to
the real webhook route (`local.payments.deliver_pending`). As on Stripe, a call repeated with the
same idempotency key changes nothing and answers as the first one did. Tests make any call fail
through `local_payment_faults` (`inject_fault`, `clear_faults`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from smartgrocer.adapters.mongo import db
from smartgrocer.domain.payments import PaymentIntent, PaymentProviderError, connected_account_status

INDEXES = [  # applied by the local runner next to the product's own (smartgrocer.indexes)
    IndexModel([("idempotency_key", ASCENDING)], unique=True, name="intent_idempotency"),
    IndexModel([("client_secret", ASCENDING)], name="intent_client_secret"),
    IndexModel([("latest_charge", ASCENDING)], name="intent_latest_charge"),  # a transfer's source charge
]
ACCOUNT_INDEXES = [
    IndexModel([("idempotency_key", ASCENDING)], unique=True, name="account_idempotency"),
    IndexModel([("seller_id", ASCENDING)], name="account_seller"),
]
TRANSFER_INDEXES = [  # a transfer's _id derives from its idempotency key: unique already
    IndexModel([("source_transaction", ASCENDING)], name="transfer_source"),
    IndexModel([("account_id", ASCENDING)], name="transfer_account"),
]
WEBHOOK_INDEXES = [  # the runner's delivery loop: undelivered events, oldest first
    IndexModel([("delivered", ASCENDING), ("seq", ASCENDING)], name="webhook_pending"),
]
SUCCEEDING_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
DECLINE_MESSAGE = "Your card was declined."
CANCELLATION_REASON = "abandoned"  # the port's `cancel` gives no reason; Stripe's word for "not wanted any more"
API_VERSION = "2025-01-27"
PLATFORM = "platform"  # the platform's own balance in `local_payment_balances`
FAULT_OPERATIONS = ("create", "retrieve", "capture", "cancel", "refund", "account", "transfer", "reverse")
ACCOUNT_FLAGS = ("charges_enabled", "payouts_enabled", "details_submitted")
ONBOARDING_PATH = "/local/payments/onboarding/"


def _intents(database: Database | None = None):
    return (database if database is not None else db()).local_payment_intents


def _webhooks(database: Database | None = None):
    return (database if database is not None else db()).local_payment_webhooks


def _accounts(database: Database | None = None):
    return (database if database is not None else db()).local_payment_accounts


def _transfers(database: Database | None = None):
    return (database if database is not None else db()).local_payment_transfers


def _balances(database: Database | None = None):
    return (database if database is not None else db()).local_payment_balances


def apply_indexes(database) -> None:
    database.local_payment_intents.create_indexes(INDEXES)
    database.local_payment_webhooks.create_indexes(WEBHOOK_INDEXES)
    database.local_payment_accounts.create_indexes(ACCOUNT_INDEXES)
    database.local_payment_transfers.create_indexes(TRANSFER_INDEXES)


def _maybe_fail(operation: str) -> None:
    """Fault injection for tests: `local_payment_faults` holds {_id: operation, remaining: n}; the
    operations are FAULT_OPERATIONS (`account` covers create_account, onboarding_link and
    account_status; `reverse` is reverse_transfer). An injected failure changes nothing."""
    fault = db().local_payment_faults.find_one_and_update(
        {"_id": operation, "remaining": {"$gt": 0}}, {"$inc": {"remaining": -1}}
    )
    if fault:
        raise PaymentProviderError(f"local provider: injected {operation} failure")


def inject_fault(operation: str, times: int = 1, database: Database | None = None) -> None:
    """Make the next `times` calls of `operation` (one of FAULT_OPERATIONS) fail with PaymentProviderError."""
    if operation not in FAULT_OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}: one of {', '.join(FAULT_OPERATIONS)}")
    faults = (database if database is not None else db()).local_payment_faults
    faults.replace_one({"_id": operation}, {"_id": operation, "remaining": times}, upsert=True)


def clear_faults(database: Database | None = None) -> None:
    (database if database is not None else db()).local_payment_faults.delete_many({})


def _positive_cents(amount_cents: object, operation: str) -> int:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise PaymentProviderError(f"local provider: {operation} amount must be a positive integer of cents")
    return amount_cents


def _key_id(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _charge_id(payment_intent_id: str) -> str:
    """The id of an intent's charge: one per intent, derived from it."""
    return "ch_local_" + payment_intent_id.removeprefix("pi_local_")


class LocalPaymentGateway:
    provider = "local"
    publishable_key = None

    def create_payment_intent(
        self, amount_cents: int, currency: str, checkout_id: str, idempotency_key: str
    ) -> PaymentIntent:
        _maybe_fail("create")
        existing = _intents().find_one({"idempotency_key": idempotency_key})
        if existing:  # the same idempotency key returns the same intent, as on Stripe
            return PaymentIntent(existing["_id"], existing["client_secret"])
        intent_id = "pi_local_" + secrets.token_hex(12)
        doc = {
            "_id": intent_id,
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "idempotency_key": idempotency_key,
            "amount": amount_cents,
            "currency": currency,
            "metadata": {"checkout_id": checkout_id},
            "status": "requires_payment_method",
            "capture_method": "manual",
            "amount_capturable": 0,
            "amount_received": 0,
            "amount_refunded": 0,
            "last_payment_error": None,
            "cancellation_reason": None,
            "latest_charge": None,
            "capture_key": None,
            "refunds": {},
            "created": int(time.time()),
        }
        try:
            _intents().insert_one(doc)
        except DuplicateKeyError:
            existing = _intents().find_one({"idempotency_key": idempotency_key})
            return PaymentIntent(existing["_id"], existing["client_secret"])
        return PaymentIntent(doc["_id"], doc["client_secret"])

    def capture(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        _maybe_fail("capture")
        for _ in range(2):  # a second look only when a concurrent call moved the intent on meanwhile
            intent = _intent(payment_intent_id)
            if intent["status"] == "succeeded" and intent.get("capture_key") == idempotency_key:
                return _captured(intent, idempotency_key)  # a replay: the same charge, no second movement
            if intent["status"] != "requires_capture":
                raise PaymentProviderError(
                    f"local provider: PaymentIntent {payment_intent_id} cannot be captured: its status is "
                    f"{intent['status']} (only an authorised one, requires_capture, can be)"
                )
            amount = _positive_cents(amount_cents, "capture")
            if amount > intent.get("amount_capturable", 0):
                raise PaymentProviderError(
                    f"local provider: cannot capture {amount} of PaymentIntent {payment_intent_id}: only "
                    f"{intent.get('amount_capturable', 0)} is authorised"
                )
            captured = _intents().find_one_and_update(
                {"_id": payment_intent_id, "status": "requires_capture"},
                {
                    "$set": {
                        "status": "succeeded",
                        "amount_received": amount,
                        "amount_capturable": 0,
                        "capture_key": idempotency_key,
                        "captured_at": time.time(),
                        "latest_charge": intent.get("latest_charge") or _charge_id(payment_intent_id),
                    }
                },
                return_document=ReturnDocument.AFTER,
            )
            if captured is not None:
                return _captured(captured, idempotency_key)
        raise PaymentProviderError(f"local provider: PaymentIntent {payment_intent_id} changed while capturing")

    def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        _maybe_fail("refund")
        refund_id = _key_id("re_local_", idempotency_key)
        for _ in range(20):  # compare-and-set on amount_refunded: concurrent refunds never exceed what was received
            intent = _intent(payment_intent_id)
            if refund_id in (intent.get("refunds") or {}):  # the same key again: the same refund, as on Stripe
                _move(refund_id, {PLATFORM: -intent["refunds"][refund_id]})  # (once: a no-op if it was moved)
                queue_event(intent, "charge.refunded", idempotency_key)
                return refund_id
            amount = _positive_cents(amount_cents, "refund")
            received, refunded = _received(intent), intent.get("amount_refunded", 0)
            if refunded + amount > received:
                raise PaymentProviderError(
                    f"local provider: cannot refund {amount} of PaymentIntent {payment_intent_id}: "
                    f"{received} was captured and {refunded} already refunded"
                )
            refunded_now = _intents().find_one_and_update(
                {"_id": payment_intent_id, "amount_refunded": refunded, f"refunds.{refund_id}": {"$exists": False}},
                {"$inc": {"amount_refunded": amount}, "$set": {f"refunds.{refund_id}": amount}},
                return_document=ReturnDocument.AFTER,
            )
            if refunded_now is not None:
                _move(refund_id, {PLATFORM: -amount})
                queue_event(refunded_now, "charge.refunded", idempotency_key)
                return refund_id
        raise PaymentProviderError(f"local provider: PaymentIntent {payment_intent_id} is too busy to refund")

    def cancel(self, payment_intent_id: str) -> None:
        _maybe_fail("cancel")
        canceled = _intents().find_one_and_update(
            {"_id": payment_intent_id, "status": {"$in": ["requires_payment_method", "requires_capture"]}},
            {
                "$set": {
                    "status": "canceled",
                    "amount_capturable": 0,
                    "cancellation_reason": CANCELLATION_REASON,
                    "canceled_at": time.time(),
                }
            },
            return_document=ReturnDocument.AFTER,
        )
        if canceled is None:
            intent = _intent(payment_intent_id)  # an unknown intent is an error, as on Stripe
            if intent["status"] == "canceled":  # cancelled already: harmless (the event is not lost)
                queue_event(intent, "payment_intent.canceled")
            return  # captured: harmless too, captured money is refunded instead
        queue_event(canceled, "payment_intent.canceled")

    def client_secret(self, payment_intent_id: str) -> str:
        _maybe_fail("retrieve")
        intent = _intents().find_one({"_id": payment_intent_id}, {"client_secret": 1})
        if intent is None:
            raise PaymentProviderError(f"local provider: no intent {payment_intent_id}")
        return intent["client_secret"]

    # -- sellers' payouts: Connect Express accounts, separate charges and transfers ---------------

    def create_account(self, seller_id: str, email: str, idempotency_key: str) -> str:
        _maybe_fail("account")
        existing = _accounts().find_one({"idempotency_key": idempotency_key})
        if existing:  # the same key returns the same account, as on Stripe
            return existing["_id"]
        doc = {
            "_id": _key_id("acct_local_", idempotency_key),
            "seller_id": seller_id,
            "email": email,
            "idempotency_key": idempotency_key,
            "status": "pending",  # until onboarding is completed (`activate_account`)
            **dict.fromkeys(ACCOUNT_FLAGS, False),
            "created": int(time.time()),
        }
        with contextlib.suppress(DuplicateKeyError):  # created meanwhile by a concurrent call with this key
            _accounts().insert_one(doc)
        return doc["_id"]

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        """The runner's stand-in for Stripe's hosted onboarding. Root-relative: locally the SPA, the API
        and `/local` share one origin (the runner's; the Vite dev server proxies `/local` to it)."""
        _maybe_fail("account")
        _account(account_id)  # an unknown account is an error, as on Stripe
        query = urlencode({"return_url": return_url, "refresh_url": refresh_url})
        return f"{ONBOARDING_PATH}{quote(account_id, safe='')}?{query}"

    def account_status(self, account_id: str) -> str:
        _maybe_fail("account")
        return connected_account_status(account_object(_account(account_id)))

    def transfer(
        self,
        account_id: str,
        amount_cents: int,
        currency: str,
        source_charge: str,
        transfer_group: str,
        idempotency_key: str,
    ) -> str:
        _maybe_fail("transfer")
        transfer_id = _key_id("tr_local_", idempotency_key)
        existing = _transfers().find_one({"_id": transfer_id})
        if existing:  # the same key again: the same transfer, as on Stripe (its money moved once)
            return _transferred(existing, idempotency_key)
        amount = _positive_cents(amount_cents, "transfer")
        account = _account(account_id)
        if connected_account_status(account_object(account)) != "active":
            raise PaymentProviderError(
                f"local provider: cannot transfer to {account_id}: its onboarding is not complete (the "
                "destination account needs the transfers capability enabled)"
            )
        for _ in range(20):  # compare-and-set on the charge's amount_transferred, like refunds
            intent = _charge_intent(source_charge)
            if currency.lower() != str(intent["currency"]).lower():
                raise PaymentProviderError(
                    f"local provider: cannot transfer {currency} from charge {source_charge} in {intent['currency']}"
                )
            done = (intent.get("transfers") or {}).get(transfer_id)
            if done is not None:  # a concurrent call with this key got there first (or a crash came next)
                amount = done
                break
            received, transferred = _received(intent), intent.get("amount_transferred", 0)
            if transferred + amount > received:
                raise PaymentProviderError(
                    f"local provider: cannot transfer {amount} from charge {source_charge}: {received} was "
                    f"captured and {transferred} already transferred"
                )
            if "amount_transferred" not in intent:  # the first transfer from this charge: start the count
                _intents().update_one(
                    {"_id": intent["_id"], "amount_transferred": {"$exists": False}},
                    {"$set": {"amount_transferred": 0}},
                )
                continue
            if _intents().find_one_and_update(
                {
                    "_id": intent["_id"],
                    "amount_transferred": transferred,
                    f"transfers.{transfer_id}": {"$exists": False},
                },
                {"$inc": {"amount_transferred": amount}, "$set": {f"transfers.{transfer_id}": amount}},
            ):
                break
        else:
            raise PaymentProviderError(f"local provider: charge {source_charge} is too busy to transfer from")
        doc = {
            "_id": transfer_id,
            "account_id": account_id,
            "amount": amount,
            "amount_reversed": 0,
            "currency": currency.lower(),
            "source_transaction": source_charge,
            "transfer_group": transfer_group,
            "idempotency_key": idempotency_key,
            "reversals": {},
            "created": int(time.time()),
        }
        with contextlib.suppress(DuplicateKeyError):  # stored meanwhile by a concurrent call with this key
            _transfers().insert_one(doc)
        return _transferred(_transfers().find_one({"_id": transfer_id}) or doc, idempotency_key)

    def reverse_transfer(self, transfer_id: str, amount_cents: int, idempotency_key: str) -> str:
        _maybe_fail("reverse")
        reversal_id = _key_id("trr_local_", idempotency_key)
        for _ in range(20):  # compare-and-set on amount_reversed: never more than was transferred
            transfer = _transfers().find_one({"_id": transfer_id})
            if transfer is None:
                raise PaymentProviderError(f"local provider: no such transfer {transfer_id}")
            done = (transfer.get("reversals") or {}).get(reversal_id)
            if done is not None:  # the same key again: the same reversal, its money moved once
                return _reversed(transfer, reversal_id, done, idempotency_key)
            amount = _positive_cents(amount_cents, "reversal")
            reversed_, total = transfer.get("amount_reversed", 0), transfer["amount"]
            if reversed_ + amount > total:
                raise PaymentProviderError(
                    f"local provider: cannot reverse {amount} of transfer {transfer_id}: {total} was "
                    f"transferred and {reversed_} already reversed"
                )
            after = _transfers().find_one_and_update(
                {"_id": transfer_id, "amount_reversed": reversed_, f"reversals.{reversal_id}": {"$exists": False}},
                {"$inc": {"amount_reversed": amount}, "$set": {f"reversals.{reversal_id}": amount}},
                return_document=ReturnDocument.AFTER,
            )
            if after is not None:
                return _reversed(after, reversal_id, amount, idempotency_key)
        raise PaymentProviderError(f"local provider: transfer {transfer_id} is too busy to reverse")


def _received(intent: dict) -> int:
    """What was captured (an intent stored before manual capture has no `amount_received`)."""
    return intent.get("amount_received", intent["amount"] if intent["status"] == "succeeded" else 0)


def _intent(payment_intent_id: str) -> dict:
    intent = _intents().find_one({"_id": payment_intent_id})
    if intent is None:
        raise PaymentProviderError(f"local provider: no such PaymentIntent {payment_intent_id}")
    return intent


def _captured(intent: dict, idempotency_key: str) -> str:
    """What a capture (or its replay) finishes with: the platform credited once, the event queued."""
    charge = intent.get("latest_charge") or _charge_id(intent["_id"])
    _move("capture_" + charge, {PLATFORM: _received(intent)})
    queue_event(intent, "payment_intent.succeeded", idempotency_key)  # a replay queues no second event
    return charge


def _charge_intent(charge_id: str) -> dict:
    """The captured intent whose charge is `charge_id`."""
    intent = _intents().find_one({"latest_charge": charge_id})
    if intent is None and charge_id.startswith("ch_local_"):  # an intent stored without its charge id
        intent = _intents().find_one({"_id": "pi_local_" + charge_id.removeprefix("ch_local_"), "latest_charge": None})
    if intent is None:
        raise PaymentProviderError(f"local provider: no such charge {charge_id}")
    if intent["status"] != "succeeded" or _received(intent) <= 0:
        raise PaymentProviderError(
            f"local provider: charge {charge_id} has not succeeded (its PaymentIntent is {intent['status']})"
        )
    return intent


def _account(account_id: str, database: Database | None = None) -> dict:
    account = _accounts(database).find_one({"_id": account_id})
    if account is None:
        raise PaymentProviderError(f"local provider: no such account {account_id}")
    return account


def _transferred(transfer: dict, idempotency_key: str) -> str:
    """What a transfer (or its replay) finishes with: the money moved once, the event queued."""
    _move(transfer["_id"], {PLATFORM: -transfer["amount"], transfer["account_id"]: transfer["amount"]})
    _queue(
        _key_id("evt_local_", transfer["_id"], "transfer.created"),
        "transfer.created",
        transfer_object(transfer),
        idempotency_key,
        {"transfer": transfer["_id"], "account": transfer["account_id"]},
    )
    return transfer["_id"]


def _reversed(transfer: dict, reversal_id: str, amount: int, idempotency_key: str) -> str:
    _move(reversal_id, {transfer["account_id"]: -amount, PLATFORM: amount})
    _queue(
        _key_id("evt_local_", transfer["_id"], "transfer.reversed", reversal_id),
        "transfer.reversed",
        transfer_object(transfer),
        idempotency_key,
        {"transfer": transfer["_id"], "account": transfer["account_id"]},
    )
    return reversal_id


def _move(operation_id: str, changes: dict[str, int], database: Database | None = None) -> None:
    """Apply an operation's balance changes, each at most once: a balance records the operations applied
    to it (`applied.<operation id>`: cents). Safe to repeat (a replayed call, or a retry after a crash
    half-way through). (A map, not an array with `$ne`: nx-27017's updates match `$ne` on arrays wrongly.)"""
    balances = _balances(database)
    for balance_id, cents in changes.items():
        for _ in range(5):
            moved = balances.find_one_and_update(
                {"_id": balance_id, f"applied.{operation_id}": {"$exists": False}},
                {"$inc": {"available_cents": cents}, "$set": {f"applied.{operation_id}": cents}},
                projection={"_id": 1},
            )
            if moved is not None:
                break
            if balances.find_one({"_id": balance_id}, {"_id": 1}) is None:
                with contextlib.suppress(DuplicateKeyError):  # the first movement of this balance
                    balances.insert_one({"_id": balance_id, "available_cents": cents, "applied": {operation_id: cents}})
                    break
            elif balances.find_one({"_id": balance_id, f"applied.{operation_id}": {"$exists": True}}, {"_id": 1}):
                break  # moved already (a replay); otherwise another movement created the balance meanwhile: again
        else:
            raise PaymentProviderError(f"local provider: balance {balance_id} is too busy to move {operation_id}")


def balances(database: Database | None = None) -> dict[str, int]:
    """Where every cent went: {"platform": cents, <account id>: cents, ...}."""
    return {doc["_id"]: doc["available_cents"] for doc in _balances(database).find({}, {"available_cents": 1})}


def activate_account(account_id: str, database: Database | None = None) -> dict:
    """Onboarding completed (the local onboarding page's button, or the seed): the account can receive
    transfers. Queues `account.updated` (once: activating an active account again changes nothing)
    and returns that event; its `data.object` is the account as Stripe shows it."""
    active = {"status": "active", **dict.fromkeys(ACCOUNT_FLAGS, True)}
    account = _accounts(database).find_one_and_update(
        {"_id": account_id}, {"$set": active}, return_document=ReturnDocument.AFTER
    )
    if account is None:
        raise LookupError(f"no such account {account_id}")
    event_id = _key_id("evt_local_", account_id, "account.updated", "active")
    return _queue(event_id, "account.updated", account_object(account), None, {"account": account_id}, database)


def find_account(account_id: str, database: Database | None = None) -> dict | None:
    """A connected account as Stripe shows it (None: no such account); for the onboarding page."""
    account = _accounts(database).find_one({"_id": account_id})
    return None if account is None else account_object(account)


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def intent_object(intent: dict, event_type: str | None = None) -> dict:
    """The PaymentIntent as Stripe shows it in an event. Missing fields (hand-made intents in tests)
    take the values Stripe's lifecycle implies for the intent's status."""
    status, amount = intent["status"], intent["amount"]
    error = intent.get("last_payment_error")
    if error is None and event_type == "payment_intent.payment_failed":
        error = {"code": "card_declined", "message": DECLINE_MESSAGE}
    return {
        "id": intent["_id"],
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": intent.get("amount_capturable", amount if status == "requires_capture" else 0),
        "amount_received": _received(intent),
        "capture_method": intent.get("capture_method", "manual"),
        "cancellation_reason": intent.get("cancellation_reason"),
        "currency": intent["currency"],
        "last_payment_error": error,
        "latest_charge": intent.get("latest_charge"),
        "metadata": intent["metadata"],
        "status": status,
    }


def charge_object(intent: dict) -> dict:
    """The intent's charge as Stripe shows it in `charge.*` events."""
    received = _received(intent)
    refunded = intent.get("amount_refunded", 0)
    return {
        "id": intent.get("latest_charge") or _charge_id(intent["_id"]),
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": received,
        "amount_refunded": refunded,
        "captured": received > 0,
        "currency": intent["currency"],
        "metadata": intent["metadata"],
        "paid": True,
        "payment_intent": intent["_id"],
        "refunded": received > 0 and refunded >= received,
        "status": "succeeded",
    }


def account_object(account: dict) -> dict:
    """A connected account as Stripe shows it (API answers and `account.updated` events)."""
    return {
        "id": account["_id"],
        "object": "account",
        "type": "express",
        **{flag: bool(account.get(flag)) for flag in ACCOUNT_FLAGS},  # (nx-27017 `$set`s True as 1)
        "email": account.get("email"),
        "metadata": {"seller_id": account.get("seller_id")},
    }


def transfer_object(transfer: dict) -> dict:
    """A transfer as Stripe shows it in `transfer.*` events, its reversals included."""
    reversals = [
        {
            "id": reversal_id,
            "object": "transfer_reversal",
            "amount": amount,
            "currency": transfer["currency"],
            "transfer": transfer["_id"],
        }
        for reversal_id, amount in (transfer.get("reversals") or {}).items()
    ]
    amount, reversed_ = transfer["amount"], transfer.get("amount_reversed", 0)
    return {
        "id": transfer["_id"],
        "object": "transfer",
        "amount": amount,
        "amount_reversed": reversed_,
        "created": transfer.get("created"),
        "currency": transfer["currency"],
        "destination": transfer["account_id"],
        "livemode": False,
        "metadata": {},
        "reversals": {
            "object": "list",
            "data": reversals,
            "has_more": False,
            "total_count": len(reversals),
            "url": f"/v1/transfers/{transfer['_id']}/reversals",
        },
        "reversed": reversed_ >= amount,
        "source_transaction": transfer["source_transaction"],
        "transfer_group": transfer["transfer_group"],
    }


def _event(event_type: str, obj: dict, idempotency_key: str | None = None, event_id: str | None = None) -> dict:
    return {
        "id": event_id or "evt_local_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": idempotency_key},
        "data": {"object": obj},
    }


def payment_event(
    intent: dict, event_type: str, idempotency_key: str | None = None, event_id: str | None = None
) -> dict:
    """A Stripe event about `intent`: `charge.*` events carry the charge, the others the PaymentIntent."""
    obj = charge_object(intent) if event_type.startswith("charge.") else intent_object(intent, event_type)
    return _event(event_type, obj, idempotency_key, event_id)


def serialize_event(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"))


def _queue(
    event_id: str,
    event_type: str,
    obj: dict,
    idempotency_key: str | None,
    about: dict[str, str],
    database: Database | None = None,
) -> dict:
    """Queue an event about an object other than a PaymentIntent (an account, a transfer); `about`
    names it in the queue ({"account": ...}, {"transfer": ...}). The id is derived from the change, so
    a replayed call re-queues the same event (a no-op)."""
    event = _event(event_type, obj, idempotency_key, event_id)
    _store_event(event, about, database)
    return event


def _store_event(event: dict, about: dict[str, str], database: Database | None = None) -> None:
    with contextlib.suppress(DuplicateKeyError):  # queued already (a replayed call)
        _webhooks(database).insert_one(
            {
                "_id": event["id"],
                "type": event["type"],
                **about,
                "payload": serialize_event(event),
                "delivered": False,
                "attempts": 0,
                "next_attempt_at": 0.0,
                "created": datetime.now(UTC),
                "seq": time.time_ns(),
            }
        )


def queue_event(
    intent: dict, event_type: str, idempotency_key: str | None = None, database: Database | None = None
) -> dict:
    """Record a webhook event for the runner to deliver (`local.payments.deliver_pending`); never an HTTP
    call, since this runs inside a function that the runner may be serving right now.

    Events of a transition made with an idempotency key get an id derived from it, so a replayed call
    re-queues the same event (a no-op) instead of losing it or raising a second one."""
    event_id = None
    if idempotency_key is not None or event_type == "payment_intent.canceled":
        event_id = _key_id("evt_local_", intent["_id"], event_type, idempotency_key or "")
    event = payment_event(intent, event_type, idempotency_key, event_id)
    _store_event(event, {"payment_intent": intent["_id"]}, database)
    return event


def confirm(client_secret: str, card_number: str, database: Database | None = None) -> tuple[dict, dict]:
    """Confirm an intent with a test card: 4242... authorises it (`requires_capture`), 4000...0002 is
    declined (it stays `requires_payment_method`). Returns (intent, its event, already queued)."""
    card = "".join(ch for ch in card_number if ch.isdigit())
    if card not in {SUCCEEDING_CARD, DECLINED_CARD}:
        raise ValueError(f"use test card {SUCCEEDING_CARD} (authorised) or {DECLINED_CARD} (declined)")
    found = _intents(database).find_one({"client_secret": client_secret})
    if found is None or found["status"] != "requires_payment_method":
        raise LookupError("no payment awaiting confirmation for this client secret")
    if card == SUCCEEDING_CARD:
        change = {
            "status": "requires_capture",
            "amount_capturable": found["amount"],
            "last_payment_error": None,
            "latest_charge": _charge_id(found["_id"]),  # authorised: the charge exists, captured later
        }
        event_type = "payment_intent.amount_capturable_updated"
    else:
        change = {"last_payment_error": {"code": "card_declined", "message": DECLINE_MESSAGE}}
        event_type = "payment_intent.payment_failed"
    intent = _intents(database).find_one_and_update(
        {"_id": found["_id"], "status": "requires_payment_method"},
        {"$set": {**change, "confirmed_at": time.time()}},
        return_document=ReturnDocument.AFTER,
    )
    if intent is None:
        raise LookupError("no payment awaiting confirmation for this client secret")
    return intent, queue_event(intent, event_type, database=database)
