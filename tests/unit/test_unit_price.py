"""Comparable unit prices (domain/unit_price.py): the unit parser, the per-kg/l/item amounts and their rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest

from smartgrocer.domain.unit_price import KEY_DIGITS, UnitPrice, label, quantity, round_half_up, unit_price
from smartgrocer.money import format_amount


@pytest.mark.parametrize(
    "price_cents, unit, expected",
    [
        # mass -> per kg
        (140, "250 g", UnitPrice(560, "kg")),  # "$1.40 per 250 g" is $5.60/kg ...
        (110, "kg", UnitPrice(110, "kg")),  # ... against "$1.10/kg"
        (110, "1 kg", UnitPrice(110, "kg")),
        (299, "500 g", UnitPrice(598, "kg")),
        (140, "250g", UnitPrice(560, "kg")),
        (170, "1.5 kg", UnitPrice(113, "kg")),  # 113.33...
        (220, "2.5 kg", UnitPrice(88, "kg")),
        (590, "340 g", UnitPrice(1735, "kg")),  # 1735.29...
        (99, "400 g", UnitPrice(248, "kg")),  # 247.5: half up
        (1, "3 g", UnitPrice(333, "kg")),  # 333.33...
        (2, "3 g", UnitPrice(667, "kg")),  # 666.66...
        (100, "500 G", UnitPrice(200, "kg")),
        (100, "  500   g ", UnitPrice(200, "kg")),
        (100, "per 500 g", UnitPrice(200, "kg")),
        (300, "4 x 125 g", UnitPrice(600, "kg")),
        (300, "4x125g", UnitPrice(600, "kg")),
        (454, "1 lb", UnitPrice(1001, "kg")),  # 1000.91...
        (0, "500 g", UnitPrice(0, "kg")),
        # volume -> per litre
        (115, "2 l", UnitPrice(58, "l")),  # 57.5: half up
        (640, "750 ml", UnitPrice(853, "l")),  # 853.33...
        (200, "2L", UnitPrice(100, "l")),
        (65, "330 ml", UnitPrice(197, "l")),  # 196.96...
        (360, "1 l", UnitPrice(360, "l")),
        (750, "1.4 l", UnitPrice(536, "l")),  # 535.71...
        (150, "75 cl", UnitPrice(200, "l")),
        (390, "6 x 330 ml", UnitPrice(197, "l")),  # 1.98 l: 196.96...
        (100, "litre", UnitPrice(100, "l")),
        # counts -> per item
        (45, "each", UnitPrice(45, "item")),
        (240, "pack of 6", UnitPrice(40, "item")),
        (240, "6 pack", UnitPrice(40, "item")),
        (240, "6-pack", UnitPrice(40, "item")),
        (240, "x6", UnitPrice(40, "item")),
        (240, "6x", UnitPrice(40, "item")),
        (260, "12 pack", UnitPrice(22, "item")),  # 21.66...
        (300, "4 pack", UnitPrice(75, "item")),
        (699, "2 pack", UnitPrice(350, "item")),  # 349.5: half up
        (100, "box of 3", UnitPrice(33, "item")),
        (500, "12 pcs", UnitPrice(42, "item")),  # 41.66...
        # nothing measurable -> one item at the price
        (310, "box", UnitPrice(310, "item")),
        (199, "bunch", UnitPrice(199, "item")),
        (199, "0 g", UnitPrice(199, "item")),
        (199, "pack of 0", UnitPrice(199, "item")),
        (199, "12", UnitPrice(199, "item")),
        (199, "500 furlongs", UnitPrice(199, "item")),
        (199, "", UnitPrice(199, "item")),
    ],
)
def test_unit_price_of_a_unit_product(price_cents, unit, expected):
    assert unit_price(price_cents, unit) == expected
    assert unit_price(price_cents, unit, "unit") == expected


def test_cheaper_per_kg_is_what_the_shopper_compares():
    small_bag, loose = unit_price(140, "250 g"), unit_price(110, "kg", "weight")
    assert (format_amount(small_bag.cents), format_amount(loose.cents)) == ("5.60", "1.10")
    assert loose.cents < small_bag.cents and loose.basis == small_bag.basis == "kg"


@pytest.mark.parametrize("unit", ["kg", "500 g", "each", "pack of 6", "1 l", "anything"])
def test_sold_by_weight_is_already_per_kg(unit):
    assert unit_price(2850, unit, "weight") == UnitPrice(2850, "kg")


def test_quantities_are_exact_fractions():
    assert quantity("1.5 kg") == ("kg", Fraction(3, 2))
    assert quantity("250 g") == ("kg", Fraction(1, 4))
    assert quantity("330 ml") == ("l", Fraction(33, 100))
    assert quantity("pack of 6") == ("item", 6)


@pytest.mark.parametrize(
    "value, rounded",
    [
        (Fraction(0), 0),
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(5, 2), 3),
        (Fraction(2499, 1000), 2),
        (Fraction(2501, 1000), 3),
        (Fraction(1, 3), 0),
        (Fraction(2, 3), 1),
        (Fraction(-1, 2), -1),
    ],
)
def test_round_half_up(value, rounded):
    assert round_half_up(value) == rounded


def test_largest_amount_fits_the_sort_key():
    most = unit_price(100_000_00, "0.001 g")
    assert most.basis == "kg" and len(str(most.cents)) <= KEY_DIGITS


@pytest.mark.parametrize(
    "amount, basis, currency, text",
    [("5.60", "kg", "usd", "$5.60/kg"), ("0.40", "item", "gbp", "£0.40/item"), ("1.97", "l", "chf", "1.97 CHF/l")],
)
def test_label(amount, basis, currency, text):
    assert label(amount, basis, currency) == text
