"""Order numbers: their shape, their alphabet, and reading them back as people type them."""

from __future__ import annotations

import re

import pytest

from smartgrocer.domain import order_numbers
from smartgrocer.domain.order_numbers import ALPHABET, is_number, new_number, parse

SHAPE = re.compile(r"^SG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$")


def test_the_alphabet_is_crockfords_base32():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert set(ALPHABET) == set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set("ILOU")


def test_a_new_number_is_short_and_of_that_alphabet():
    numbers = [new_number() for _ in range(2000)]
    assert all(SHAPE.match(n) for n in numbers), [n for n in numbers if not SHAPE.match(n)][:5]
    assert len(set(numbers)) > 1990  # random: two thousand draws from a billion barely ever repeat
    used = {symbol for n in numbers for symbol in n[3:].replace("-", "")}
    assert used == set(ALPHABET)  # every symbol turns up, none other


def test_numbers_come_from_secrets(monkeypatch):
    picks = iter("7K3F92")
    monkeypatch.setattr(order_numbers.secrets, "choice", lambda alphabet: next(picks))
    assert new_number() == "SG-7K3F-92"


@pytest.mark.parametrize(
    "typed",
    [
        "SG-7K3F-92",
        "sg-7k3f-92",
        "SG7K3F92",
        "sg7k3f92",
        "7K3F-92",
        "7k3f92",
        " SG 7K3F 92 ",
        "#SG-7K3F-92",
        "Sg_7K3F.92",
    ],
)
def test_parsing_accepts_any_case_with_or_without_dashes(typed):
    assert parse(typed) == "SG-7K3F-92"


def test_parsing_reads_crockfords_look_alikes():
    assert parse("SG-0OIL-10") == "SG-0011-10"  # O is 0; I and L are 1


@pytest.mark.parametrize(
    "typed", ["", "SG", "SG-7K3F-9", "SG-7K3F-923", "SG-7K3F-9U", "XX-7K3F-92", "7K3F-92!", "65f0c1e2d3b4a59687e8f900"]
)
def test_parsing_refuses_what_cannot_be_a_number(typed):
    assert parse(typed) is None


def test_is_number_only_for_the_canonical_form():
    assert is_number("SG-7K3F-92")
    assert not is_number("sg-7k3f-92") and not is_number("SG7K3F92") and not is_number("")
