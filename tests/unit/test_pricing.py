"""Grocery pricing in integer cents: half-up per weighed line, the authorisation rounded up, and not
a float anywhere on the way."""

from __future__ import annotations

import ast
import inspect
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import pytest

from smartgrocer.domain import pricing
from smartgrocer.domain.pricing import authorised_amount, ceil_div, half_up, line_cost, stock_amount


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@pytest.mark.parametrize(
    "numerator,denominator,expected",
    [
        (0, 1000, 0),
        (1, 1000, 0),
        (499, 1000, 0),
        (500, 1000, 1),  # x.5 goes up
        (501, 1000, 1),
        (1500, 1000, 2),
        (2500, 1000, 3),  # half-up, not half-even (banker's would give 2)
        (5, 10, 1),
        (14, 10, 1),
        (15, 10, 2),
        (25, 10, 3),
        (7, 2, 4),
        (9, 3, 3),  # exact
        (17_992_500, 1_000_000, 18),
    ],
)
def test_half_up(numerator, denominator, expected):
    assert half_up(numerator, denominator) == expected
    assert is_int(half_up(numerator, denominator))


def test_half_up_agrees_with_decimal_half_up():
    for denominator in (2, 3, 10, 1000):
        for numerator in range(0, 5 * denominator + 1):
            exact = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert half_up(numerator, denominator) == int(exact), (numerator, denominator)


@pytest.mark.parametrize(
    "numerator,denominator,expected",
    [(0, 5, 0), (1, 5, 1), (4, 5, 1), (5, 5, 1), (6, 5, 2), (8, 2, 4), (7, 2, 4), (19_789, 10, 1979)],
)
def test_ceil_div(numerator, denominator, expected):
    assert ceil_div(numerator, denominator) == expected
    assert is_int(ceil_div(numerator, denominator))


@pytest.mark.parametrize(
    "price_cents,sold_by,amount,expected",
    [
        (2399, "weight", 750, 1799),  # 750 g at $23.99/kg = $17.9925 -> $17.99
        (1000, "weight", 333, 333),  # 333 g at $10.00/kg = $3.33
        (400, "weight", 125, 50),  # 125 g at $4.00/kg = $0.50
        (2399, "weight", 250, 600),  # $5.9975 -> $6.00
        (2399, "weight", 800, 1919),  # $19.192 -> $19.19
        (2399, "weight", 825, 1979),  # $19.79175 -> $19.79
        (2399, "weight", 826, 1982),  # $19.81574 -> $19.82
        (1, "weight", 500, 1),  # half a cent goes up
        (3, "weight", 500, 2),  # 1.5 cents -> 2
        (1, "weight", 499, 0),
        (1200, "weight", 700, 840),
        (2399, "weight", 0, 0),
        (2399, "weight", 100_000, 239_900),
        (325, "unit", 3, 975),
        (50, "unit", 0, 0),
        (50, "unit", 100, 5000),
    ],
)
def test_line_cost(price_cents, sold_by, amount, expected):
    cost = line_cost(price_cents, sold_by, amount)
    assert cost == expected
    assert is_int(cost)


def test_weighed_line_cost_agrees_with_decimal_half_up_to_the_cent():
    for price_cents in (1, 99, 400, 1000, 1299, 2399, 4999):
        for grams in range(0, 3001, 7):
            exact = (Decimal(price_cents) * grams / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert line_cost(price_cents, "weight", grams) == int(exact), (price_cents, grams)


@pytest.mark.parametrize(
    "unit_cents,weighed_cents,buffer_bps,expected",
    [
        (0, 1799, 1000, 1979),  # 1978.9 -> up to 1979
        (200, 1799, 1000, 2179),
        (200, 500, 1000, 750),  # 550 exactly: nothing to round
        (0, 1, 1000, 2),  # 1.1 -> 2: always up, never half-up
        (0, 333, 1000, 367),  # 366.3 -> 367
        (0, 0, 1000, 0),
        (975, 0, 1000, 975),  # unit lines carry no margin
        (0, 1000, 0, 1000),  # no margin configured
        (0, 10, 1, 11),  # 10.001 -> 11
        (0, 10_000, 1, 10_001),  # exact
        (0, 1799, 2500, 2249),  # 2248.75 -> 2249
    ],
)
def test_authorised_amount_rounds_the_margin_up(unit_cents, weighed_cents, buffer_bps, expected):
    amount = authorised_amount(unit_cents, weighed_cents, buffer_bps)
    assert amount == expected
    assert is_int(amount)
    exact = Decimal(unit_cents) + Decimal(weighed_cents) * (10_000 + buffer_bps) / 10_000
    assert amount == int(exact.quantize(Decimal(1), rounding=ROUND_CEILING))


def test_the_authorisation_never_falls_short_of_the_estimate():
    for weighed in range(0, 3000):
        assert authorised_amount(7, weighed, 1000) >= 7 + weighed


@pytest.mark.parametrize(
    "line,expected",
    [
        ({"sold_by": "weight", "weight_g": 750, "quantity": None}, 750),
        ({"sold_by": "unit", "quantity": 4, "weight_g": None}, 4),
        ({"quantity": 3}, 3),  # unit when not said
    ],
)
def test_stock_amount_is_items_or_grams(line, expected):
    assert stock_amount(line) == expected


def test_pricing_has_no_float_and_no_true_division():
    tree = ast.parse(inspect.getsource(pricing))
    floats = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
    divisions = [n for n in ast.walk(tree) if isinstance(n, (ast.Div, ast.Pow))]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") in ("float", "round")]
    assert not floats and not divisions and not calls
