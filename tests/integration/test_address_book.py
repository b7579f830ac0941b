"""The address book and the profile over HTTP: limits, the one default, owners only, bad and oversized
input, stale edits, and orders keeping their own copy of the address."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import checkout, db, product

BOOK = "/api/me/addresses"
HOME = {
    "label": "Home",
    "full_name": "Ada Shopper",
    "line1": "1 Market Street",
    "city": "Springfield",
    "region": "il",
    "postal_code": "62701",
    "country": "US",
    "phone": "+1 217 555 0100",
}
WORK = {
    "label": "Work",
    "full_name": "Ada Shopper",
    "line1": "10 Downing Street",
    "city": "London",
    "postal_code": "sw1a2aa",
    "country": "GB",
}


def user_doc(user_id: str) -> dict:
    return db().users.find_one({"_id": user_id})


def _add(api, account, address: dict, **extra) -> dict:
    response = api.post(BOOK, account, json={**address, **extra})
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == response.json()["etag"]
    return response.json()


def _book(api, account) -> list[dict]:
    response = api.get(BOOK, account)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()["items"]


def _defaults(api, account) -> list[str]:
    return [a["id"] for a in _book(api, account) if a["is_default"]]


# -- saving and reading ----------------------------------------------------------------------------


def test_saved_addresses_are_normalised_and_formatted_for_their_country(api, shopper):
    home = _add(api, shopper, HOME)
    work = _add(api, shopper, WORK)
    assert (home["region"], home["is_default"]) == ("IL", True)
    assert home["formatted"] == ["Ada Shopper", "1 Market Street", "Springfield, IL 62701", "United States"]
    assert (work["postal_code"], work["is_default"]) == ("SW1A 2AA", False)
    assert work["formatted"] == ["Ada Shopper", "10 Downing Street", "London", "SW1A 2AA", "United Kingdom"]
    body = api.get(BOOK, shopper).json()
    assert [a["id"] for a in body["items"]] == [home["id"], work["id"]] and body["max_items"] == 10


def test_a_new_account_has_an_empty_book_and_sellers_have_one_too(api, shopper, seller):
    assert _book(api, shopper) == []
    assert _add(api, seller, WORK)["is_default"]


def test_signed_out_callers_are_refused(api, shopper):
    saved = _add(api, shopper, HOME)
    for method, path in (("GET", BOOK), ("POST", BOOK), ("DELETE", f"{BOOK}/{saved['id']}"), ("PATCH", "/api/me")):
        assert_error(api.request(method, path, json=HOME if method == "POST" else None), 401)
    assert len(_book(api, shopper)) == 1


# -- the limit and the one default -----------------------------------------------------------------


def test_at_most_ten_addresses_even_when_added_at_once(api, shopper):
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda n: api.post(BOOK, shopper, json={**HOME, "line1": f"{n} Elm St"}), range(12)))
    assert sorted(r.status_code for r in answers) == [201] * 10 + [409] * 2
    full = assert_error(next(r for r in answers if r.status_code == 409), 409, "address_book_full")
    assert "10 addresses" in full["message"] and "Delete one" in full["message"]
    book = _book(api, shopper)
    assert len(book) == 10 and len(_defaults(api, shopper)) == 1
    assert len(user_doc(shopper.user_id)["addresses"]) == 10


def test_choosing_and_deleting_the_default_keeps_exactly_one(api, shopper):
    home, work = _add(api, shopper, HOME), _add(api, shopper, WORK)
    third = _add(api, shopper, {**WORK, "label": "Gran's", "line1": "5 Baker Street"}, is_default=True)
    assert _defaults(api, shopper) == [third["id"]] and _book(api, shopper)[0]["id"] == third["id"]
    chosen = api.post(f"{BOOK}/{work['id']}/default", shopper)
    assert chosen.status_code == 200 and chosen.json()["is_default"]
    assert _defaults(api, shopper) == [work["id"]]
    assert api.delete(f"{BOOK}/{work['id']}", shopper).status_code == 204
    assert _defaults(api, shopper) == [home["id"]]  # the oldest one left
    for address in (home, third):
        assert api.delete(f"{BOOK}/{address['id']}", shopper).status_code == 204
    assert _book(api, shopper) == []
    assert _add(api, shopper, WORK)["is_default"]  # a fresh book's first address is the default


# -- owners only -----------------------------------------------------------------------------------


def test_someone_elses_address_is_not_found_and_unchanged(api, shopper, unique_email):
    theirs = _add(api, shopper, HOME)
    other = api.signup(unique_email("other"))
    path = f"{BOOK}/{theirs['id']}"
    attempts = (
        api.put(path, other, json=WORK, headers={"If-Match": theirs["etag"]}),
        api.delete(path, other),
        api.post(f"{path}/default", other),
    )
    missing = assert_error(api.delete(f"{BOOK}/{'f' * 24}", other), 404, "not_found")
    for response in attempts:
        assert assert_error(response, 404, "not_found") == missing
    assert _book(api, other) == []
    assert _book(api, shopper) == [theirs]


# -- bad input -------------------------------------------------------------------------------------


def test_invalid_addresses_are_refused_in_words_and_save_nothing(api, shopper):
    cases = {
        "country": {**HOME, "country": "BE"},
        "postal_code": {**HOME, "postal_code": "SW1A 1AA"},
        "region": {**HOME, "region": None},
        "phone": {**HOME, "phone": "call me"},
        "line1": {**HOME, "line1": "x" * 201},
        "is_default": {**HOME, "is_default": "yes"},
    }
    for field, body in cases.items():
        error = assert_error(api.post(BOOK, shopper, json=body), 422, "validation_error")
        assert field in [d["loc"][-1] for d in error["details"]], error
    error = assert_error(api.post(BOOK, shopper, json={**HOME, "postal_code": "1234"}), 422)
    assert any("is not a United States ZIP code" in d["msg"] for d in error["details"])
    assert_error(api.post(BOOK, shopper, json={**HOME, "user_id": "someone"}), 422)  # no mass assignment
    assert _book(api, shopper) == []


def test_malformed_and_oversized_bodies(api, shopper):
    headers = {"Content-Type": "application/json"}
    assert_error(api.post(BOOK, shopper, data='{"line1": ', headers=headers), 400, "malformed_json")
    assert_error(api.post(BOOK, shopper, json={**HOME, "line2": "x" * 70_000}), 413, "payload_too_large")
    assert_error(api.patch("/api/me", shopper, data="[", headers=headers), 400, "malformed_json")
    assert_error(api.patch("/api/me", shopper, json={"full_name": "x" * 70_000}), 413)
    assert _book(api, shopper) == []


# -- stale edits -----------------------------------------------------------------------------------


def test_an_edit_needs_the_etag_it_was_made_on(api, shopper):
    home = _add(api, shopper, HOME)
    path = f"{BOOK}/{home['id']}"
    assert_error(api.put(path, shopper, json=WORK), 428, "precondition_required")
    assert_error(api.put(path, shopper, json=WORK, headers={"If-Match": "*"}), 428)
    assert_error(api.put(path, shopper, json=WORK, headers={"If-Match": "a1"}), 400, "invalid_if_match")
    edited = api.put(path, shopper, json=WORK, headers={"If-Match": home["etag"]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["city"] == "London" and edited.json()["is_default"]  # still the default
    assert edited.headers["ETag"] == edited.json()["etag"] != home["etag"]
    # The other tab still has the first version: refused, and told what is there now.
    stale = assert_error(api.put(path, shopper, json=HOME, headers={"If-Match": home["etag"]}), 412, "stale_address")
    assert stale["details"]["current"]["city"] == "London"
    assert _book(api, shopper)[0]["city"] == "London"


# -- the profile -----------------------------------------------------------------------------------


def test_the_profile_changes_name_and_phone_only(api, shopper):
    response = api.patch("/api/me", shopper, json={"full_name": "Ada Lovelace", "phone": "+44 20 7946 0958"})
    assert response.status_code == 200, response.text
    assert (response.json()["full_name"], response.json()["phone"]) == ("Ada Lovelace", "+44 20 7946 0958")
    me = api.get("/api/auth/me", shopper).json()
    assert (me["full_name"], me["phone"], me["email"]) == ("Ada Lovelace", "+44 20 7946 0958", shopper.email)
    assert api.patch("/api/me", shopper, json={"phone": ""}).json()["phone"] is None
    for body, field in (
        ({"phone": "12"}, "phone"),
        ({"full_name": ""}, "full_name"),
        ({"email": "x@y.z"}, "email"),
        ({"role": "admin"}, "role"),
    ):
        error = assert_error(api.patch("/api/me", shopper, json=body), 422, "validation_error")
        assert field in [d["loc"][-1] for d in error["details"]], error
    assert_error(api.patch("/api/me", shopper, json={}), 422)
    stored = user_doc(shopper.user_id)
    assert (stored["role"], stored["email"], stored["full_name"]) == ("shopper", shopper.email, "Ada Lovelace")


# -- checkout keeps its own copy -------------------------------------------------------------------


def test_an_order_keeps_its_address_when_the_book_changes(api, shopper, seller):
    home = _add(api, shopper, HOME)
    item = product(api, seller)
    shipping = {
        k: v
        for k, v in home.items()
        if k in ("full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
    }
    placed = checkout(api, shopper, (item, 1), address=shipping)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["orders"][0]["id"]
    api.put(f"{BOOK}/{home['id']}", shopper, json=WORK, headers={"If-Match": home["etag"]})
    api.delete(f"{BOOK}/{home['id']}", shopper)
    kept = api.get(f"/api/orders/{order_id}", shopper).json()["shipping_address"]
    assert (kept["city"], kept["region"], kept["postal_code"]) == ("Springfield", "IL", "62701")


@pytest.mark.parametrize(
    "address, field",
    [({"country": "XX"}, "country"), ({"postal_code": "ABC"}, "postal_code"), ({"region": ""}, "region")],
)
def test_checkout_checks_the_address_against_its_country(api, shopper, seller, address, field):
    item = product(api, seller, stock=5)
    body = {"items": [{"product_id": item["id"], "quantity": 1}], "shipping_address": {**HOME, **address}}
    body["shipping_address"].pop("label")
    error = assert_error(checkout(api, shopper, body=body), 422, "validation_error")
    assert ["body", "shipping_address", field] in [d["loc"] for d in error["details"]], error
