"""Products sold by weight (domain/weights.py): the minimum/step rules and a basket weight's check."""

from __future__ import annotations

import pytest

from smartgrocer.domain.weights import grams, rule_problems, sold_by, validate_weight

COMTE = {"name": "Comté", "sold_by": "weight", "min_weight_g": 100, "step_g": 50}
APPLES = {"name": "Loose Apples", "sold_by": "weight", "min_weight_g": 250, "step_g": 250}


@pytest.mark.parametrize("weight", [100, 150, 200, 1000, 20_000])
def test_weights_from_the_minimum_in_steps_are_fine(weight):
    assert validate_weight(COMTE, weight) is None


def test_below_the_minimum():
    assert validate_weight(COMTE, 50) == "The smallest amount of Comté you can buy is 100 g."
    assert validate_weight(APPLES, 100) == "The smallest amount of Loose Apples you can buy is 250 g."


def test_not_a_whole_number_of_steps_names_the_nearest_choices():
    assert validate_weight(COMTE, 120) == "Comté is sold in steps of 50 g: choose 100 g or 150 g."
    assert validate_weight(APPLES, 1100) == "Loose Apples is sold in steps of 250 g: choose 1 kg or 1.25 kg."
    odd = {**COMTE, "min_weight_g": 150}
    assert validate_weight(odd, 175) == "Comté is sold in steps of 50 g: choose 150 g or 200 g."


@pytest.mark.parametrize("weight", [0, -50, True, 100.0, "100", None])
def test_nonsense_weights(weight):
    assert validate_weight(COMTE, weight) == "Choose how much Comté you want, in grams."


def test_a_product_sold_by_the_unit_has_no_weight():
    assert (
        validate_weight({"name": "Baguette", "sold_by": "unit"}, 100) == "Baguette is sold by the item, not by weight."
    )
    assert validate_weight({"name": "Old product"}, 100) == "Old product is sold by the item, not by weight."


def test_missing_sold_by_is_unit():
    assert sold_by({}) == "unit" and sold_by({"sold_by": None}) == "unit" and sold_by(COMTE) == "weight"


@pytest.mark.parametrize(
    "weight, text", [(1, "1 g"), (999, "999 g"), (1000, "1 kg"), (1250, "1.25 kg"), (1500, "1.5 kg")]
)
def test_grams(weight, text):
    assert grams(weight) == text


@pytest.mark.parametrize("minimum, step", [(100, 50), (250, 250), (1, 1), (10_000, 5_000), (50, 50)])
def test_sensible_rules(minimum, step):
    assert rule_problems(minimum, step) == {}


@pytest.mark.parametrize(
    "minimum, step, fields",
    [
        (None, 50, {"min_weight_g"}),
        (100, None, {"step_g"}),
        (None, None, {"min_weight_g", "step_g"}),
        (0, 50, {"min_weight_g"}),
        (100, 0, {"step_g"}),
        (100, 5_001, {"step_g"}),
        (10_050, 50, {"min_weight_g"}),
        (120, 50, {"min_weight_g"}),  # not a whole number of steps
        (25, 50, {"min_weight_g"}),
        (True, 1, {"min_weight_g"}),
        (100.0, 50, {"min_weight_g"}),
    ],
)
def test_nonsense_rules(minimum, step, fields):
    assert set(rule_problems(minimum, step)) == fields


def test_rule_messages_say_what_would_do():
    assert rule_problems(120, 50) == {"min_weight_g": "must be a whole number of steps of 50 g (for example 100)"}
    assert rule_problems(25, 50) == {"min_weight_g": "must be a whole number of steps of 50 g (for example 50)"}
