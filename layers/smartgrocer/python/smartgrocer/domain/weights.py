"""Products sold by weight: the rules for their weights. Pure: no I/O.

A product is `sold_by` "unit" (the default, and what a product stored before the field existed is)
or "weight". Sold by weight, its price is per kg, its stock is in grams, and a basket takes at least
`min_weight_g` grams, in steps of `step_g` grams (`min_weight_g` is itself a whole number of steps,
so every weight from the minimum on in steps is a multiple of the step).
"""

from __future__ import annotations

from typing import Literal

SoldBy = Literal["unit", "weight"]
SOLD_BY: tuple[SoldBy, ...] = ("unit", "weight")
WEIGHED_UNIT = "kg"  # the price of a product sold by weight is per kg
MAX_STEP_G = 5_000
MAX_MIN_WEIGHT_G = 10_000


def sold_by(product: dict) -> SoldBy:
    return "weight" if product.get("sold_by") == "weight" else "unit"


def is_weighed(product: dict) -> bool:
    return sold_by(product) == "weight"


def grams(weight_g: int) -> str:
    """250 -> "250 g", 1500 -> "1.5 kg", 2000 -> "2 kg"."""
    if weight_g < 1000:
        return f"{weight_g} g"
    kilos, rest = divmod(weight_g, 1000)
    return f"{kilos} kg" if not rest else f"{kilos}.{rest:03d}".rstrip("0") + " kg"


def rule_problems(min_weight_g: object, step_g: object) -> dict[str, str]:
    """What is wrong with a weighed product's minimum and step, by field (nothing: {})."""
    problems: dict[str, str] = {}
    for field, value, most in (("step_g", step_g, MAX_STEP_G), ("min_weight_g", min_weight_g, MAX_MIN_WEIGHT_G)):
        if value is None:
            problems[field] = "is required for a product sold by weight"
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
            problems[field] = f"must be a whole number of grams from 1 to {most}"
    if not problems and isinstance(min_weight_g, int) and isinstance(step_g, int) and min_weight_g % step_g:
        nearest = step_g * max(1, min_weight_g // step_g)
        problems["min_weight_g"] = f"must be a whole number of steps of {step_g} g (for example {nearest})"
    return problems


def validate_weight(product: dict, weight_g: int) -> str | None:
    """Why a basket cannot take `weight_g` grams of `product`, for the shopper to read; None when it can.
    Stock is not looked at here (taking it is one conditional write elsewhere)."""
    name = product.get("name") or "This product"
    if not is_weighed(product):
        return f"{name} is sold by the item, not by weight."
    if not isinstance(weight_g, int) or isinstance(weight_g, bool) or weight_g < 1:
        return f"Choose how much {name} you want, in grams."
    minimum = product.get("min_weight_g") or 1
    step = product.get("step_g") or 1
    if weight_g < minimum:
        return f"The smallest amount of {name} you can buy is {grams(minimum)}."
    if weight_g % step:
        lower = weight_g - weight_g % step
        choices = f"{grams(lower)} or {grams(lower + step)}" if lower >= minimum else grams(lower + step)
        return f"{name} is sold in steps of {grams(step)}: choose {choices}."
    return None
