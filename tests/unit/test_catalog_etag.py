"""ETags, revisions and stock accounting of product edits, against an in-memory repository (no server)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from smartgrocer.domain import catalog, etags, ports
from smartgrocer.domain.catalog_ports import ProductRepository, SearchWords
from smartgrocer.domain.checkout_ports import SellerRepository
from smartgrocer.errors import BadRequest, NotFound, PreconditionFailed, PreconditionRequired
from tests.unit.fake_catalog import FakeProducts, FakeSearchWords, FakeSellers


@dataclass
class Who:
    user_id: str
    role: str = "seller"
    full_name: str = "Orchard Ltd"


SELLER, OTHER, ADMIN = Who("seller-1"), Who("seller-2"), Who("admin-1", role="admin")


@pytest.fixture
def products():
    fake = FakeProducts()
    previous = {
        port: ports._factories.get(port) for port in (ProductRepository, SearchWords, SellerRepository)
    }  # put back afterwards
    ports.use(ProductRepository, fake)
    ports.use(SearchWords, FakeSearchWords())
    ports.use(SellerRepository, FakeSellers(everyone_active=True))
    yield fake
    for port, factory in previous.items():
        if factory is not None:
            ports.register(port, factory)


def _create(stock=10, **fields) -> dict:
    return catalog.create_product(
        SELLER,
        {"name": "Pears", "description": "Ripe", "price": 250, "category": "fruit-veg", "stock": stock, **fields},
    )


def _edit(product: dict, if_match: str | None, who=SELLER, **changes) -> dict:
    return catalog.update_product(who, product["id"], changes, if_match)


# -- the header ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, tags",
    [
        ('"r1.s2"', ["r1.s2"]),
        ('W/"r1.s2"', ["r1.s2"]),
        (' "a" , W/"b",,"c" ', ["a", "b", "c"]),
        ('""', [""]),
        ('"a",', ["a"]),
        ("*", None),
        (" * ", None),
    ],
)
def test_if_match_lists_are_parsed(header, tags):
    assert etags.parse_if_match(header) == tags


@pytest.mark.parametrize(
    "header", ["r1", '"r1', 'r1"', "W/r1", '"a" "b"', '"a";"b"', ",", "", '*, "a"', '"a\\"b"', '"' + "x" * 2000 + '"']
)
def test_malformed_if_match_is_refused(header):
    with pytest.raises(ValueError):
        etags.parse_if_match(header)


# -- revisions and the ETag ------------------------------------------------------------------------


def test_create_starts_revision_and_stock_accounting(products):
    product = _create(stock=10)
    doc = products.docs[product["id"]]
    assert (doc["rev"], doc["received"], doc["sold"]) == (1, 10, 0)
    assert product["etag"] == '"r1.s10"' == catalog.get_product(product["id"])["etag"]


def test_every_edit_moves_the_etag_on(products):
    product = _create()
    seen = {product["etag"]}
    for change in (
        {"name": "Conference Pears"},
        {"price": 199},
        {"stock": 4},
        {"description": "Juicy"},
        {"unit": "kg"},
    ):
        product = _edit(product, product["etag"], **change)
        assert product["etag"] not in seen, change
        seen.add(product["etag"])
    assert products.docs[product["id"]]["rev"] == 6


def test_stock_moved_by_a_sale_makes_the_etag_stale_with_or_without_a_revision_bump(products):
    for bump_rev in (False, True):  # the checkout writes stock; the ETag must notice either way
        product = _create(stock=10)
        products.take_stock(product["id"], 3, bump_rev=bump_rev)
        assert catalog.get_product(product["id"])["etag"] != product["etag"]
        with pytest.raises(PreconditionFailed):
            _edit(product, product["etag"], description="fixed typo")


def test_reserve_then_release_is_caught_by_the_revision(products):
    product = _create(stock=10)
    products.take_stock(product["id"], 3, bump_rev=True)
    products.take_stock(product["id"], -3, bump_rev=True)  # the same stock again, two writes later
    assert catalog.get_product(product["id"])["etag"] == '"r3.s10"' != product["etag"]


def test_an_edit_that_changes_nothing_writes_nothing(products):
    product = _create()
    writes = products.writes
    for changes in ({}, {"name": "Pears", "stock": 10, "price": 250}):
        assert _edit(product, product["etag"], **changes) == product
    assert products.writes == writes


def test_delete_is_a_write_too(products):
    product = _create()
    catalog.delete_product(SELLER, product["id"])
    assert products.docs[product["id"]]["rev"] == 2 and not products.docs[product["id"]]["is_active"]
    with pytest.raises(NotFound):
        catalog.get_product(product["id"])


# -- the precondition ------------------------------------------------------------------------------


@pytest.mark.parametrize("if_match", [None, "", "   ", "*"])
def test_no_usable_if_match_is_428(products, if_match):
    product = _create()
    writes = products.writes
    with pytest.raises(PreconditionRequired) as raised:
        _edit(product, if_match, stock=1)
    assert raised.value.status == 428 and raised.value.code == "precondition_required"
    assert products.writes == writes


def test_malformed_if_match_is_400(products):
    product = _create()
    with pytest.raises(BadRequest) as raised:
        _edit(product, "r1.s10", stock=1)
    assert raised.value.code == "invalid_if_match" and products.docs[product["id"]]["stock"] == 10


def test_stale_if_match_is_412_with_the_current_product(products):
    product = _create(stock=10)
    current = _edit(product, product["etag"], stock=12)
    writes = products.writes
    with pytest.raises(PreconditionFailed) as raised:
        _edit(product, product["etag"], stock=10, description="new")
    error = raised.value
    assert (error.status, error.code) == (412, "stale_product")
    assert error.details["current"]["etag"] == current["etag"]
    assert error.details["current"]["stock"] == 12 and error.details["current"]["price"] == "2.50"
    assert products.writes == writes and products.docs[product["id"]]["description"] == "Ripe"


def test_weak_and_listed_tags_name_the_version(products):
    product = _create()
    product = _edit(product, f"W/{product['etag']}", stock=11)
    product = _edit(product, f'"r0.s0", {product["etag"]}', stock=12)
    assert products.docs[product["id"]]["stock"] == 12


def test_a_write_landing_between_read_and_write_is_a_412_not_a_lost_update(products):
    product = _create(stock=10)
    # The precondition holds when checked; then a checkout takes 3 before our write.
    products.before_update = lambda doc: doc.update(stock=doc["stock"] - 3)
    with pytest.raises(PreconditionFailed) as raised:
        _edit(product, product["etag"], stock=10, description="new")
    assert raised.value.details["current"]["stock"] == 7
    doc = products.docs[product["id"]]
    assert (doc["stock"], doc["description"], doc["rev"], doc["received"]) == (7, "Ripe", 1, 10)


def test_a_revision_bump_alone_between_read_and_write_is_also_a_412(products):
    product = _create(stock=10)
    products.before_update = lambda doc: doc.update(rev=doc["rev"] + 1, name="Renamed elsewhere")
    with pytest.raises(PreconditionFailed):
        _edit(product, product["etag"], name="Mine")
    assert products.docs[product["id"]]["name"] == "Renamed elsewhere"


def test_ownership_is_checked_before_the_precondition(products):
    product = _create()
    for if_match in (None, product["etag"], "garbage"):
        with pytest.raises(NotFound):
            _edit(product, if_match, who=OTHER, stock=0)
    assert _edit(product, product["etag"], who=ADMIN, stock=0)["stock"] == 0


def test_a_product_without_rev_is_at_revision_0(products):
    product = _create(stock=10)
    legacy = products.docs[product["id"]]
    for field in ("rev", "received", "sold"):
        del legacy[field]
    assert catalog.get_product(product["id"])["etag"] == '"r0.s10"'
    with pytest.raises(PreconditionFailed):
        _edit(product, '"r1.s10"', stock=4)
    edited = _edit(product, '"r0.s10"', stock=4)
    assert edited["etag"] == '"r1.s4"'
    assert "received" not in products.docs[product["id"]]  # unknown before: not invented now


# -- stock accounting ------------------------------------------------------------------------------


def test_stock_edits_move_received_by_the_difference(products):
    product = _create(stock=10)
    product = _edit(product, product["etag"], stock=25)
    assert products.docs[product["id"]]["received"] == 25
    product = _edit(product, product["etag"], stock=21, name="Fewer Pears")
    assert products.docs[product["id"]]["received"] == 21
    product = _edit(product, product["etag"], price=300)
    assert products.docs[product["id"]]["received"] == 21

    products.take_stock(product["id"], 5, bump_rev=True)  # a sale (the checkout keeps its own books)
    fresh = catalog.get_own_product(SELLER, product["id"])
    _edit(fresh, fresh["etag"], stock=20)
    doc = products.docs[product["id"]]
    assert (doc["stock"], doc["received"]) == (20, 25)  # 16 -> 20: four more arrived


# -- reads through the port ------------------------------------------------------------------------


def test_listing_pages_through_the_port(products):
    for i in range(7):
        _create(name=f"Pear {i}", price=100 + i)
    seen, cursor = [], None
    while True:
        page = catalog.list_products(sort="price", limit=3, cursor=cursor)
        seen += [p["price"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"{1 + i / 100:.2f}" for i in range(7)]
    assert [p["name"] for p in catalog.list_products(q="pear 3")["items"]] == ["Pear 3"]
    assert catalog.list_products(q="!!!") == {"items": [], "next_cursor": None, "did_you_mean": None}
    assert {c["slug"]: c["count"] for c in catalog.categories()}["fruit-veg"] == 7
