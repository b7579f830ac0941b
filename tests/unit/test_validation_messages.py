"""Pydantic's errors in words: the field, the limit, what to do; `loc` and `type` untouched."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from smartgrocer.models.product_writes import ProductCreate, ProductUpdate
from smartgrocer.models.signup import SignupRequest
from smartgrocer.web.messages import field_label, plain_message

GOOD = {"name": "Plums", "price": "2.00", "category": "fruit-veg", "stock": 3}


def _messages(model, body) -> dict[str, str]:
    with pytest.raises(ValidationError) as failed:
        model.model_validate(body)
    return {".".join(str(p) for p in e["loc"]): plain_message(e) for e in failed.value.errors()}


def test_product_create_messages():
    said = _messages(ProductCreate, {**GOOD, "name": "n" * 310, "price": "0", "stock": -5, "images": ["x"] * 9})
    assert said == {
        "name": "Name can be at most 120 characters (this one has 310).",
        "price": "Enter a price of at least 0.01: a product can't be free.",
        "stock": "Stock can't be negative: enter 0 or more.",
        "images": "Photos can have at most 8.",
    }


def test_product_update_messages_match_create():
    said = _messages(ProductUpdate, {"price": "-2", "min_weight_g": 0, "step_g": 9999, "stock": 1_000_001})
    assert said == {
        "price": "Price must not be negative.",
        "min_weight_g": "Minimum weight (g) must be at least 1.",
        "step_g": "Step (g) can be at most 5,000.",
        "stock": "Stock can be at most 1,000,000.",
    }


def test_zero_stock_is_allowed():
    assert ProductCreate.model_validate({**GOOD, "stock": 0}).stock == 0


def test_signup_email_in_words_and_still_normalised():
    assert _messages(SignupRequest, {"email": "no-at-sign", "password": "long enough", "full_name": "A"}) == {
        "email": "Enter an email address like name@example.com"
    }
    body = {"email": "Ann@Example.COM", "password": "long enough", "full_name": "A"}
    assert SignupRequest.model_validate(body).email == "Ann@example.com"


@pytest.mark.parametrize(
    ("loc", "label"),
    [(("body", "full_name"), "Full name"), (("body", "images", 2), "Photos"), (("query",), "This value"),
     (("body", "min_weight_g"), "Minimum weight (g)")],
)  # fmt: skip
def test_field_labels(loc, label):
    assert field_label(loc) == label


def test_unknown_types_keep_pydantic_words():
    error = {"type": "url_parsing", "loc": ("body", "x"), "msg": "Input should be a valid URL", "input": "y"}
    assert plain_message(error) == "Input should be a valid URL"
