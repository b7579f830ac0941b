"""Every demo product gets a picture drawn at seed time (nothing downloaded)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from local.seed import CATALOG, PALETTE, WEIGHED, demo_picture
from smartgrocer.domain.weights import rule_problems
from smartgrocer.money import parse_amount


def _names_and_categories():
    for _, products in CATALOG.values():
        for name, _description, _price, category, _stock, _unit in products:
            yield name, category
    for products in WEIGHED.values():
        for name, _description, _price, category, _grams, _min, _step in products:
            yield name, category


def test_every_demo_product_has_a_well_formed_picture_in_its_category_colours():
    pictures = set()
    shown = list(_names_and_categories())
    for name, category in shown:
        svg = demo_picture(name, category)
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert PALETTE[category][2].encode() in svg  # drawn in its category's accent colour
        pictures.add(svg)
    assert len(pictures) == len(shown)  # no two alike
    assert len({name for name, _ in shown}) == len(shown)


def test_demo_products_sold_by_weight_are_sensible():
    assert set(WEIGHED) <= set(CATALOG)  # sold by sellers that exist
    for products in WEIGHED.values():
        for _name, _description, price, category, grams, min_weight_g, step_g in products:
            assert parse_amount(price) > 0 and category in PALETTE
            assert rule_problems(min_weight_g, step_g) == {}
            assert grams >= min_weight_g and grams % step_g == 0  # the stock can be sold to the last step


def test_names_are_escaped_in_the_picture():
    svg = demo_picture('Fish & "Chips" <b>', "meat-fish")
    assert ET.fromstring(svg) is not None and b"<b>" not in svg
