"""Text as search compares it, on both sides: what a product stores and what a query asks for.

Words are lower case with accents folded ("Comté" -> "comte"), letters and digits only, and compared
in their singular form (simple English rules plus the exceptions in `search_vocabulary`). A product
stores, in `terms` (and the search postings derived from them), what a query word can match as ONE term
each, so that a query asks for one term per word (search.py):

    k:<word>    the product answers to this word: a word of its name or description (singular, and
                the first of its group of equivalents: "yoghurt" and "yogurt" both store k:yoghurt),
                the first 2 to 15 letters of a name word as written (search as you type: k:ap ...
                k:apples), a broader word for one of its words ("Baguette" -> k:bread, "Carrots" ->
                k:veg) and the words naming its category (Fruit & Vegetables -> k:fruit, k:veg, ...)
    n:<word>    a word of its name, singular and canonical as above ("Free-Range" also joined:
                n:freerange): the products a query names, read first when too many match

How well a product answers (name or description, whole word or prefix, the word itself or a broader
one) is scored from its name, category and description when it is ranked (`tagged_terms`), so it is not
stored. Stored terms follow these rules and the vocabulary's data: SEARCH_VERSION names both, and the
apply-indexes step rebuilds the terms of every product stored under another version.
"""

from __future__ import annotations

import re
import unicodedata

from smartgrocer.domain import search_vocabulary as vocab
from smartgrocer.domain.search_vocabulary import SAME_IN_PLURAL, SINGULAR, STOPWORDS

RULES = 3  # of this module: bump when what it stores changes (3: the search postings)
SEARCH_VERSION = f"{RULES}.{vocab.VERSION}"  # products stored under another `search_v` are rebuilt
PREFIX_MIN, PREFIX_MAX = 2, 15
WORD_MAX = 30  # longer words are cut (as stored and as asked)
MAX_TERMS = 120
_NAME_WORDS, _DESCRIPTION_WORDS = 16, 60
_WORD = re.compile(r"[a-z0-9]+")
_UNDECOMPOSED = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})


def fold(text: str) -> str:
    """Lower case without accents: "Comté" -> "comte", "Crème" -> "creme"."""
    if text.isascii():  # most text: nothing to decompose (ranking folds every candidate's name and description)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return [w[:WORD_MAX] for w in _WORD.findall(fold(text))]


def singular(word: str) -> str:
    """The singular of an English noun by simple rules; `search_vocabulary` holds the exceptions. Words
    that are not plurals mostly come back unchanged (and a wrong guess is made on both sides alike)."""
    if word in SINGULAR:
        return SINGULAR[word]
    if len(word) <= 3 or not word.endswith("s") or word in SAME_IN_PLURAL or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"  # berries -> berry
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]  # radishes -> radish, peaches -> peach, boxes -> box
    return word[:-1]


def compounds(text: str) -> list[str]:
    """Hyphenated (or otherwise joined) words written as one: "Free-Range" -> "freerange"."""
    joined = []
    for chunk in fold(text).split():
        parts = _WORD.findall(chunk)
        if len(parts) > 1:
            joined.append("".join(parts)[:WORD_MAX])
    return joined


def trigrams(word: str) -> list[str]:
    """Character trigrams with the word's edges marked ("milk" -> ^mi, mil, ilk, lk$): a word one or two
    edits away shares some of them."""
    padded = f"^{word}$"
    return list(dict.fromkeys(padded[i : i + 3] for i in range(len(padded) - 2)))


def typo_edits(word: str) -> int:
    """How many edits a query word may be away from a stored word and still match it: none below 5
    letters (too many short words are one edit apart), 1 for 5-7 letters, 2 from 8 letters on."""
    return 0 if len(word) < 5 else 1 if len(word) < 8 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbours (optimal string alignment), or
    `limit + 1` as soon as the distance is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def edits1(word: str) -> set[str]:
    """Every string one edit away from `word` (letters and digits): a few hundred for a short word."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + c + right[1:] for left, right in splits if right for c in letters}
    inserts = {left + c + right for left, right in splits for c in letters}
    return (deletes | swaps | replaces | inserts) - {word}


def _canonical() -> dict[str, str]:
    first: dict[str, str] = {}
    for group in vocab.EQUIVALENTS:
        for word in group:
            first[word] = min(group)
    return first


_CANONICAL = _canonical()
_BROADER: dict[str, set[str]] = {}  # narrower word -> the broader words that cover it
for _broad, _narrower in vocab.BROADER.items():
    for _word in _narrower:
        _BROADER.setdefault(_word, set()).add(_broad)


def canonical(word: str) -> str:
    """The word that stands for its group of equivalents (itself when it has none)."""
    return _CANONICAL.get(word, word)


def broader(word: str) -> set[str]:
    """The broader words covering `word` or one of its equivalents, canonical."""
    found: set[str] = set()
    for same in {word} | {w for g in vocab.EQUIVALENTS if word in g for w in g}:
        found |= {canonical(b) for b in _BROADER.get(same, ())}
    return found


def stored_terms(name: str, category: str, description: str) -> list[str]:
    """The product's `terms` (module docstring): what names it first, so a cut keeps what ranks highest."""
    name_words = words(name)[:_NAME_WORDS]
    joined = compounds(name)[:4]
    named = [canonical(singular(w)) for w in name_words + joined]
    terms: dict[str, None] = dict.fromkeys(f"n:{w}" for w in named)
    terms.update(dict.fromkeys(f"k:{w}" for w in named))
    for word in name_words + joined:
        terms[f"k:{singular(word)}"] = None
        for size in range(PREFIX_MIN, min(len(word), PREFIX_MAX) + 1):
            terms[f"k:{word[:size]}"] = None
    terms.update(dict.fromkeys(f"k:{canonical(w)}" for w in vocab.CATEGORY_WORDS.get(category, ())))
    described = [singular(w) for w in words(description)[:_DESCRIPTION_WORDS] if len(w) > 1 and w not in STOPWORDS]
    for word in named + described:
        terms.update(dict.fromkeys(f"k:{b}" for b in sorted(broader(word))))
    terms.update(dict.fromkeys(f"k:{canonical(w)}" for w in described))
    return list(terms)[:MAX_TERMS]


def tagged_terms(name: str, category: str, description: str) -> set[str]:
    """What the product answers to, by kind, for scoring (search.py): n:<word> a name word (singular),
    p:<prefix> 2 to 15 first letters of a name word as written, c:<slug> its category, d:<word> a word of
    its description (singular, no stop words)."""
    name_words = words(name)[:_NAME_WORDS]
    terms = {f"n:{singular(w)}" for w in name_words + compounds(name)[:4]}
    terms.add(f"c:{category}")
    for word in name_words:
        terms.update(f"p:{word[:size]}" for size in range(PREFIX_MIN, min(len(word), PREFIX_MAX) + 1))
    terms.update(
        f"d:{singular(w)}" for w in words(description)[:_DESCRIPTION_WORDS] if len(w) > 1 and w not in STOPWORDS
    )
    return terms


def vocabulary(name: str, description: str) -> dict[str, int]:
    """The words a product adds to the vocabulary typos are corrected against (and "did you mean" picks
    from): singular words of at least 3 letters, ranked 2 from the name, 1 from the description."""
    found: dict[str, int] = {}
    for word in words(description)[:_DESCRIPTION_WORDS]:
        base = singular(word)
        if len(base) >= 3 and not base.isdigit() and base not in STOPWORDS:
            found[base] = 1
    for word in words(name)[:_NAME_WORDS] + compounds(name)[:4]:
        base = singular(word)
        if len(base) >= 3 and not base.isdigit():
            found[base] = 2
    return found
