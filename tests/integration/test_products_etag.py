"""Product edits are guarded by ETag / If-Match over HTTP: a seller's out-of-date form (a sale moved the
stock, another tab saved) is refused with 412 and changes nothing; stock edits keep `received` true."""

from __future__ import annotations

import pytest

from tests.integration.helpers import assert_error
from tests.integration.orders_support import place, product_doc


def _path(product: dict) -> str:
    return f"/api/products/{product['id']}"


def _fresh(api, account, product: dict) -> dict:
    response = api.get(f"/api/seller/products/{product['id']}", account)
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == response.json()["etag"]
    return response.json()


def _stored(product: dict) -> dict:
    doc = product_doc(product["id"])
    return {k: doc.get(k) for k in ("stock", "received", "sold", "rev", "description", "name", "price_cents")}


def _balance(product: dict) -> tuple[int, int]:
    """(stock + reserved + sold, received): the stock accounting invariant, both sides."""
    doc = product_doc(product["id"])
    reserved = sum((doc.get("reservations") or {}).values())
    return doc["stock"] + reserved + doc.get("sold", 0), doc["received"]


# -- reading ---------------------------------------------------------------------------------------


def test_every_product_answer_carries_its_etag(api, seller):
    created = api.post(
        "/api/products", seller, json={"name": "Etag Figs", "price": "2.00", "category": "fruit-veg", "stock": 10}
    )
    assert created.status_code == 201
    product = created.json()
    assert created.headers["ETag"] == product["etag"] and product["etag"].startswith('"')
    public = api.get(_path(product))
    assert public.headers["ETag"] == product["etag"] and public.json() == product
    listed = api.get("/api/products", params={"seller_id": seller.user_id}).json()["items"]
    assert [p["etag"] for p in listed] == [product["etag"]]
    assert _fresh(api, seller, product) == product


def test_the_edit_form_read_is_never_cacheable(api, seller, admin):
    product = api.create_product(seller)
    assert "s-maxage" in api.get(_path(product)).headers["Cache-Control"]  # the public read: CDN-cacheable
    fresh = api.get(f"/api/seller/products/{product['id']}", seller)
    assert fresh.headers["Cache-Control"] == "no-store"
    assert _fresh(api, admin, product)["id"] == product["id"]


def test_another_sellers_product_reads_as_missing(api, seller, other_seller):
    product = api.create_product(seller)
    foreign = api.get(f"/api/seller/products/{product['id']}", other_seller)
    missing = api.get(f"/api/seller/products/{'f' * 24}", other_seller)
    assert assert_error(foreign, 404, "not_found") == assert_error(missing, 404, "not_found")


# -- the precondition ------------------------------------------------------------------------------


def test_without_if_match_is_428_and_changes_nothing(api, seller):
    product = api.create_product(seller, stock=10)
    before = _stored(product)
    for headers in ({}, {"If-Match": ""}, {"If-Match": "*"}):
        error = assert_error(
            api.put(_path(product), seller, json={"stock": 3}, headers=headers), 428, "precondition_required"
        )
        assert "If-Match" in error["message"]
    assert _stored(product) == before


def test_stale_if_match_is_412_with_the_current_product_and_changes_nothing(api, seller):
    product = api.create_product(seller, stock=10, description="Old words")
    stale = product["etag"]
    moved = api.put(_path(product), seller, json={"stock": 12}, headers={"If-Match": stale})
    assert moved.status_code == 200 and moved.headers["ETag"] != stale
    before = _stored(product)

    response = api.put(
        _path(product), seller, json={"stock": 10, "description": "New words"}, headers={"If-Match": stale}
    )
    error = assert_error(response, 412, "stale_product")
    assert "reload" in error["message"].lower()
    assert error["details"]["current"] == moved.json() == api.get(_path(product)).json()
    assert _stored(product) == before  # stock still 12, description unchanged


def test_a_reservation_between_read_and_save_makes_the_form_stale(api, seller, shopper):
    """The reported defect: stock 10, a shopper reserves 3, the seller saves a description fix from the
    form they had open (which still says 10). Before, the stock went back to 10 and 13 could be sold."""
    product = api.create_product(seller, stock=10, description="Crisp")
    form = _fresh(api, seller, product)
    place(api, shopper, (product, 3))
    assert product_doc(product["id"])["stock"] == 7

    response = api.put(
        _path(product),
        seller,
        json={"description": "Crisp and sweet", "stock": form["stock"]},
        headers={"If-Match": form["etag"]},
    )
    current = assert_error(response, 412, "stale_product")["details"]["current"]
    assert current["stock"] == 7 and current["description"] == "Crisp"
    assert product_doc(product["id"])["stock"] == 7

    # The seller reloads (takes the current values) and saves the description alone: accepted.
    saved = api.put(
        _path(product), seller, json={"description": "Crisp and sweet"}, headers={"If-Match": current["etag"]}
    )
    assert saved.status_code == 200, saved.text
    assert (saved.json()["stock"], saved.json()["description"]) == (7, "Crisp and sweet")
    assert _balance(product) == (10, 10)


def test_wrong_seller_is_404_even_with_the_right_etag(api, seller, other_seller):
    product = api.create_product(seller, stock=10)
    before = _stored(product)
    assert_error(
        api.put(_path(product), other_seller, json={"stock": 99}, headers={"If-Match": product["etag"]}),
        404,
        "not_found",
    )
    assert_error(api.put(_path(product), other_seller, json={"stock": 99}), 404, "not_found")
    assert _stored(product) == before


@pytest.mark.parametrize("header", ["r1.s10", '"r1.s10', "W/", '"a" "b"', '"a";"b"', "'r1.s10'", '"x"' * 400])
def test_malformed_if_match_is_400_and_changes_nothing(api, seller, header):
    """Not `*` nor a list of quoted entity tags: 400, saying what to send. (A well-formed tag that is
    simply not the current one is a 412, as HTTP says.)"""
    product = api.create_product(seller, stock=10)
    before = _stored(product)
    error = assert_error(
        api.put(_path(product), seller, json={"stock": 1}, headers={"If-Match": header}), 400, "invalid_if_match"
    )
    assert "ETag" in error["message"]
    assert _stored(product) == before


def test_well_formed_unknown_tag_is_412(api, seller):
    product = api.create_product(seller)
    assert_error(
        api.put(_path(product), seller, json={"stock": 1}, headers={"If-Match": '"nope"'}), 412, "stale_product"
    )


def test_weak_form_and_lists_name_the_same_version(api, seller):
    product = api.create_product(seller, stock=10)
    weak = api.put(_path(product), seller, json={"stock": 11}, headers={"If-Match": f"W/{product['etag']}"})
    assert weak.status_code == 200, weak.text  # what CloudFront hands out after compressing the cached read
    listed = api.put(_path(product), seller, json={"stock": 12}, headers={"If-Match": f'"old", {weak.json()["etag"]}'})
    assert listed.status_code == 200, listed.text


def test_an_edit_that_changes_nothing_keeps_the_etag(api, seller):
    product = api.create_product(seller, name="Same Name", stock=10)
    for body in ({}, {"name": "Same Name", "stock": 10}):
        response = api.put(_path(product), seller, json=body, headers={"If-Match": product["etag"]})
        assert response.status_code == 200 and response.json() == product
    assert product_doc(product["id"])["rev"] == 1


def test_a_product_stored_before_revisions_is_at_revision_0(api, seller):
    from smartgrocer.adapters.mongo import db

    product = api.create_product(seller, stock=10)
    db().products.update_one({"_id": product["id"]}, {"$unset": {"rev": "", "received": "", "sold": ""}})
    form = _fresh(api, seller, product)
    assert form["etag"] == '"r0.s10"'
    assert_error(api.put(_path(product), seller, json={"stock": 4}, headers={"If-Match": '"r1.s10"'}), 412)
    saved = api.put(_path(product), seller, json={"stock": 4}, headers={"If-Match": form["etag"]})
    assert saved.status_code == 200 and saved.json()["etag"] == '"r1.s4"'
    doc = product_doc(product["id"])
    assert doc["rev"] == 1 and "received" not in doc  # no made-up accounting for old data


# -- stock accounting ------------------------------------------------------------------------------


def test_received_follows_creation_and_stock_edits(api, seller, shopper):
    product = api.create_product(seller, stock=10)
    stored = _stored(product)
    assert (stored["stock"], stored["received"], stored["sold"], stored["rev"]) == (10, 10, 0, 1)

    raised = api.put(_path(product), seller, json={"stock": 25}, headers={"If-Match": product["etag"]}).json()
    assert (_stored(product)["received"], _stored(product)["rev"]) == (25, 2)  # 15 more goods arrived
    lowered = api.put(_path(product), seller, json={"stock": 21}, headers={"If-Match": raised["etag"]}).json()
    assert _stored(product)["received"] == 21  # 4 written off
    renamed = api.put(_path(product), seller, json={"name": "Renamed"}, headers={"If-Match": lowered["etag"]})
    assert renamed.status_code == 200 and _stored(product)["received"] == 21  # no stock change, no new goods

    place(api, shopper, (product, 5))  # 5 reserved: stock 16
    assert _balance(product) == (21, 21)
    form = _fresh(api, seller, product)
    edited = api.put(_path(product), seller, json={"stock": 20}, headers={"If-Match": form["etag"]})
    assert edited.status_code == 200, edited.text
    assert _balance(product) == (25, 25)  # stock 20 + 5 reserved == 21 received + 4 added
