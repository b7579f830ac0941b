"""Request models: unknown fields rejected (no mass assignment), money parsed to cents, bcrypt's 72 bytes."""

import pytest
from pydantic import ValidationError

from smartgrocer.models.common import ErrorResponse
from smartgrocer.models.orders import CheckoutRequest
from smartgrocer.models.products import ImageUploadRequest, ProductCreate, ProductUpdate
from smartgrocer.models.signup import SignupRequest
from smartgrocer.models.users import LoginRequest, UserOut

GOOD_PRODUCT = {"name": "Apples", "price": "2.50", "category": "fruit-veg", "stock": 3}
GOOD_SIGNUP = {"email": "a@example.com", "password": "long-enough", "full_name": "Ann"}


def _errors(model, data):
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return info.value.errors()


def test_signup_defaults_to_shopper_fields():
    body = SignupRequest.model_validate(GOOD_SIGNUP)
    assert body.is_seller is False and body.phone is None


@pytest.mark.parametrize(
    "extra", [{"role": "admin"}, {"is_admin": True}, {"is_active": False}, {"_id": "x"}, {"password_hash": "x"}]
)
def test_signup_forbids_unknown_fields(extra):
    errors = _errors(SignupRequest, {**GOOD_SIGNUP, **extra})
    assert errors[0]["type"] == "extra_forbidden" and errors[0]["loc"] == (next(iter(extra)),)


@pytest.mark.parametrize(
    "password, ok",
    [
        ("x" * 7, False),
        ("x" * 8, True),
        ("x" * 72, True),
        ("x" * 73, False),
        ("é" * 36, True),  # 72 bytes
        ("é" * 37, False),  # 37 chars, 74 bytes
        ("€" * 25, False),  # 25 chars, 75 bytes
        ("🍎" * 18, True),  # 72 bytes
        ("🍎" * 19, False),  # 19 chars, 76 bytes
    ],
)
def test_signup_password_limits_in_bytes(password, ok):
    data = {**GOOD_SIGNUP, "password": password}
    if ok:
        assert SignupRequest.model_validate(data).password == password
    else:
        assert _errors(SignupRequest, data)[0]["loc"] == ("password",)


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com", "", "a@example"])
def test_signup_rejects_bad_email(email):
    assert _errors(SignupRequest, {**GOOD_SIGNUP, "email": email})[0]["loc"] == ("email",)


@pytest.mark.parametrize("price, cents", [("2.50", 250), (2.5, 250), (3, 300), ("0.01", 1)])
def test_product_price_is_cents(price, cents):
    assert ProductCreate.model_validate({**GOOD_PRODUCT, "price": price}).price == cents


@pytest.mark.parametrize("price", ["2.555", -1, "-0.01", "NaN", True, None, "abc", float("inf"), [1], "0", 0, "0.00"])
def test_product_price_rejected(price):
    assert _errors(ProductCreate, {**GOOD_PRODUCT, "price": price})[0]["loc"] == ("price",)


@pytest.mark.parametrize(
    "extra",
    [{"seller_id": "x"}, {"is_active": False}, {"price_cents": 1}, {"id": "x"}, {"terms": ["x"]}, {"currency": "eur"}],
)
def test_product_forbids_unknown_fields(extra):
    assert _errors(ProductCreate, {**GOOD_PRODUCT, **extra})[0]["type"] == "extra_forbidden"
    assert _errors(ProductUpdate, extra)[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize(
    "field, value",
    [
        ("category", "weapons"),
        ("stock", -1),
        ("stock", 1.5),
        ("name", ""),
        ("name", "x" * 121),
        ("unit", "<b>"),
        ("images", ["x"] * 9),
    ],
)
def test_product_field_constraints(field, value):
    assert _errors(ProductCreate, {**GOOD_PRODUCT, field: value})[0]["loc"][0] == field


def test_product_update_is_partial():
    update = ProductUpdate.model_validate({"price": "1.20"})
    assert update.model_dump(exclude_unset=True) == {"price": 120}
    assert ProductUpdate.model_validate({}).model_dump(exclude_unset=True) == {}


def test_strings_are_stripped():
    assert ProductCreate.model_validate({**GOOD_PRODUCT, "name": "  Pears  "}).name == "Pears"


@pytest.mark.parametrize(
    "data, ok",
    [
        ({"content_type": "image/png", "size": 10}, True),
        ({"content_type": "image/gif", "size": 10}, False),
        ({"content_type": "text/html", "size": 10}, False),
        ({"content_type": "image/png", "size": 0}, False),
        ({"content_type": "image/png", "size": 10, "key": "../x"}, False),
    ],
)
def test_image_upload_request(data, ok):
    if ok:
        ImageUploadRequest.model_validate(data)
    else:
        _errors(ImageUploadRequest, data)


def test_checkout_request_cannot_set_prices_or_totals():
    line = {"product_id": "p1", "quantity": 1}
    address = {"full_name": "A", "line1": "1 St", "city": "X", "region": "IL", "postal_code": "12345", "country": "US"}
    CheckoutRequest.model_validate({"items": [line], "shipping_address": address})
    _errors(CheckoutRequest, {"items": [{**line, "unit_price": "0.01"}], "shipping_address": address})
    _errors(CheckoutRequest, {"items": [line], "shipping_address": address, "total": "0.01"})
    _errors(CheckoutRequest, {"items": [{**line, "quantity": 0}], "shipping_address": address})


def test_login_request_accepts_any_password_length_up_to_limit():
    # Login must not leak the 72-byte rule as a 422: over-long passwords simply do not match.
    assert LoginRequest.model_validate({"email": "a@example.com", "password": "x" * 200}).password == "x" * 200


def test_user_out_has_no_password_hash():
    assert "password_hash" not in UserOut.model_fields
    user = UserOut.model_validate(
        {
            "id": "1",
            "email": "a@example.com",
            "full_name": "A",
            "role": "shopper",
            "is_active": True,
            "created_at": "2024-01-01T00:00:00Z",
            "password_hash": "$2b$...",
        }
    )
    assert "password_hash" not in user.model_dump()


def test_error_response_shape():
    body = ErrorResponse.model_validate({"error": {"code": "x", "message": "y"}}).model_dump()
    assert body == {"error": {"code": "x", "message": "y", "details": None}}
