"""Money as integer minor units; decimal strings with two places at the edges. No floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_AMOUNT_CENTS = 100_000_00  # 100 000.00 per unit is far beyond any grocery item


def parse_amount(value: object) -> int:
    """'3.49' | 3.49 | 3 -> 349 cents; rejects >2 decimal places, negatives, NaN, booleans."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ValueError('must be a decimal string or number, e.g. "3.49"')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError('must be a decimal string or number, e.g. "3.49"') from None
    if not amount.is_finite():
        raise ValueError("must be a finite amount")
    if amount < 0:
        raise ValueError("must not be negative")
    if amount * 100 > MAX_AMOUNT_CENTS:  # before quantize(): huge values overflow the decimal context
        raise ValueError("is too large")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValueError("at most two decimal places")
    return int(amount * 100)


def format_amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"
