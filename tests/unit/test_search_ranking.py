"""Search in the domain (domain/search.py through catalog.list_products), on in-memory ports: what a query
matches, how it ranks, how relevance pages continue, "did you mean" and suggestions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from smartgrocer.domain import catalog, ports, search
from smartgrocer.domain.catalog_ports import ProductFilter, ProductRepository, SearchWords
from smartgrocer.domain.checkout_ports import SellerRepository
from smartgrocer.domain.ids import decode_cursor
from smartgrocer.errors import BadRequest
from tests.unit.fake_catalog import FakeProducts, FakeSearchWords, FakeSellers


@dataclass
class Who:
    user_id: str
    role: str = "seller"
    full_name: str = "Test Grocer"


@pytest.fixture
def shop():
    products, words = FakeProducts(), FakeSearchWords()
    previous = {port: ports._factories.get(port) for port in (ProductRepository, SearchWords, SellerRepository)}
    ports.use(ProductRepository, products)
    ports.use(SearchWords, words)
    ports.use(SellerRepository, FakeSellers(everyone_active=True))

    def add(name, description="", category="pantry", price=100, seller="s1"):
        return catalog.create_product(
            Who(seller),
            {"name": name, "description": description, "price": price, "category": category, "stock": 5},
        )

    yield add
    for port, factory in previous.items():
        if factory is not None:
            ports.register(port, factory)


def names(q, **params):
    return [p["name"] for p in catalog.list_products(q=q, limit=100, **params)["items"]]


# -- reading the query ------------------------------------------------------------------------------


def test_query_words_drop_stop_words_and_single_letters():
    assert search.query_words("Milk and the Eggs") == ["milk", "eggs"]
    assert search.query_words("a b") == ["a", "b"]  # nothing else left: kept
    assert search.query_words("tea for 2") == ["tea", "2"]  # digits are words
    assert search.query_words("milk milk MILK") == ["milk"]
    assert len(search.query_words(" ".join(f"w{i}" for i in range(20)))) == search.MAX_WORDS
    assert search.query_words("!!! ???") == []


def test_only_unknown_long_words_are_read_as_typos(shop):
    shop("Dark Chocolate")
    query = search.plan("choclate choc chocolate")
    assert [w.corrections for w in query.words] == [("chocolate",), (), ()]
    assert search.plan("chocolatee").words[0].corrections == ("chocolate",)  # 10 letters: up to 2 edits
    assert search.plan("chcolte").words[0].corrections == ()  # 7 letters: 1 edit only, this is 2
    assert search.plan("mlik").words[0].corrections == ()  # under 5 letters: no typo reading (did you mean has one)


# -- matching and ranking ---------------------------------------------------------------------------


def test_plural_and_singular_match_alike(shop):
    shop("Free-Range Eggs", category="dairy-eggs")
    shop("Sourdough Loaf", category="bakery")
    assert names("egg") == names("eggs") == ["Free-Range Eggs"]
    assert names("loaves") == ["Sourdough Loaf"]
    assert names("free range egg") == names("freerange") == ["Free-Range Eggs"]


def test_whole_words_rank_above_prefixes_above_synonyms_and_categories_above_descriptions(shop):
    shop("Bread Flour", description="For bread making.")
    shop("Breadsticks", description="Crunchy.")
    shop("Baguette", category="bakery")
    shop("Strong Flour", description="Makes good bread.")
    assert names("bread") == ["Bread Flour", "Breadsticks", "Baguette", "Strong Flour"]


def test_a_category_word_reaches_the_category_below_products_named_by_it(shop):
    shop("Carrots", category="fruit-veg")
    shop("Gala Apples", category="fruit-veg")
    shop("Veggie Burgers", category="frozen")
    assert names("veg") == ["Veggie Burgers", "Carrots", "Gala Apples"]


def test_typos_match_misspelt_words_only(shop):
    shop("Dark Chocolate", category="snacks")
    shop("Chocolate Brownies", category="snacks")
    shop("Chocolate Milk", category="drinks")
    found = names("choclate")
    assert found[0] == "Dark Chocolate" and set(found[1:]) == {"Chocolate Brownies", "Chocolate Milk"}
    assert names("chocolatte milk") == ["Chocolate Milk"]
    shop("Choclate Spread")  # a seller's own spelling is a word like any other: then it is taken as written
    assert names("choclate") == ["Choclate Spread"]


def test_every_word_must_match(shop):
    shop("Whole Milk", category="dairy-eggs")
    shop("Oat Cookies", category="snacks")
    assert names("oat milk") == []
    assert names("whole milk") == ["Whole Milk"]


def test_the_product_named_by_the_words_comes_first(shop):
    shop("Milk Chocolate", category="snacks")
    shop("Whole Milk", category="dairy-eggs")
    shop("Carrot Cake", category="bakery")
    shop("Carrots", category="fruit-veg")
    shop("Gala Apples", category="fruit-veg")
    shop("Loose Braeburn Apples", category="fruit-veg")
    assert names("milk") == ["Whole Milk", "Milk Chocolate"]  # its head noun
    assert names("carrot") == ["Carrots", "Carrot Cake"]
    assert names("apples") == ["Gala Apples", "Loose Braeburn Apples"]  # more of its name matched


def test_ties_are_ordered_by_id_and_stable(shop):
    ids = sorted(shop("Plain Bagels", category="bakery")["id"] for _ in range(7))
    page = catalog.list_products(q="bagel", limit=100)
    assert [p["id"] for p in page["items"]] == ids


def test_filters_and_other_sorts_apply_with_a_query(shop):
    shop("Cheap Cheddar", category="dairy-eggs", price=150)
    shop("Fine Cheddar", category="dairy-eggs", price=900, seller="s2")
    shop("Cheddar Crisps", category="snacks", price=120)
    assert names("cheddar", sort="price") == ["Cheddar Crisps", "Cheap Cheddar", "Fine Cheddar"]
    assert names("cheddar", sort="-price") == ["Fine Cheddar", "Cheap Cheddar", "Cheddar Crisps"]
    assert names("cheddar", category="snacks") == ["Cheddar Crisps"]
    assert names("cheese", seller_id="s2") == ["Fine Cheddar"]
    assert names("cheese", min_price=130, max_price=200) == ["Cheap Cheddar"]


def test_relevance_without_a_query_is_newest_first(shop):
    first = shop("Rice")
    stamp = catalog._now()
    while catalog._now() == stamp:  # newest is by the millisecond: wait for the clock to move on, no longer
        pass
    second = shop("Beans")
    page = catalog.list_products(sort="relevance")
    assert [p["id"] for p in page["items"]] == [second["id"], first["id"]]


# -- relevance pages --------------------------------------------------------------------------------


def test_relevance_pages_walk_every_match_once_in_order(shop):
    for i in range(9):
        shop(f"Apple {i}")
        shop(f"Green Apples {i}", description="Sharp.")
        shop(f"Pie {i}", description="Apple filling.")
    whole = [p["id"] for p in catalog.list_products(q="apple", limit=100)["items"]]
    walked, cursor = [], None
    while True:
        page = catalog.list_products(q="apple", limit=4, cursor=cursor)
        walked += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
        assert decode_cursor(cursor, "relevance")  # the cursor names the relevance listing
    assert walked == whole and len(whole) == 27


def test_a_cursor_of_another_listing_is_refused(shop):
    shop("Rice 1"), shop("Rice 2")
    cursor = catalog.list_products(q="rice", limit=1)["next_cursor"]
    assert cursor
    with pytest.raises(BadRequest):
        catalog.list_products(q="rice", sort="price", cursor=cursor)
    with pytest.raises(BadRequest):
        catalog.list_products(cursor=cursor)  # no query: newest first, another listing


def test_candidates_are_bounded_and_keep_the_products_named_by_the_query(shop, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 5)
    named = [shop(f"Tea {i}")["id"] for i in range(3)]  # the oldest: a newest-first cut would lose them
    for i in range(10):
        shop(f"Biscuits {i}", description="Lovely with tea.")
    found = [p["id"] for p in catalog.list_products(q="tea", limit=100)["items"]]
    assert found[:3] == sorted(named)
    assert len(found) == 5 + 3  # the 5 newest matches, plus the products named by the query


def test_the_named_tier_comes_first_and_the_others_are_read_only_when_a_page_reaches_them(shop, monkeypatch):
    monkeypatch.setattr(search, "NAMED_CANDIDATES", 4)
    monkeypatch.setattr(search, "CANDIDATES", 3)
    teas = [shop(f"Tea {i}")["id"] for i in range(6)]
    biscuits = [shop(f"Biscuits {i}", description="Lovely with tea.")["id"] for i in range(5)]
    repo = ports.resolve(ProductRepository)
    reads: list[tuple] = []
    real = repo.candidates
    monkeypatch.setattr(repo, "candidates", lambda where, limit: reads.append(where.term_groups) or real(where, limit))

    def newest(ids, count):  # creation order within one millisecond is by id: read it as search does
        return sorted(ids, key=lambda i: repo.docs[i]["k_newest"], reverse=True)[:count]

    named = newest(teas, 4)
    first = catalog.list_products(q="tea", limit=2)
    assert [p["id"] for p in first["items"]] == sorted(named)[:2]  # the 4 newest named, best (then id) first
    assert reads == [(("n:tea",),)]  # the page lies within the named products: the others are not read
    walked, cursor = [p["id"] for p in first["items"]], first["next_cursor"]
    while cursor:
        page = catalog.list_products(q="tea", limit=2, cursor=cursor)
        walked += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
    # then the 3 newest of the rest: the older named products and the biscuits alike
    rest = newest([i for i in teas + biscuits if i not in named], 3)
    assert walked[:4] == sorted(named) and sorted(walked[4:]) == sorted(rest) and len(walked) == 7


# -- did you mean -----------------------------------------------------------------------------------


def test_did_you_mean_corrects_short_words_and_drops_what_cannot_match(shop):
    shop("Whole Milk", category="dairy-eggs")
    shop("Seeded Rye Bread", category="bakery")
    shop("Red Lentils")
    assert catalog.list_products(q="mlik")["did_you_mean"] == "milk"
    assert catalog.list_products(q="bred")["did_you_mean"] == "bread"  # not "red": same first letter
    assert catalog.list_products(q="oat milk")["did_you_mean"] == "milk"  # the last word is the thing wanted
    assert catalog.list_products(q="zzyzx")["did_you_mean"] is None
    assert catalog.list_products(q="milk")["did_you_mean"] is None  # found something: nothing to suggest


def test_did_you_mean_respects_the_filters(shop):
    shop("Whole Milk", category="dairy-eggs")
    assert catalog.list_products(q="mlik", category="dairy-eggs")["did_you_mean"] == "milk"
    assert catalog.list_products(q="mlik", category="bakery")["did_you_mean"] is None


# -- suggestions ------------------------------------------------------------------------------------


def test_suggestions_are_existing_categories_then_product_names(shop):
    shop("Baguette", category="bakery")
    shop("Bagels", category="bakery")
    shop("Bagels", category="bakery", seller="s2")  # the same name twice: suggested once
    shop("Bananas", category="fruit-veg")
    items = catalog.suggest("ba")["items"]
    assert [(i["kind"], i["label"]) for i in items] == [
        ("category", "Bakery"),
        ("product", "Bagels"),
        ("product", "Baguette"),
        ("product", "Bananas"),
    ]
    assert [i["label"] for i in catalog.suggest("veg")["items"]] == ["Fruit & Vegetables"]  # no product *named* veg
    assert catalog.suggest("froz")["items"] == []  # an empty category is never suggested
    assert [i["label"] for i in catalog.suggest("fruit")["items"]] == ["Fruit & Vegetables", "Bananas"]
    assert catalog.suggest("!!")["items"] == []


def test_suggestions_read_the_words_typed_so_far(shop):
    shop("Dark Chocolate", category="snacks")
    shop("Chocolate Brownies", category="snacks")
    shop("Dark Rye Bread", category="bakery")
    assert [i["label"] for i in catalog.suggest("dark ch")["items"]] == ["Dark Chocolate"]
    assert [i["label"] for i in catalog.suggest("choc")["items"]] == ["Dark Chocolate", "Chocolate Brownies"]
    product = catalog.suggest("brown")["items"][0]
    assert product["product_id"] and product["category"] is None


def test_a_query_is_one_term_per_word():
    query = search.Plan(
        (search._word("yoghurt", "yoghurt", {}), search._word("choclate", "choclate", {"chocolate": 1}))
    )
    assert query.groups == (("k:yoghurt",), ("k:chocolate",))  # a misspelt word: the word it is read as
    assert query.name_groups == (("n:yoghurt",), ("n:chocolate",))
    assert ProductFilter(term_groups=query.groups).term_groups == query.groups
