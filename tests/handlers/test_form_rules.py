"""The product and signup forms' rules through the handlers: what is refused, and that the refusal says
why in words a seller or shopper understands (field, limit), with nothing truncated or saved."""

from __future__ import annotations

import uuid

import pytest

from tests.handlers.helpers import assert_error

GOOD = {"name": "Rule Apples", "description": "Crisp", "price": "1.25", "category": "fruit-veg", "stock": 4}


def _create(raw_invoke, seller, **fields):
    return raw_invoke("POST", "/api/products", body={**GOOD, **fields}, token=seller.access_token)


def _issue(error: dict, field: str) -> dict:
    issues = [d for d in error["details"] if d["loc"][-1] == field]
    assert len(issues) == 1, error
    return issues[0]


@pytest.mark.parametrize("price", ["0", "0.00", 0, 0.0])
def test_price_zero_is_refused_in_words(raw_invoke, seller, price):
    error = assert_error(_create(raw_invoke, seller, price=price), 422, "validation_error")
    issue = _issue(error, "price")
    assert issue["msg"] == "Enter a price of at least 0.01: a product can't be free."
    assert issue["type"] == "price_too_low" and issue["loc"] == ["body", "price"]
    assert issue["msg"] in error["message"]


def test_one_cent_is_the_least_price(raw_invoke, seller):
    response = _create(raw_invoke, seller, price="0.01")
    assert response["statusCode"] == 201 and response["json"]["price"] == "0.01"


def test_update_to_price_zero_is_refused_and_changes_nothing(raw_invoke, seller):
    created = _create(raw_invoke, seller)["json"]
    path = f"/api/products/{created['id']}"
    response = raw_invoke(
        "PUT", path, body={"price": "0"}, token=seller.access_token, headers={"If-Match": created["etag"]}
    )
    assert _issue(assert_error(response, 422, "validation_error"), "price")["type"] == "price_too_low"
    after = raw_invoke("GET", f"/api/seller/products/{created['id']}", token=seller.access_token)["json"]
    assert after["price"] == "1.25" and after["etag"] == created["etag"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("price", "-1", "Price must not be negative."),
        ("price", -0.5, "Price must not be negative."),
        ("stock", -5, "Stock can't be negative: enter 0 or more."),
    ],
)
def test_negative_numbers_are_refused_in_words(raw_invoke, seller, field, value, words):
    error = assert_error(_create(raw_invoke, seller, **{field: value}), 422, "validation_error")
    assert _issue(error, field)["msg"] == words


@pytest.mark.parametrize(
    ("field", "limit", "label"),
    [("name", 120, "Name"), ("description", 2000, "Description"), ("unit", 20, "Unit")],
)
def test_too_long_text_is_refused_naming_field_and_limit_never_cut(raw_invoke, seller, field, limit, label):
    value = "a" * (limit + 190)
    error = assert_error(_create(raw_invoke, seller, **{field: value}), 422, "validation_error")
    assert _issue(error, field)["msg"] == f"{label} can be at most {limit} characters (this one has {limit + 190})."
    exactly = _create(raw_invoke, seller, **{field: "a" * limit})
    assert exactly["statusCode"] == 201 and exactly["json"][field] == "a" * limit


def test_too_long_name_on_update_is_refused_not_cut(raw_invoke, seller):
    created = _create(raw_invoke, seller)["json"]
    response = raw_invoke(
        "PUT", f"/api/products/{created['id']}", body={"name": "b" * 310}, token=seller.access_token,
        headers={"If-Match": created["etag"]},
    )  # fmt: skip
    words = "Name can be at most 120 characters (this one has 310)."
    assert _issue(assert_error(response, 422), "name")["msg"] == words


def test_blank_name_and_bad_unit_say_what_to_do(raw_invoke, seller):
    error = assert_error(_create(raw_invoke, seller, name="   ", unit="1 l<b>"), 422)
    assert _issue(error, "name")["msg"] == "Name is required."
    assert _issue(error, "unit")["msg"].startswith("Unit can use letters, digits, spaces and dots only")


def test_stock_zero_is_saved_and_listed_as_zero(raw_invoke, seller):
    created = _create(raw_invoke, seller, stock=0, name=f"Empty Shelf {uuid.uuid4().hex[:6]}")
    assert created["statusCode"] == 201 and created["json"]["stock"] == 0
    mine = raw_invoke("GET", f"/api/seller/products/{created['json']['id']}", token=seller.access_token)["json"]
    assert mine["stock"] == 0 and mine["is_active"] is True


def test_technical_messages_are_reworded_for_every_type(raw_invoke, seller):
    error = assert_error(_create(raw_invoke, seller, stock="12", category="pets", colour="red"), 422)
    assert _issue(error, "stock")["msg"] == "Stock must be a whole number, like 12."
    assert _issue(error, "category")["msg"].startswith("Category must be one of: ")
    assert _issue(error, "colour")["msg"] == "Colour is not something you can set here."
    assert not any("Input should" in d["msg"] or "String should" in d["msg"] for d in error["details"])


# -- signup ----------------------------------------------------------------------------------------


def _signup(raw_invoke, **fields):
    body = {
        "email": f"rules-{uuid.uuid4().hex[:10]}@example.com",
        "password": "correct-horse-1",
        "full_name": "Rule Tester",
        **fields,
    }
    return raw_invoke("POST", "/api/auth/signup", body=body)


@pytest.mark.parametrize("email", ["bob", "bob@", "@example.com", "bob@example", "bob example@x.com", ""])
def test_bad_email_gets_an_example_not_the_validators_text(raw_invoke, email):
    error = assert_error(_signup(raw_invoke, email=email), 422, "validation_error")
    issue = _issue(error, "email")
    assert issue["msg"] == "Enter an email address like name@example.com"
    assert error["message"] == "Enter an email address like name@example.com"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"password": "short"}, "password", "Password must be at least 8 characters."),
        ({"password": "é" * 37}, "password", "Password can be at most 72 bytes"),
        ({"full_name": ""}, "full_name", "Full name is required."),
        ({"full_name": "x" * 121}, "full_name", "Full name can be at most 120 characters (this one has 121)."),
        ({"phone": "call me"}, "phone", "A phone number has digits, spaces, brackets or dashes"),
        ({"phone": "1" * 33}, "phone", "Phone can be at most 32 characters (this one has 33)."),
        ({"is_seller": "yes"}, "is_seller", "Seller account must be true or false."),
    ],
)
def test_other_signup_fields_say_why(raw_invoke, fields, field, words):
    error = assert_error(_signup(raw_invoke, **fields), 422, "validation_error")
    assert _issue(error, field)["msg"].startswith(words)


def test_email_too_long_names_the_limit(raw_invoke):
    error = assert_error(_signup(raw_invoke, email="a" * 250 + "@example.com"), 422)
    assert _issue(error, "email")["msg"] == "Email can be at most 254 characters (this one has 262)."
