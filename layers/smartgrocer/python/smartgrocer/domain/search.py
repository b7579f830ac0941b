"""Search that finds groceries: which products a query matches, how they rank, "did you mean", and
suggestions while typing. Standard MongoDB operations only (docs/architecture.md, "Search").

A query is read word by word (stop words dropped, at most 8 words). A product matches when it answers
to every word: it stores one term per thing a word can find it by (`search_text`: its words, singular
and by their first equivalent, the first letters of its name words, the broader words and category words
that cover it), so the whole query is one term per word: the repository finds the products holding
all of them (from the search postings, an inverted index of those terms, checked against the products'
own terms). A word of 5 letters or more that no product uses is read as the closest vocabulary word one
edit away (two from 8 letters on).

Matching products are then scored, word by word, by the best way they answer (from their name,
category and description):

    the word in the name (singular or plural alike)        100
    an equivalent word in the name (yoghurt -> yogurt)      95
    a name word it begins (search as you type)              60
    a narrower word in the name (bread -> baguette)         50
    a category it names (veg -> Fruit & Vegetables)         40
    the word in the description                             20
    a narrower word in the description                      10

a misspelt word at 45 % of those (35 % two edits away), so a typo ranks below any exact match; plus 15
when the last word of the name (its head noun: "Free-Range *Eggs*") is matched, and up to 10 for the
share of the name the query covers. Ties go by id.

Ranking happens over a bounded candidate set, in two tiers: first the products the query names (every
word in the name: the 200 newest of them, by score), then the other matches (the 200 newest, by score).
A page reads the second tier only when it reaches past the first, so a query that names enough products
fetches only those. Pages of a relevance listing are keyset pages over that ranked set: the cursor
carries (tier, score, id), and each page costs the same reads as the first page of its tier (candidates,
then the page's products by id).
"""

from __future__ import annotations

from dataclasses import replace

from smartgrocer.domain import ports
from smartgrocer.domain import search_text as text
from smartgrocer.domain import search_vocabulary as vocab
from smartgrocer.domain.catalog_ports import ProductFilter, ProductRepository, SearchWords

MAX_WORDS = 8
NAMED_CANDIDATES = 200  # the products named by every word, ranked first: enough to fill pages of the best
CANDIDATES = 200  # the other matches, ranked after them
SUGGEST_CANDIDATES = 24  # newest matches read for suggestions: each one fetched costs, and 6 names are shown
SUGGESTIONS = 6
NAME, EQUIVALENT, PREFIX, NARROWER, CATEGORY, DESCRIPTION, NARROWER_DESCRIPTION = 100, 95, 60, 50, 40, 20, 10
TYPO_FACTOR = {1: 0.45, 2: 0.35}  # of the weight, by edits
NAME_LEVEL = 35  # a match from this weight up names the product (head noun, coverage)
HEAD_BONUS, COVERAGE_BONUS = 15, 10
_KEY_TOP = 99_999  # relevance keys: f"{tier}{_KEY_TOP - score:05d}|{id}" sort by tier, best first, then by id
NAMED, OTHERS = "0", "1"  # the tiers
_NEAR_LIMIT = 1_000  # vocabulary words examined per misspelt word
_CORRECTIONS = 1  # readings kept per misspelt word: one, so that a word stays one term


def _equivalents() -> dict[str, frozenset[str]]:
    same: dict[str, frozenset[str]] = {}
    for group in vocab.EQUIVALENTS:
        for word in group:
            same[word] = same.get(word, frozenset({word})) | group
    return same


def _categories_by_word() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for slug, names in vocab.CATEGORY_WORDS.items():
        for word in names:
            found.setdefault(word, set()).add(slug)
    return {word: frozenset(slugs) for word, slugs in found.items()}


SAME = _equivalents()
CATEGORIES_BY_WORD = _categories_by_word()
CURATED: frozenset[str] = frozenset(
    set(SAME)
    | set(vocab.BROADER)
    | {w for narrower in vocab.BROADER.values() for w in narrower}
    | set(CATEGORIES_BY_WORD)
    | vocab.STOPWORDS
)


def _products() -> ProductRepository:
    return ports.resolve(ProductRepository)


def _words() -> SearchWords:
    return ports.resolve(SearchWords)


# -- reading a query --------------------------------------------------------------------------------


class Word:
    """One word of a query. (Plain classes, not dataclasses: products_list imports this on a cold start.)"""

    __slots__ = ("typed", "base", "weights", "corrections")

    def __init__(self, typed: str, base: str, weights: dict[str, int], corrections: tuple[str, ...] = ()):
        self.typed = typed  # as typed (folded)
        self.base = base  # singular
        self.weights = weights  # scoring: tagged term (search_text.tagged_terms) -> weight
        self.corrections = corrections  # the vocabulary word a misspelt word is read as

    @property
    def term(self) -> str:
        """The stored term a product must have to answer to this word."""
        return f"k:{text.canonical(self.corrections[0] if self.corrections else self.base)}"

    @property
    def name_term(self) -> str:
        """The stored term of a product whose name has this word."""
        return f"n:{text.canonical(self.corrections[0] if self.corrections else self.base)}"


class Plan:
    """A query as search reads it: its words."""

    __slots__ = ("words",)

    def __init__(self, words: tuple[Word, ...]):
        self.words = words

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        return tuple((word.term,) for word in self.words)

    @property
    def name_groups(self) -> tuple[tuple[str, ...], ...]:
        """Per word, the term that puts it in a product's name: the best matches."""
        return tuple((word.name_term,) for word in self.words)

    @property
    def text(self) -> str:
        return " ".join(word.typed for word in self.words)


def query_words(q: str) -> list[str]:
    """The words a query searches for: stop words and single letters left out unless nothing else is left."""
    found = list(dict.fromkeys(text.words(q)))
    meaningful = [w for w in found if w not in vocab.STOPWORDS and (len(w) > 1 or w.isdigit())]
    return (meaningful or found)[:MAX_WORDS]


def _reading(base: str, factor: float, weights: dict[str, int]) -> None:
    """Add the terms `base` reaches, their weights scaled by `factor`, keeping each term's best weight."""

    def put(term: str, weight: int) -> None:
        scaled = round(weight * factor)
        if scaled > weights.get(term, 0):
            weights[term] = scaled

    same = SAME.get(base, frozenset({base}))
    put(f"n:{base}", NAME)
    put(f"d:{base}", DESCRIPTION)
    for word in same - {base}:
        put(f"n:{word}", EQUIVALENT)
        put(f"d:{word}", DESCRIPTION)
    for word in sorted(same):
        for narrower in vocab.BROADER.get(word, ()):
            put(f"n:{narrower}", NARROWER)
            put(f"d:{narrower}", NARROWER_DESCRIPTION)
        for slug in sorted(CATEGORIES_BY_WORD.get(word, ())):
            put(f"c:{slug}", CATEGORY)


def _word(typed: str, base: str, corrections: dict[str, int]) -> Word:
    weights: dict[str, int] = {}
    _reading(base, 1.0, weights)
    for prefix in {typed, base}:
        if len(prefix) >= text.PREFIX_MIN:
            weights.setdefault(f"p:{prefix[: text.PREFIX_MAX]}", PREFIX)
    for word, edits in corrections.items():
        _reading(word, TYPO_FACTOR[edits], weights)
    return Word(typed, base, weights, tuple(corrections))


def _nearest(base: str, limit: int, candidates: dict[str, int], keep: int) -> dict[str, int]:
    """The closest of `candidates` (word -> rank) within `limit` edits of `base` (word -> edits): only the
    smallest distance found, best ranked first, then those sharing the first letter, then alphabetical."""
    scored = []
    for word, rank in candidates.items():
        if word == base:
            continue
        edits = text.edit_distance(base, word, limit)
        if edits <= limit:
            scored.append((edits, -rank, word[:1] != base[:1], abs(len(word) - len(base)), word))
    if not scored:
        return {}
    best = min(s[0] for s in scored)
    return {s[-1]: s[0] for s in sorted(s for s in scored if s[0] == best)[:keep]}


def _curated_near(base: str, limit: int) -> dict[str, int]:
    return {w: 2 for w in CURATED if abs(len(w) - len(base)) <= limit and w.isalpha()}


def _typo_candidates(base: str, limit: int) -> dict[str, int]:
    found = _words().near(text.trigrams(base), len(base) - limit, len(base) + limit, _NEAR_LIMIT)
    for word, rank in _curated_near(base, limit).items():
        found.setdefault(word, rank)
    return found


def plan(q: str) -> Plan | None:
    """What the query asks for, or None when it has no words (punctuation only). Looks up the words
    of 5 letters or more that are not curated vocabulary: one query for all of them, and one more per
    word nobody uses (its typo readings)."""
    typed = query_words(q)
    if not typed:
        return None
    bases = [text.singular(w) for w in typed]
    unusual = sorted({b for b in bases if text.typo_edits(b) and b not in CURATED})
    known = _words().known(unusual) if unusual else set()
    corrections: dict[str, dict[str, int]] = {}
    for base in unusual:
        if base not in known:
            limit = text.typo_edits(base)
            corrections[base] = _nearest(base, limit, _typo_candidates(base, limit), _CORRECTIONS)
    return Plan(tuple(_word(t, b, corrections.get(b, {})) for t, b in zip(typed, bases, strict=True)))


# -- ranking ----------------------------------------------------------------------------------------


def score(query: Plan, doc: dict) -> int:
    terms = text.tagged_terms(doc.get("name", ""), doc.get("category", ""), doc.get("description", ""))
    total = 0
    for word in query.words:
        total += max((weight for term, weight in word.weights.items() if term in terms), default=0)
    name = list(dict.fromkeys(text.words(doc.get("name", ""))))
    if not name:
        return total

    def named(written: str) -> bool:
        base = text.singular(written)
        return any(
            word.weights.get(f"n:{base}", 0) >= NAME_LEVEL
            or (len(word.typed) >= text.PREFIX_MIN and written.startswith(word.typed))
            for word in query.words
        )

    matched = [named(w) for w in name]
    total += HEAD_BONUS if matched[-1] else 0
    return total + round(COVERAGE_BONUS * sum(matched) / len(name))


def key(query: Plan, doc: dict, tier: str = NAMED) -> str:
    """Orders a relevance listing: by tier, best score first, then by id. Unique, like every sort key."""
    return f"{tier}{_KEY_TOP - min(score(query, doc), _KEY_TOP):05d}|{doc['_id']}"


def ranked_page(query: Plan, where: ProductFilter, limit: int, after: str | None) -> tuple[list[dict], str | None]:
    """One page of the products matching `query` (and `where`), best first, strictly after the key
    `after`; and the key to continue from, if there is more."""
    repo = _products()
    named = repo.candidates(replace(where, term_groups=query.name_groups), NAMED_CANDIDATES)
    keys: list[str] = []
    if after is None or after[:1] == NAMED:
        keys = sorted(k for k in (key(query, doc) for doc in named) if after is None or k > after)
    if len(keys) <= limit:  # the page (and the one-more that says whether there is a next) reaches the others
        seen = {doc["_id"] for doc in named}
        others = repo.candidates(replace(where, term_groups=query.groups), CANDIDATES + len(seen))
        rest = [doc for doc in others if doc["_id"] not in seen][:CANDIDATES]  # the newest, as they came
        keys += sorted(k for k in (key(query, doc, OTHERS) for doc in rest) if after is None or k > after)
    shown = keys[:limit]
    ids = [k.split("|", 1)[1] for k in shown]
    docs = {doc["_id"]: doc for doc in repo.by_ids(ids)}
    return [docs[i] for i in ids if i in docs], (shown[-1] if len(keys) > limit else None)


# -- did you mean -----------------------------------------------------------------------------------


def _closest_word(word: Word) -> str | None:
    """A vocabulary word close to one nobody uses, more leniently than matching reads typos: one edit
    for 3-4 letters (every string one edit away, looked up at once), two from 5 letters on."""
    base = word.base
    if base in CURATED or len(base) < 3 or base.isdigit() or word.corrections:
        return None
    if _words().known([base]):
        return None
    if len(base) <= 4:
        variants = sorted(text.edits1(base))
        candidates = dict.fromkeys(_words().known(variants), 1)
        candidates.update({w: 2 for w in CURATED & set(variants)})
        limit = 1
    else:
        limit = 2
        candidates = _typo_candidates(base, limit)
    nearest = _nearest(base, limit, candidates, 1)
    return next(iter(nearest), None)


def did_you_mean(query: Plan, where: ProductFilter) -> str | None:
    """For a query that matched nothing: the same query with misspelt words corrected, or else without
    one of its words (the first ones first: the last word is usually the thing wanted, "oat *milk*"),
    whichever first finds something with the same filters. None if nothing does."""
    typed = [word.typed for word in query.words]
    corrected = [_closest_word(word) or word.typed for word in query.words]
    alternatives = [corrected] if corrected != typed else []
    if len(corrected) > 1:
        alternatives += [corrected[:i] + corrected[i + 1 :] for i in range(len(corrected))]
    for words in alternatives[:5]:
        alternative = plan(" ".join(words))
        if alternative is not None and _products().candidates(replace(where, term_groups=alternative.groups), 1):
            return alternative.text
    return None


# -- suggestions while typing -----------------------------------------------------------------------


def _category_words(slug: str, name: str) -> set[str]:
    return {text.singular(w) for w in text.words(name)} | set(text.words(name)) | set(vocab.CATEGORY_WORDS[slug])


def _named_by(query: Plan, doc: dict) -> bool:
    """Whether every word of the query is in the product's name (a name word, its start, or a narrower word)."""
    terms = text.tagged_terms(doc.get("name", ""), "", "")
    return all(any(t in terms and weight >= NAME_LEVEL for t, weight in w.weights.items()) for w in query.words)


def suggest(q: str) -> list[dict]:
    """Categories and product names for what has been typed so far: categories whose words begin with
    every typed word (if they have products), then the names of the best matching products whose names
    match every word (equal scores alphabetically)."""
    from smartgrocer.models.products import CATEGORY_NAMES

    typed = query_words(q)
    if not typed:
        return []
    repo = _products()
    items: list[dict] = []
    for slug, name in CATEGORY_NAMES.items():
        names = _category_words(slug, name)
        begins = all(any(w.startswith(t) for w in names) for t in typed)
        if begins and len(items) < 2 and repo.page(ProductFilter(category=slug), "k_newest", True, None, 1):
            items.append({"kind": "category", "label": name, "category": slug, "product_id": None})
    query = plan(q)
    if query is not None and (len(typed) > 1 or len(typed[0]) >= text.PREFIX_MIN):
        found = repo.candidates(ProductFilter(term_groups=query.groups), SUGGEST_CANDIDATES)
        named = [doc for doc in found if _named_by(query, doc)]
        seen: set[str] = set()
        for doc in sorted(named, key=lambda d: (-score(query, d), text.fold(d["name"]), d["_id"])):
            label = doc["name"]
            if text.fold(label) not in seen:
                seen.add(text.fold(label))
                items.append({"kind": "product", "label": label, "category": None, "product_id": doc["_id"]})
            if len(seen) >= SUGGESTIONS:
                break
    return items
