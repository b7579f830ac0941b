"""Grocery pricing in integer cents: what a line costs, what a checkout authorises.

A unit line costs `price * quantity`. A weighed line costs `price_per_kg * grams / 1000`, rounded
half-up to the cent once per line. The card is authorised for the unit lines plus the weighed lines
with a margin (`WEIGHT_BUFFER_BPS`), rounded up to the cent, because the packed weight is known only
at packing; what is captured later is the packed total, never more than that authorisation.
"""

from __future__ import annotations

BASIS_POINTS = 10_000


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def line_cost(price_cents: int, sold_by: str, amount: int) -> int:
    """`amount` is a count for unit products and grams for weighed ones (priced per kg)."""
    if sold_by == "weight":
        return half_up(price_cents * amount, 1000)
    return price_cents * amount


def authorised_amount(unit_cents: int, weighed_cents: int, buffer_bps: int) -> int:
    return unit_cents + ceil_div(weighed_cents * (BASIS_POINTS + buffer_bps), BASIS_POINTS)


def stock_amount(line: dict) -> int:
    """How much stock a basket or order line holds: items, or grams for a weighed product."""
    return line["weight_g"] if line.get("sold_by") == "weight" else line["quantity"]


# -- the platform's commission and how a refund splits --------------------------------------------


def commission(goods_cents: int, commission_bps: int) -> int:
    """The platform's commission on an order's goods, rounded half-up once per order; the seller's
    transfer is the rest, so commission + transfer is always exactly the goods total."""
    return half_up(goods_cents * commission_bps, BASIS_POINTS)


def refund_split(gross_cents: int, commission_cents: int, refunded_before: int, amount_cents: int) -> tuple[int, int]:
    """How a refund of `amount_cents` splits into (reversed from the seller, commission given back).

    The commission given back is computed on the running total (`commission * refunded / gross`,
    half-up), and each refund takes the difference. So the parts of every refund add up to it, the
    refunds of a whole order give back exactly its commission and reverse exactly its transfer, and
    neither part ever goes negative or above what is left of it."""
    if gross_cents <= 0:
        return amount_cents, 0
    before = half_up(commission_cents * refunded_before, gross_cents)
    after = half_up(commission_cents * (refunded_before + amount_cents), gross_cents)
    commission_back = after - before
    return amount_cents - commission_back, commission_back
