"""The curated search vocabulary (domain/search_vocabulary.py) is well formed, and says what it promises."""

from __future__ import annotations

import hashlib

import pytest

from smartgrocer.domain import search, search_text
from smartgrocer.domain import search_vocabulary as vocab
from smartgrocer.models.products import CATEGORY_NAMES


def _all_words() -> set[str]:
    return (
        {w for group in vocab.EQUIVALENTS for w in group}
        | set(vocab.BROADER)
        | {w for narrower in vocab.BROADER.values() for w in narrower}
        | {w for names in vocab.CATEGORY_WORDS.values() for w in names}
    )


@pytest.mark.parametrize("word", sorted(_all_words() | vocab.STOPWORDS | set(vocab.SINGULAR.values())))
def test_words_are_written_as_search_compares_them(word):
    assert search_text.words(word) == [word], "one word, lower case, accents folded"
    assert search_text.singular(word) == word, "singular (or listed in SAME_IN_PLURAL)"


def test_plural_exceptions_are_plurals_of_singulars():
    for plural, singular in vocab.SINGULAR.items():
        assert search_text.words(plural) == [plural] and plural != singular
    for word in vocab.SAME_IN_PLURAL:
        assert search_text.singular(word) == word


def test_equivalent_groups_are_pairs_or_more_and_disjoint():
    seen: set[str] = set()
    for group in vocab.EQUIVALENTS:
        assert len(group) >= 2
        assert not group & seen, f"{sorted(group & seen)} in two groups: merge them"
        seen |= group


def test_broader_words_cover_something_else():
    for word, narrower in vocab.BROADER.items():
        assert narrower and word not in narrower
        assert len(set(narrower)) == len(narrower)


def test_every_category_has_words_including_those_of_its_name():
    assert set(vocab.CATEGORY_WORDS) == set(CATEGORY_NAMES)
    for slug, name in CATEGORY_NAMES.items():
        named = {search_text.singular(w) for w in search_text.words(name)} - vocab.STOPWORDS
        assert named <= set(vocab.CATEGORY_WORDS[slug]), (slug, named - set(vocab.CATEGORY_WORDS[slug]))


def test_everyday_words_reach_the_things_they_name():
    assert {"loaf", "baguette", "bagel", "sourdough"} <= set(vocab.BROADER["bread"])
    assert {"cheddar", "comte", "mozzarella"} <= set(vocab.BROADER["cheese"])
    assert "vegetable" in search.SAME["veg"] and "carrot" in vocab.BROADER["vegetable"]
    assert search.SAME["yoghurt"] == search.SAME["yogurt"] == {"yogurt", "yoghurt", "yogourt"}


def test_a_word_reaches_its_equivalents_narrower_words_and_categories():
    weights = search._word("veg", "veg", {}).weights
    assert weights["n:veg"] == search.NAME and weights["n:vegetable"] == search.EQUIVALENT
    assert weights["n:carrot"] == search.NARROWER and weights["d:carrot"] == search.NARROWER_DESCRIPTION
    assert weights["c:fruit-veg"] == search.CATEGORY and weights["p:veg"] == search.PREFIX
    assert weights["d:veg"] == search.DESCRIPTION
    typo = search._word("chocolat", "chocolat", {"chocolate": 1}).weights
    assert typo["n:chocolate"] == round(search.NAME * search.TYPO_FACTOR[1]) < search.PREFIX


def _fingerprint() -> str:
    data = (
        sorted(vocab.STOPWORDS),
        sorted(vocab.SINGULAR.items()),
        sorted(vocab.SAME_IN_PLURAL),
        sorted(sorted(group) for group in vocab.EQUIVALENTS),
        sorted(vocab.BROADER.items()),
        sorted(vocab.CATEGORY_WORDS.items()),
    )
    return hashlib.sha256(repr(data).encode()).hexdigest()[:16]


# Each VERSION of the vocabulary with the fingerprint of its data. Products store what the vocabulary makes of
# their words, and apply-indexes rebuilds them when the version changes: data changed without a new VERSION
# would leave them matching by the old vocabulary.
RECORDED = {1: "a4119a50ab1f6f32"}


def test_a_change_to_the_vocabulary_comes_with_a_new_version():
    fingerprint = _fingerprint()
    assert RECORDED.get(vocab.VERSION) == fingerprint, (
        f"search_vocabulary changed: set VERSION = {max(RECORDED) + 1} there and record {max(RECORDED) + 1}: "
        f"{fingerprint!r} in RECORDED here"
    )
    assert search_text.SEARCH_VERSION.endswith(f".{vocab.VERSION}")
