"""Every demo product gets a picture drawn at seed time (nothing downloaded)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from local.seed import CATALOG, PALETTE, demo_picture


def test_every_demo_product_has_a_well_formed_picture_in_its_category_colours():
    pictures = set()
    for _, products in CATALOG.values():
        for name, _description, _price, category, _stock, _unit in products:
            svg = demo_picture(name, category)
            root = ET.fromstring(svg)
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert PALETTE[category][2].encode() in svg  # drawn in its category's accent colour
            pictures.add(svg)
    assert len(pictures) == sum(len(products) for _, products in CATALOG.values())  # no two alike


def test_names_are_escaped_in_the_picture():
    svg = demo_picture('Fish & "Chips" <b>', "meat-fish")
    assert ET.fromstring(svg) is not None and b"<b>" not in svg
