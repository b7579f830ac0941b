"""Comparable unit prices: what a product costs per kg, per litre or per item, whatever it is sold as.

"$1.40 per 250 g" and "$1.10/kg" only compare once both are per kg: $5.60/kg against $1.10/kg. The
price of a product sold by weight already is per kg. For a product sold by the unit, its `unit`
("500 g", "1.5 kg", "750 ml", "2L", "6 x 330 ml", "pack of 6", "each") says how much the price buys:
mass -> per kg, volume -> per litre, a count -> per item (a pack of 6 is divided by 6); a unit that
says nothing measurable ("box", "bunch") is one item at the price.

Exact arithmetic (fractions of integer cents, never floats), rounded half up to whole cents.
Pure: no I/O, no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Basis = Literal["kg", "l", "item"]
BASES: tuple[Basis, ...] = ("kg", "l", "item")
# Stored sort keys hold the amount in this many digits. The largest amount there can be: the largest
# price (100 000.00) for the smallest quantity the parser reads (0.001 g) is 10^13 cents per kg.
KEY_DIGITS = 15

_GRAMS: dict[str, Fraction] = {
    **dict.fromkeys(("g", "gr", "grs", "gram", "grams", "gramme", "grammes"), Fraction(1)),
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"), Fraction(1000)),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds"), Fraction("453.59237")),
    **dict.fromkeys(("oz", "ounce", "ounces"), Fraction("28.349523125")),
}
_MILLILITRES: dict[str, Fraction] = {
    **dict.fromkeys(("ml", "millilitre", "millilitres", "milliliter", "milliliters"), Fraction(1)),
    **dict.fromkeys(("cl", "centilitre", "centilitres"), Fraction(10)),
    **dict.fromkeys(("dl",), Fraction(100)),
    **dict.fromkeys(("l", "lt", "ltr", "litre", "litres", "liter", "liters"), Fraction(1000)),
}
_SINGLE = {"each", "ea", "item", "piece", "pc", "single", "unit", "1"}
_COUNT_WORDS = r"(?:pack|pk|pcs|pieces|count|ct|x)"
_PACK = [
    re.compile(r"(?:pack|box|case|set|bag|tray|bundle) of (\d{1,4})"),  # "pack of 6"
    re.compile(rf"(\d{{1,4}}) ?-? ?{_COUNT_WORDS}"),  # "6 pack", "6-pack", "6x", "12 pcs"
    re.compile(r"x ?(\d{1,4})"),  # "x6"
]
# "500 g", "1.5 kg", "2L", "0,75 l", "kg" (one of it), "6 x 330 ml", "4x125g"
_MEASURE = re.compile(r"(?:(\d{1,4}) ?x ?)?(\d{1,6}(?:[.,]\d{1,3})?)? ?([a-z]+)")


@dataclass(frozen=True)
class UnitPrice:
    cents: int
    basis: Basis


def round_half_up(value: Fraction) -> int:
    """Nearest integer, halves away from zero (for amounts, which are never negative: up)."""
    sign = -1 if value < 0 else 1
    return sign * int(abs(value) + Fraction(1, 2))


def _normalise(unit: str) -> str:
    text = " ".join(unit.lower().replace("-", " - ").split())
    text = re.sub(r" ?- ?", "-", text)
    return text.removeprefix("per ").strip()


def quantity(unit: str) -> tuple[Basis, Fraction]:
    """How much one `unit` is, in the basis it compares in: "500 g" -> ("kg", 1/2), "pack of 6" ->
    ("item", 6), "750 ml" -> ("l", 3/4). Anything unreadable (or zero) is one item."""
    text = _normalise(unit)
    if text in _SINGLE:
        return "item", Fraction(1)
    for pattern in _PACK:
        match = pattern.fullmatch(text)
        if match:
            count = int(match.group(1))
            return ("item", Fraction(count)) if count > 0 else ("item", Fraction(1))
    match = _MEASURE.fullmatch(text)
    if match:
        packs, amount, word = match.groups()
        size = Fraction(amount.replace(",", ".")) if amount else Fraction(1)
        size *= int(packs) if packs else 1
        if size > 0:
            if word in _GRAMS:
                return "kg", size * _GRAMS[word] / 1000
            if word in _MILLILITRES:
                return "l", size * _MILLILITRES[word] / 1000
    return "item", Fraction(1)


def unit_price(price_cents: int, unit: str, sold_by: str = "unit") -> UnitPrice:
    """The comparable price, in whole cents per kg, litre or item. `price_cents` is what the product's
    price is for: one `unit` (sold by the unit) or one kg (sold by weight, whatever `unit` says)."""
    if sold_by == "weight":
        return UnitPrice(price_cents, "kg")
    basis, amount = quantity(unit)
    cents = round_half_up(Fraction(price_cents) / amount)
    return UnitPrice(min(cents, 10**KEY_DIGITS - 1), basis)


_SYMBOLS = {"usd": "$", "gbp": "£", "eur": "€", "aud": "A$", "cad": "C$", "nzd": "NZ$"}


def label(amount: str, basis: str, currency: str) -> str:
    """ "$5.60/kg", "€0.43/item"; a currency without a symbol here by its code: "5.60 CHF/kg"."""
    symbol = _SYMBOLS.get(currency.lower())
    money = f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"
    return f"{money}/{basis}"
