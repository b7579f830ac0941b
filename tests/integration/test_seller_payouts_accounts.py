"""Sellers' payout accounts (DESIGN.md section 11): the account a seller onboards, the `account.updated`
webhook that moves its status, the rule that only sellers who can be paid are listed and sold, and the
admin's commission override. Over HTTP against the local runner."""

from __future__ import annotations

import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.orders_support import checkout, checkout_doc, db, deliver, product, stock_of

ACCOUNT = "/api/seller/payouts/account"
ONBOARDING = "/api/seller/payouts/onboarding"


def _unpayable(api, name: str = "Greenfields Farm"):
    return api.signup(f"unpaid-{uuid.uuid4().hex[:10]}@example.com", full_name=name, is_seller=True, payouts=False)


def _give_account(seller, status: str = "pending") -> str:
    """A payout account stored for the seller as onboarding stores it (no provider involved)."""
    account_id = f"acct_test_{secrets.token_hex(8)}"
    db().sellers.update_one(
        {"_id": seller.user_id},
        {
            "$set": {"payouts": {"account_id": account_id, "status": status}},
            "$setOnInsert": {"name": "Test Seller", "email": seller.email, "commission_bps": None},
        },
        upsert=True,
    )
    return account_id


def account_event(account_id: str, active: bool, seller_id: str = "", event_id: str | None = None) -> dict:
    account = {
        "id": account_id,
        "object": "account",
        "charges_enabled": active,
        "payouts_enabled": active,
        "details_submitted": active,
        "metadata": {"seller_id": seller_id},
    }
    return {
        "id": event_id or f"evt_test_{secrets.token_hex(10)}",
        "object": "event",
        "type": "account.updated",
        "data": {"object": account},
    }


def _listed(api, seller, pid: str, name: str) -> dict[str, bool]:
    """Where a shopper can see the product: the listing (by seller), a search, the public read."""
    listing = api.get("/api/products", params={"seller_id": seller.user_id, "limit": 100}).json()["items"]
    found = api.get("/api/products", params={"q": name, "limit": 100}).json()["items"]
    return {
        "listing": any(p["id"] == pid for p in listing),
        "search": any(p["id"] == pid for p in found),
        "get": api.get(f"/api/products/{pid}").status_code == 200,
    }


# -- the seller's account ----------------------------------------------------------------------------


def test_a_new_seller_has_no_payout_account(api):
    seller = _unpayable(api)
    response = api.get(ACCOUNT, seller)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["account_id"]) == ("none", None)
    assert body["commission_bps"] == body["platform_commission_bps"] == 1000
    assert response.headers["Cache-Control"] == "no-store"


def test_onboarding_creates_one_account_even_when_asked_twice_or_in_parallel(api):
    """Needs the local provider's connected accounts (create_account, onboarding_link)."""
    seller = _unpayable(api)
    first = api.post(ONBOARDING, seller)
    assert first.status_code == 200, first.text
    assert first.json()["url"]
    account = api.get(ACCOUNT, seller).json()
    assert account["status"] == "pending" and account["account_id"]
    again = api.post(ONBOARDING, seller)
    assert again.status_code == 200
    assert api.get(ACCOUNT, seller).json()["account_id"] == account["account_id"]

    racer = _unpayable(api)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: api.post(ONBOARDING, racer), range(6)))
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    stored = db().sellers.find_one({"_id": racer.user_id})
    assert stored["payouts"]["status"] == "pending" and stored["payouts"]["account_id"]
    assert db().sellers.count_documents({"_id": racer.user_id}) == 1
    assert api.get(ACCOUNT, racer).json()["account_id"] == stored["payouts"]["account_id"]
    assert stored["payouts"]["account_id"] != account["account_id"]


def test_the_real_onboarding_flow_makes_the_seller_payable(api):
    """Needs the local provider's onboarding page and its account.updated webhook."""
    seller = _unpayable(api)
    item = product(api, seller, name=f"Onboarded Quince {uuid.uuid4().hex[:6]}")
    assert not any(_listed(api, seller, item["id"], item["name"]).values())
    account_id = api.make_payable(seller)
    assert api.get(ACCOUNT, seller).json()["status"] == "active"
    assert db().sellers.find_one({"_id": seller.user_id})["payouts"]["account_id"] == account_id
    assert all(_listed(api, seller, item["id"], item["name"]).values())


@pytest.mark.parametrize("who", ["shopper", "admin"])
@pytest.mark.parametrize("method, path", [("GET", ACCOUNT), ("POST", ONBOARDING)])
def test_only_sellers_reach_their_payout_routes(api, request, who, method, path):
    account = request.getfixturevalue(who)
    response = api.request(method, path, account)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "wrong_role"
    assert api.request(method, path).status_code == 401


# -- the webhook and the catalog ---------------------------------------------------------------------


def test_account_updated_moves_the_status_and_lists_or_unlists_the_sellers_products(api, runtime):
    seller = _unpayable(api)
    name = f"Medlar {uuid.uuid4().hex[:6]}"
    item = product(api, seller, name=name, category="fruit-veg")
    assert _listed(api, seller, item["id"], name) == {"listing": False, "search": False, "get": False}
    assert api.get(f"/api/seller/products/{item['id']}", seller).status_code == 200  # the seller's edit read
    account_id = _give_account(seller)

    status, body = deliver(runtime, account_event(account_id, active=True, seller_id=seller.user_id))
    assert (status, body.get("outcome")) == (200, "account_active"), body
    assert api.get(ACCOUNT, seller).json()["status"] == "active"
    assert _listed(api, seller, item["id"], name) == {"listing": True, "search": True, "get": True}
    later = product(api, seller, name=f"{name} Jelly")  # created while payable: listed at once
    assert _listed(api, seller, later["id"], later["name"])["get"]

    status, body = deliver(runtime, account_event(account_id, active=False, seller_id=seller.user_id))
    assert (status, body.get("outcome")) == (200, "account_pending"), body
    assert api.get(ACCOUNT, seller).json()["status"] == "pending"
    assert _listed(api, seller, item["id"], name) == {"listing": False, "search": False, "get": False}
    assert not _listed(api, seller, later["id"], later["name"])["get"]
    assert api.get(f"/api/seller/products/{item['id']}", seller).status_code == 200


def test_category_counts_and_suggestions_leave_out_unpayable_sellers(api, runtime):
    seller = _unpayable(api)
    word = "zq" + uuid.uuid4().hex[:8]
    product(api, seller, name=f"Ugli {word}", category="household")

    def counted() -> int:
        return next(c["count"] for c in api.get("/api/categories").json()["items"] if c["slug"] == "household")

    def suggested() -> bool:
        items = api.get("/api/products/suggest", params={"q": f"ugli {word}"}).json()["items"]
        return any(word in (i["label"] or "").lower() for i in items)

    before = counted()
    assert not suggested()
    status, _ = deliver(runtime, account_event(_give_account(seller), active=True))
    assert status == 200
    assert counted() == before + 1
    assert suggested()


def test_an_unknown_account_is_ignored_and_a_duplicate_event_is_harmless(api, runtime):
    event = account_event(f"acct_nobody_{secrets.token_hex(6)}", active=True)
    status, body = deliver(runtime, event)
    assert (status, body.get("outcome")) == (200, "unknown_account"), body
    status, body = deliver(runtime, event)
    assert (status, body.get("duplicate")) == (200, True), body

    seller = _unpayable(api)
    account_id = _give_account(seller)
    event = account_event(account_id, active=True, event_id=f"evt_test_dup_{secrets.token_hex(6)}")
    assert deliver(runtime, event)[1].get("outcome") == "account_active"
    db().sellers.update_one({"_id": seller.user_id}, {"$set": {"payouts.status": "pending"}})
    assert deliver(runtime, event)[1].get("duplicate") is True  # recorded once: not applied again
    assert api.get(ACCOUNT, seller).json()["status"] == "pending"


# -- checkout ------------------------------------------------------------------------------------------


def test_a_basket_with_an_unpayable_seller_is_refused_and_holds_nothing(api, seller, shopper):
    farm = _unpayable(api, name="Greenfields Farm")
    theirs = product(api, farm, stock=5)
    ours = product(api, seller, stock=5)
    response = checkout(api, shopper, (theirs, 2), (ours, 1))
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "seller_not_payable"
    assert error["details"] == [{"seller_id": farm.user_id, "seller_name": "Greenfields Farm"}]
    assert "Greenfields Farm can't take orders yet" in error["message"]
    assert (stock_of(theirs["id"]), stock_of(ours["id"])) == (5, 5)
    assert db().products.find_one({"_id": theirs["id"]}).get("reservations") in (None, {})

    placed = checkout(api, shopper, (ours, 1))  # without their products the basket goes through
    assert placed.status_code == 201, placed.text


def test_the_checkout_keeps_each_sellers_payout_terms(api, seller, shopper, admin):
    assert api.patch(f"/api/admin/sellers/{seller.user_id}", admin, json={"commission_bps": 750}).status_code == 200
    item = product(api, seller, stock=3)
    response = checkout(api, shopper, (item, 1))
    assert response.status_code == 201, response.text
    (order,) = checkout_doc(response.json()["checkout_id"])["orders"].values()
    account_id = db().sellers.find_one({"_id": seller.user_id})["payouts"]["account_id"]
    assert (order["payee_account"], order["commission_bps"]) == (account_id, 750)


# -- the admin's commission ------------------------------------------------------------------------------


def test_an_admin_sets_and_clears_a_sellers_commission(api, admin):
    seller = _unpayable(api, name="Dairy Barn")
    path = f"/api/admin/sellers/{seller.user_id}"
    response = api.patch(path, admin, json={"commission_bps": 500})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["name"], body["commission_bps"], body["effective_commission_bps"]) == (
        seller.user_id,
        "Dairy Barn",
        500,
        500,
    )
    assert body["payout_status"] == "none"
    assert api.get(ACCOUNT, seller).json()["commission_bps"] == 500
    for edge in (0, 5000):
        assert api.patch(path, admin, json={"commission_bps": edge}).json()["effective_commission_bps"] == edge
    cleared = api.patch(path, admin, json={"commission_bps": None}).json()
    assert (cleared["commission_bps"], cleared["effective_commission_bps"]) == (None, 1000)
    assert api.get(ACCOUNT, seller).json()["commission_bps"] == 1000


@pytest.mark.parametrize("value", [-1, 5001, 12.5, "100", True, [100]])
def test_a_commission_out_of_range_or_not_an_integer_is_422(api, admin, seller, value):
    response = api.patch(f"/api/admin/sellers/{seller.user_id}", admin, json={"commission_bps": value})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert db().sellers.find_one({"_id": seller.user_id}).get("commission_bps") is None


@pytest.mark.parametrize(
    "body, status",
    [
        ("{", 400),
        ("[]", 422),
        ("{}", 422),
        ('{"commission_bps": 100, "is_admin": true}', 422),
        ('{"commission": 100}', 422),
    ],
)
def test_malformed_commission_bodies_are_refused(api, admin, seller, body, status):
    response = api.patch(
        f"/api/admin/sellers/{seller.user_id}", admin, data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text


def test_only_admins_set_commissions_and_only_for_sellers(api, admin, seller, shopper):
    body = {"commission_bps": 100}
    assert api.patch(f"/api/admin/sellers/{seller.user_id}", seller, json=body).status_code == 403
    assert api.patch(f"/api/admin/sellers/{seller.user_id}", shopper, json=body).status_code == 403
    assert api.patch(f"/api/admin/sellers/{seller.user_id}", json=body).status_code == 401
    assert api.patch("/api/admin/sellers/" + "0" * 24, admin, json=body).status_code == 404
    assert api.patch(f"/api/admin/sellers/{shopper.user_id}", admin, json=body).status_code == 404
    assert api.patch(f"/api/admin/sellers/{admin.user_id}", admin, json=body).status_code == 404


# -- older products ----------------------------------------------------------------------------------------


def test_apply_indexes_fills_in_seller_payable_from_the_sellers(api, seller):
    from smartgrocer.indexes import backfill_seller_payable

    unpaid = _unpayable(api)
    ours, theirs = product(api, seller), product(api, unpaid)
    orphan = product(api, seller)
    db().products.update_one({"_id": orphan["id"]}, {"$set": {"seller_id": "0" * 24}})  # no sellers document
    for pid in (ours["id"], theirs["id"], orphan["id"]):
        db().products.update_one({"_id": pid}, {"$unset": {"seller_payable": ""}})
    assert backfill_seller_payable(db()) >= 3
    flags = {
        pid: db().products.find_one({"_id": pid})["seller_payable"] for pid in (ours["id"], theirs["id"], orphan["id"])
    }
    assert flags == {ours["id"]: True, theirs["id"]: False, orphan["id"]: False}
    assert api.get(f"/api/products/{ours['id']}").status_code == 200
    assert api.get(f"/api/products/{theirs['id']}").status_code == 404
