"""Search over HTTP: ranking, plurals, everyday words, typos, relevance pages, filters and sorts with a query,
"did you mean", suggestions, and the apply-indexes step rebuilding the terms of products stored before.

Each test shops from a seller of its own (`seller_id`), so products other suites create do not move the
rankings it checks; suggestions, which have no seller filter, use words no other test uses."""

from __future__ import annotations

import random
import string
import uuid

import pytest

from tests.integration.helpers import assert_error


def _word(size: int = 8) -> str:
    """A made-up word of letters no other test uses (no "s": it would read as a plural)."""
    return "zq" + "".join(random.choice(string.ascii_lowercase.replace("s", "")) for _ in range(size - 2))


@pytest.fixture(scope="module")
def grocer(api, runtime):
    seller = api.signup(f"search-{uuid.uuid4().hex[:10]}@example.com", is_seller=True)
    rows = [
        ("Free-Range Eggs", "dairy-eggs", "2.60", "Large free-range eggs."),
        ("Whole Milk", "dairy-eggs", "1.15", "Fresh whole milk."),
        ("Mature Cheddar", "dairy-eggs", "3.40", "Aged for 12 months."),
        ("Sourdough Loaf", "bakery", "4.20", "Slow-fermented."),
        ("Seeded Rye Bread", "bakery", "3.60", "Dense rye."),
        ("Baguette", "bakery", "1.50", "Crusty French stick."),
        ("Strong White Flour", "pantry", "1.70", "For bread making."),
        ("Dark Chocolate", "snacks", "2.20", "70% cocoa."),
        ("Chocolate Brownies", "snacks", "4.50", "Fudgy dark chocolate."),
        ("Carrots", "fruit-veg", "0.89", "Unwashed."),
        ("Carrot Cake", "bakery", "12.00", "With cream cheese frosting."),
        ("Gala Apples", "fruit-veg", "3.49", "Crisp, sweet apples."),
    ]
    products = {
        name: api.create_product(seller, name=name, category=category, price=price, description=description)
        for name, category, price, description in rows
    }
    return seller, products


def _search(api, seller, q, **params):
    response = api.get("/api/products", params={"q": q, "seller_id": seller.user_id, "limit": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _names(api, seller, q, **params):
    return [p["name"] for p in _search(api, seller, q, **params)["items"]]


def test_the_product_named_by_the_query_comes_first(api, grocer):
    seller, _ = grocer
    assert _names(api, seller, "eggs")[0] == "Free-Range Eggs"  # then the rest of Dairy & Eggs
    assert set(_names(api, seller, "eggs")) == {"Free-Range Eggs", "Whole Milk", "Mature Cheddar"}
    assert _names(api, seller, "carrot") == ["Carrots", "Carrot Cake"]
    assert _names(api, seller, "chocolate") == ["Dark Chocolate", "Chocolate Brownies"]


def test_plurals_and_everyday_words(api, grocer):
    seller, _ = grocer
    assert _names(api, seller, "egg")[0] == _names(api, seller, "eggs")[0] == "Free-Range Eggs"
    assert _names(api, seller, "loaves") == ["Sourdough Loaf"]
    bread = _names(api, seller, "bread")
    assert bread[0] == "Seeded Rye Bread"  # named by it
    assert set(bread[1:3]) == {"Sourdough Loaf", "Baguette"}  # breads it covers
    assert bread[3:] == ["Strong White Flour"]  # "For bread making": a description match, last
    assert _names(api, seller, "cheese") == ["Mature Cheddar", "Carrot Cake"]  # a cheese, then "cream cheese"


def test_typos_find_the_word_meant(api, grocer):
    seller, _ = grocer
    assert _names(api, seller, "choclate") == ["Dark Chocolate", "Chocolate Brownies"]
    assert _names(api, seller, "chedar")[0] == "Mature Cheddar"
    assert _names(api, seller, "sourdouhg loaf") == ["Sourdough Loaf"]  # two letters swapped


def test_relevance_is_the_default_with_a_query_and_pages_by_keyset(api, grocer):
    seller, _ = grocer
    whole = [p["id"] for p in _search(api, seller, "bread")["items"]]
    assert whole == [p["id"] for p in _search(api, seller, "bread", sort="relevance")["items"]]
    walked, cursor, pages = [], None, 0
    while True:
        body = _search(api, seller, "bread", limit=1, **({"cursor": cursor} if cursor else {}))
        walked += [p["id"] for p in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        assert pages <= len(whole)
        if not cursor:
            break
    assert walked == whole  # every match once, in the same order as one big page
    first = _search(api, seller, "bread", limit=1)["next_cursor"]
    assert_error(
        api.get("/api/products", params={"q": "bread", "sort": "price", "cursor": first}), 400, "invalid_cursor"
    )


def test_filters_and_sorts_apply_with_a_query(api, grocer):
    seller, _ = grocer
    assert _names(api, seller, "bread", category="bakery")[0] == "Seeded Rye Bread"
    assert "Strong White Flour" not in _names(api, seller, "bread", category="bakery")
    assert _names(api, seller, "bread", sort="price") == [
        "Baguette",
        "Strong White Flour",
        "Seeded Rye Bread",
        "Sourdough Loaf",
    ]
    assert _names(api, seller, "bread", sort="-price")[0] == "Sourdough Loaf"
    assert _names(api, seller, "bread", min_price="2", max_price="4") == ["Seeded Rye Bread"]
    assert _names(api, seller, "chocolate", sort="unit_price") == ["Dark Chocolate", "Chocolate Brownies"]
    assert _names(api, seller, "bread", sort="name") == [
        "Baguette",
        "Seeded Rye Bread",
        "Sourdough Loaf",
        "Strong White Flour",
    ]
    other = api.get("/api/products", params={"q": "bread", "seller_id": "0" * 24}).json()
    assert other["items"] == [] and other["did_you_mean"] is None


def test_did_you_mean_on_an_empty_result(api, grocer):
    seller, _ = grocer
    empty = _search(api, seller, "mlik")
    assert empty["items"] == [] and empty["did_you_mean"] == "milk"
    assert _search(api, seller, "oat milk")["did_you_mean"] == "milk"
    assert _search(api, seller, "mlik", category="bakery")["did_you_mean"] is None  # no milk in the bakery
    assert _search(api, seller, "milk")["did_you_mean"] is None
    assert _names(api, seller, _search(api, seller, "mlik")["did_you_mean"]) == ["Whole Milk"]


def test_did_you_mean_from_the_vocabulary_of_every_seller(api, runtime, seller):
    word = _word(7)
    api.create_product(seller, name=f"{word.title()} Crumpets", category="bakery")
    other = next(c for c in "yxw" if c not in word[-2:])  # unlike both last letters: two edits, never a swap
    misspelt = word[:-2] + other * 2  # two edits: more than a 7-letter typo allows
    body = api.get("/api/products", params={"q": misspelt}).json()
    assert body["items"] == [] and body["did_you_mean"] == word


def test_suggestions_while_typing(api, runtime, seller):
    word = _word()
    tart = api.create_product(seller, name=f"{word.title()} Tart", category="bakery")
    tart_too = api.create_product(seller, name=f"{word.title()} Tart", category="bakery")  # suggested once
    api.create_product(seller, name=f"Plain {word.title()}", category="pantry")
    response = api.get("/api/products/suggest", params={"q": word[:5]})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["kind"], i["label"]) for i in items] == [
        ("product", f"Plain {word.title()}"),  # what it is called by its last word first, like the search
        ("product", f"{word.title()} Tart"),
    ]
    assert items[1]["product_id"] in {tart["id"], tart_too["id"]} and items[1]["category"] is None
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"  # cacheable like the catalog
    bakery = api.get("/api/products/suggest", params={"q": "bak"}).json()["items"]
    assert bakery[0] == {"kind": "category", "label": "Bakery", "category": "bakery", "product_id": None}


def test_suggestions_validate_the_query(api, runtime):
    assert_error(api.get("/api/products/suggest"), 422, "validation_error")
    assert_error(api.get("/api/products/suggest", params={"q": ""}), 422, "validation_error")
    assert_error(api.get("/api/products/suggest", params={"q": "x" * 101}), 422, "validation_error")
    assert api.get("/api/products/suggest", params={"q": "!!"}).json() == {"items": []}


def test_products_stored_before_search_rules_are_rebuilt_by_apply_indexes(api, runtime, seller):
    from smartgrocer.adapters.mongo import db
    from smartgrocer.domain import search_text
    from smartgrocer.indexes import apply_indexes, backfill_search

    word = _word(7) + "n"  # its plural is the word and an "s" (a word ending in "i" or "u" would not be)
    product = api.create_product(
        seller, name=f"Smoked {word.title()}s", category="meat-fish", description="Oak smoked."
    )
    old_terms = ["smoked", "sm", "smo", word, f"{word}s", "meat", "fish", "oak"]  # the untagged terms of version 0
    db().products.update_one({"_id": product["id"]}, {"$set": {"terms": old_terms}, "$unset": {"search_v": ""}})
    assert api.get("/api/products", params={"q": word}).json()["items"] == []  # the rules of today do not read them

    apply_indexes(db())  # the deploy step (and the local runner's start)
    found = api.get("/api/products", params={"q": f"{word}s", "seller_id": seller.user_id}).json()["items"]
    assert [p["id"] for p in found] == [product["id"]]
    stored = db().products.find_one({"_id": product["id"]})
    assert f"n:{word}" in stored["terms"] and stored["search_v"] == search_text.SEARCH_VERSION
    assert stored["rev"] == 1  # not an edit: its ETag is unchanged
    assert backfill_search(db()) == 0  # idempotent

    # terms stored under another version of the rules or of the vocabulary are rebuilt the same way
    db().products.update_one({"_id": product["id"]}, {"$set": {"terms": old_terms, "search_v": "1.0"}})
    assert backfill_search(db()) == 1
    assert db().products.find_one({"_id": product["id"]})["terms"] == stored["terms"]


@pytest.fixture
def own_catalog(runtime):
    """The domain on the real MongoDB adapters over a database of its own (the shared one holds every
    suite's products), for crashing a write part way through."""
    from smartgrocer.adapters.mongo import client
    from smartgrocer.adapters.mongo_catalog import MongoProductRepository, MongoSearchWords
    from smartgrocer.domain import catalog, ports
    from smartgrocer.domain.auth import Principal
    from smartgrocer.domain.catalog_ports import ProductRepository, SearchWords
    from smartgrocer.domain.checkout_ports import SellerRepository
    from smartgrocer.indexes import apply_indexes
    from tests.unit.fake_catalog import FakeSellers

    database = client()[f"smartgrocer_postings_{uuid.uuid4().hex[:8]}"]
    apply_indexes(database)
    repository = MongoProductRepository(lambda: database)
    previous = {port: ports._factories.get(port) for port in (ProductRepository, SearchWords, SellerRepository)}
    ports.use(ProductRepository, repository)
    ports.use(SearchWords, MongoSearchWords(lambda: database))
    ports.use(SellerRepository, FakeSellers(everyone_active=True))
    seller = Principal(f"{uuid.uuid4().int % 16**24:024x}", "seller", "postings@example.com", "Postings Shop")
    yield catalog, database, repository, seller
    for port, factory in previous.items():
        if factory is not None:
            ports.register(port, factory)
    client().drop_database(database.name)


@pytest.mark.parametrize("repairer", ["the apply-indexes step", "the reconciler"])
def test_a_write_stopped_before_its_postings_is_repaired(own_catalog, monkeypatch, repairer):
    from smartgrocer.domain.catalog_ports import revision
    from smartgrocer.domain.reconciler import reconcile
    from smartgrocer.indexes import apply_indexes

    catalog, database, repository, seller = own_catalog
    word, other = _word(8), _word(8)

    def found(q):
        return [p["id"] for p in catalog.list_products(q=q)["items"]]

    def crash(product_ids):
        raise RuntimeError("the function stopped after writing the product")

    kept = catalog.create_product(seller, {"name": f"Kept {word}", "price": 100, "category": "pantry", "stock": 1})
    assert found(word) == [kept["id"]]

    monkeypatch.setattr(repository, "post_search", crash)
    with pytest.raises(RuntimeError):
        catalog.create_product(seller, {"name": f"Smoked {word}", "price": 200, "category": "pantry", "stock": 1})
    (new,) = database.products.find({"name": f"Smoked {word}"})
    assert new["search_pending"]  # the product is written, its postings are not: it is hidden, nothing wrong shown
    assert found(word) == [kept["id"]] and found("smoked") == []

    stored = database.products.find_one({"_id": kept["id"]})
    with pytest.raises(RuntimeError):  # renamed: its old postings still point at it, its new ones are missing
        catalog.update_product(seller, kept["id"], {"name": f"Kept {other}"}, catalog.etag(stored))
    assert found(word) == []  # the product's own terms decide: a stale posting shows nothing wrong
    assert found(other) == []
    assert revision(database.products.find_one({"_id": kept["id"]})) == 2
    monkeypatch.undo()

    if repairer == "the reconciler":  # every 5 minutes
        assert reconcile()["search_postings_repaired"] == 2
    else:  # the deploy step (and the local runner's start)
        apply_indexes(database)
    assert found(word) == [new["_id"]]
    assert found(other) == [kept["id"]] and found("smoked") == [new["_id"]]
    assert database.products.count_documents({"search_pending": {"$gt": ""}}) == 0
    kept_key = database.products.find_one({"_id": kept["id"]})["k_newest"]
    holding = {doc["_id"] for doc in database.search_postings.find({"ids": kept_key}, {"_id": 1})}
    assert not any(name.startswith(f"n:{word} ") for name in holding)  # the old name's postings are gone
    assert any(name.startswith(f"n:{other} ") for name in holding)

    catalog.delete_product(seller, new["_id"])  # a delete takes the product's postings with it
    assert found(word) == [] and found("smoked") == []
    new_key = new["k_newest"]
    assert database.search_postings.count_documents({"ids": new_key}) == 0
    assert catalog.repair_search() == 0  # nothing left to repair: idempotent
