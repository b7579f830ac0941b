"""Money at the edges: decimal strings/numbers in, integer cents inside, two-place strings out."""

from decimal import Decimal

import pytest

from smartgrocer.money import MAX_AMOUNT_CENTS, format_amount, parse_amount


@pytest.mark.parametrize(
    "value, cents",
    [
        ("3.49", 349),
        ("3.4", 340),
        ("3", 300),
        ("0", 0),
        ("0.01", 1),
        ("0.00", 0),
        (" 3.49 ", 349),
        (3.49, 349),
        (0.1, 10),
        (2, 200),
        (0, 0),
        (Decimal("12.30"), 1230),
        ("1e2", 10000),
        ("3.490", 349),  # same value, no extra precision
        ("100000.00", MAX_AMOUNT_CENTS),
        (19.99, 1999),
        (1.15, 115),
        (4.35, 435),  # floats that are inexact in binary
    ],
)
def test_parse_amount_accepts_two_places(value, cents):
    assert parse_amount(value) == cents
    assert isinstance(parse_amount(value), int)


@pytest.mark.parametrize(
    "value",
    [
        "3.499",
        "0.001",
        3.499,
        "1e-3",
        0.1 + 0.2,  # more than two places
        "-1",
        "-0.01",
        -5,
        -0.5,  # negative
        "NaN",
        "nan",
        float("nan"),
        "Infinity",
        "-inf",
        float("inf"),  # not finite
        True,
        False,  # bool is an int subclass: must still be rejected
        None,
        [],
        {},
        "",
        "abc",
        "3,49",
        "3.49 EUR",
        "0x10",  # not a number
        "100000.01",
        10_000_000,  # too large
    ],
)
def test_parse_amount_rejects(value):
    with pytest.raises(ValueError):
        parse_amount(value)


def test_parse_amount_huge_precision_is_a_value_error_not_a_crash():
    # A value whose quantisation exceeds the decimal context must be rejected cleanly (ValueError -> 422),
    # never raise decimal.InvalidOperation (-> 500).
    with pytest.raises(ValueError):
        parse_amount("1" * 40 + ".001")
    with pytest.raises(ValueError):
        parse_amount("9" * 60)


@pytest.mark.parametrize(
    "cents, text",
    [
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (349, "3.49"),
        (100, "1.00"),
        (123456, "1234.56"),
        (-1, "-0.01"),
        (-349, "-3.49"),
        (-100, "-1.00"),
    ],
)
def test_format_amount(cents, text):
    assert format_amount(cents) == text


@pytest.mark.parametrize("cents", [0, 1, 9, 10, 99, 100, 101, 349, 9999, 123456, MAX_AMOUNT_CENTS])
def test_format_parse_roundtrip(cents):
    assert parse_amount(format_amount(cents)) == cents
