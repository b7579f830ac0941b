"""`Idempotency-Key` on POST /api/orders: replays, conflicting bodies, concurrent twins, user scope."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.integration.helpers import assert_error
from tests.integration.orders_support import basket, checkout, db, product, stock_of
from tests.support import ApiClient


def _fingerprint(body: dict) -> str:
    """As the checkout function computes it: over the validated body, defaults included."""
    from smartgrocer.domain.idempotency import request_fingerprint
    from smartgrocer.models.orders import CheckoutRequest

    return request_fingerprint(CheckoutRequest.model_validate(body).model_dump(mode="json"))


def _intents(checkout_id: str) -> int:
    return db().local_payment_intents.count_documents({"metadata.checkout_id": checkout_id})


def test_replay_returns_the_same_checkout_and_stores_once(api, seller, shopper):
    item = product(api, seller, stock=10, price="1.50")
    key = uuid.uuid4().hex
    first = checkout(api, shopper, (item, 2), key=key)
    assert first.status_code == 201, first.text
    second = checkout(api, shopper, (item, 2), key=key)
    assert second.status_code == 201
    assert second.json() == first.json()
    checkout_id = first.json()["checkout_id"]
    assert db().checkouts.count_documents({"user_id": shopper.user_id}) == 1
    assert db().orders.count_documents({"user_id": shopper.user_id}) == 1
    assert db().orders.count_documents({"checkout_id": checkout_id}) == 1
    assert _intents(checkout_id) == 1
    assert stock_of(item["id"]) == 8  # reserved once


def test_same_key_with_another_body_is_422_and_changes_nothing(api, seller, shopper):
    item = product(api, seller, stock=10)
    key = uuid.uuid4().hex
    assert checkout(api, shopper, (item, 1), key=key).status_code == 201
    conflicting = checkout(api, shopper, (item, 2), key=key)
    assert_error(conflicting, 422, "idempotency_key_reused")
    assert stock_of(item["id"]) == 9
    assert db().orders.count_documents({"user_id": shopper.user_id}) == 1


def test_without_a_key_every_post_is_a_new_checkout(api, seller, shopper):
    item = product(api, seller, stock=10)
    ids = {checkout(api, shopper, (item, 1)).json()["checkout_id"] for _ in range(2)}
    assert len(ids) == 2 and stock_of(item["id"]) == 8


def test_an_out_of_stock_answer_is_replayed_too(api, seller, shopper):
    item = product(api, seller, stock=1)
    key = uuid.uuid4().hex
    assert_error(checkout(api, shopper, (item, 2), key=key), 409, "out_of_stock")
    assert_error(checkout(api, shopper, (item, 2), key=key), 409, "out_of_stock")
    assert stock_of(item["id"]) == 1
    assert db().checkouts.count_documents({"user_id": shopper.user_id}) == 1


def test_concurrent_duplicates_make_one_checkout(runtime, api, seller, shopper):
    item = product(api, seller, stock=50)
    key = uuid.uuid4().hex

    def attempt(_):
        return ApiClient(runtime.base_url).post(
            "/api/orders", shopper, json=basket((item, 1)), headers={"Idempotency-Key": key}, timeout=60
        )

    with ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(attempt, range(10)))
    created = [r.json() for r in responses if r.status_code == 201]
    for response in responses:
        if response.status_code != 201:
            assert_error(response, 409, "idempotency_in_progress")
            assert response.headers.get("Retry-After")
    assert created, [r.status_code for r in responses]
    assert len({c["checkout_id"] for c in created}) == 1
    assert db().checkouts.count_documents({"user_id": shopper.user_id}) == 1
    assert db().orders.count_documents({"user_id": shopper.user_id}) == 1
    assert _intents(created[0]["checkout_id"]) == 1
    assert stock_of(item["id"]) == 49


def test_a_key_is_scoped_to_its_user(api, seller, shopper, unique_email):
    item = product(api, seller, stock=10)
    other = api.signup(unique_email("other"))
    key = uuid.uuid4().hex
    mine = checkout(api, shopper, (item, 1), key=key)
    theirs = checkout(api, other, (item, 1), key=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["checkout_id"] != theirs.json()["checkout_id"]
    assert {o["user_id"] for o in theirs.json()["orders"]} == {other.user_id}
    assert shopper.user_id not in theirs.text
    assert stock_of(item["id"]) == 8
    assert db().orders.count_documents({"user_id": other.user_id}) == 1


def test_invalid_keys_are_rejected(api, seller, shopper):
    item = product(api, seller, stock=10)
    for key in ("k" * 256, "bad\tkey"):
        response = checkout(api, shopper, (item, 1), key=key)
        assert response.status_code == 422, (key, response.text)
    assert stock_of(item["id"]) == 10


def test_a_key_left_in_progress_by_a_crash_is_taken_over_once_its_lock_expires(api, seller, shopper):
    import time

    item = product(api, seller, stock=10)
    key = uuid.uuid4().hex
    body = basket((item, 1))
    # What a function that died mid-checkout leaves behind: an in-progress record whose lock has run out.
    db().idempotency_keys.insert_one(
        {
            "_id": f"{shopper.user_id}:{key}",
            "fingerprint": _fingerprint(body),
            "state": "in_progress",
            "locked_until": time.time() - 1,
        }
    )
    taken_over = checkout(api, shopper, body=body, key=key)
    assert taken_over.status_code == 201, taken_over.text
    replay = checkout(api, shopper, body=body, key=key)
    assert replay.status_code == 201 and replay.json()["checkout_id"] == taken_over.json()["checkout_id"]
    assert db().orders.count_documents({"user_id": shopper.user_id}) == 1
    assert stock_of(item["id"]) == 9


def test_a_key_still_locked_by_a_running_twin_answers_409_retry(api, seller, shopper):
    import time

    item = product(api, seller, stock=10)
    key = uuid.uuid4().hex
    body = basket((item, 1))
    db().idempotency_keys.insert_one(
        {
            "_id": f"{shopper.user_id}:{key}",
            "fingerprint": _fingerprint(body),
            "state": "in_progress",
            "locked_until": time.time() + 600,
        }
    )
    waiting = checkout(api, shopper, body=body, key=key)
    assert_error(waiting, 409, "idempotency_in_progress")
    assert waiting.headers.get("Retry-After") == "1"
    assert db().orders.count_documents({"user_id": shopper.user_id}) == 0
