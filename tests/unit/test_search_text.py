"""Search text rules (domain/search_text.py): folding, singulars, trigrams, edit distance, stored terms."""

from __future__ import annotations

import pytest

from smartgrocer.domain import search_text as text


@pytest.mark.parametrize(
    "written, folded",
    [("Comté", "comte"), ("CRÈME fraîche", "creme fraiche"), ("Smørrebrød", "smorrebrod"), ("Straße", "strasse")],
)
def test_fold_lowers_and_drops_accents(written, folded):
    assert text.fold(written) == folded


def test_words_are_letters_and_digits_cut_at_30():
    assert text.words("Free-Range Eggs, 12 pack!") == ["free", "range", "eggs", "12", "pack"]
    assert text.words("x" * 40) == ["x" * 30]
    assert text.words("!!! ???") == []


@pytest.mark.parametrize(
    "plural, singular",
    [
        ("apples", "apple"),
        ("eggs", "egg"),
        ("berries", "berry"),
        ("strawberries", "strawberry"),
        ("peaches", "peach"),
        ("radishes", "radish"),
        ("boxes", "box"),
        ("glasses", "glass"),
        ("oats", "oat"),
        ("peas", "pea"),
        ("olives", "olive"),
        ("cheeses", "cheese"),
        ("sausages", "sausage"),
        ("months", "month"),
        # the exceptions (search_vocabulary.SINGULAR)
        ("loaves", "loaf"),
        ("potatoes", "potato"),
        ("tomatoes", "tomato"),
        ("cookies", "cookie"),
        ("brownies", "brownie"),
        ("leaves", "leaf"),
        # not plurals
        ("hummus", "hummus"),
        ("asparagus", "asparagus"),
        ("couscous", "couscous"),
        ("swiss", "swiss"),
        ("molasses", "molasses"),
        ("series", "series"),
        ("gas", "gas"),
        ("milk", "milk"),
    ],
)
def test_singular(plural, singular):
    assert text.singular(plural) == singular
    assert text.singular(singular) == singular  # idempotent: a singular stays as it is


def test_compounds_join_hyphenated_words():
    assert text.compounds("Free-Range Eggs") == ["freerange"]
    assert text.compounds("Semi-Skimmed Milk, Washing-Up Liquid") == ["semiskimmed", "washingup"]
    assert text.compounds("Plain Flour") == []


def test_trigrams_mark_the_edges():
    assert text.trigrams("milk") == ["^mi", "mil", "ilk", "lk$"]
    assert text.trigrams("aaaa") == ["^aa", "aaa", "aa$"]  # each once


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("chocolate", "chocolate", 0),
        ("choclate", "chocolate", 1),  # a letter left out
        ("chocolatte", "chocolate", 1),  # one too many
        ("chocolete", "chocolate", 1),  # one wrong
        ("mlik", "milk", 1),  # two swapped
        ("brocolli", "broccoli", 2),
        ("mozarela", "mozzarella", 2),
        ("apple", "banana", 3),  # more than the limit: limit + 1
    ],
)
def test_edit_distance(a, b, distance):
    assert text.edit_distance(a, b, 2) == distance
    assert text.edit_distance(b, a, 2) == distance


def test_edit_distance_stops_at_the_limit():
    assert text.edit_distance("strawberry", "blueberry", 1) == 2  # limit + 1, whatever the true distance
    assert text.edit_distance("a" * 10, "a" * 20, 2) == 3


def test_typo_edits_by_length():
    assert [text.typo_edits("x" * n) for n in range(1, 12)] == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2]


def test_edits1_is_every_string_one_edit_away():
    variants = text.edits1("mlik")
    assert {"milk", "mik", "malik", "mlek"} <= variants and "mlik" not in variants
    assert all(text.edit_distance("mlik", v, 1) == 1 for v in variants)


def test_stored_terms_hold_one_term_per_thing_a_word_finds_the_product_by():
    terms = text.stored_terms("Gala Apples", "fruit-veg", "Crisp, sweet apples picked in a week.")
    assert terms[:4] == ["n:gala", "n:apple", "k:gala", "k:apple"]  # its name first: a cut keeps what ranks highest
    assert {"k:ga", "k:gal", "k:ap", "k:appl", "k:apples"} <= set(terms)  # name words as they are typed
    assert {"k:fruit", "k:veg", "k:produce"} <= set(terms)  # the words naming its category, canonical ("veg")
    assert {"k:crisp", "k:chip", "k:sweet", "k:week"} & set(terms) == {"k:chip", "k:sweet", "k:week"}  # crisp: chip
    assert {"k:in", "k:a", "n:apples", "k:cr"} & set(terms) == set()  # no stop words, plurals, description prefixes
    assert len(terms) == len(set(terms))


def test_stored_terms_reach_broader_words_and_equivalents():
    assert {"n:baguette", "k:bread"} <= set(text.stored_terms("Baguette", "bakery", "Crusty."))
    assert "k:bread" in text.stored_terms("Strong Flour", "pantry", "For bread making.")
    assert {"n:yoghurt", "k:yoghurt"} <= set(text.stored_terms("Greek Yogurt", "dairy-eggs", ""))  # the group's first
    assert {"k:veg", "k:vegetable"} & set(text.stored_terms("Carrots", "pantry", "")) == {"k:veg"}


def test_stored_terms_fold_accents_and_join_compounds():
    terms = text.stored_terms("Comté 18 Months", "dairy-eggs", "")
    assert {"n:comte", "n:18", "n:month", "k:co", "k:comte", "k:cheese"} <= set(terms)
    assert {"n:free", "n:range", "n:freerange", "n:egg"} <= set(text.stored_terms("Free-Range Eggs", "dairy-eggs", ""))


def test_stored_terms_limits():
    long_word = "supercalifragilistic"  # 20 letters
    terms = text.stored_terms(long_word, "pantry", "x " * 500)
    assert f"n:{long_word}" in terms and f"k:{long_word[:15]}" in terms and f"k:{long_word[:16]}" not in terms
    assert len(text.stored_terms(" ".join(f"word{i}" for i in range(200)), "pantry", "y " * 500)) <= text.MAX_TERMS


def test_tagged_terms_say_how_a_product_answers_for_scoring():
    terms = text.tagged_terms("Gala Apples", "fruit-veg", "Crisp, sweet apples picked in a week.")
    assert {"n:gala", "n:apple", "p:ga", "p:apples", "c:fruit-veg", "d:crisp", "d:apple", "d:week"} <= terms
    assert not {"n:apples", "d:in", "d:a", "p:g"} & terms


def test_vocabulary_ranks_name_words_over_description_words():
    words = text.vocabulary("Dark Chocolate Bars", "70% cocoa, for baking with chocolate.")
    assert words == {"dark": 2, "chocolate": 2, "bar": 2, "cocoa": 1, "baking": 1}  # no digits, stop words, short words
