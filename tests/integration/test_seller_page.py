"""A seller's public page (`GET /api/sellers/{id}`) and the "about" text they write for it
(`GET`/`PUT /api/seller/profile`), over HTTP against the local runner."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.helpers import assert_error

PROFILE = "/api/seller/profile"


def _page(seller_id: str) -> str:
    return f"/api/sellers/{seller_id}"


def _about(api, account, text, **kw):
    return api.put(PROFILE, account, json={"about": text}, **kw)


def test_public_page_shows_name_about_and_terms_and_is_cacheable(api, seller):
    response = api.get(_page(seller.user_id))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": seller.user_id,
        "name": "Test User",
        "about": "",
        "timezone": None,
        "delivery": None,
        "pickup": None,
    }
    assert "s-maxage=30" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]

    saved = _about(api, seller, "  Organic veg from the valley.\r\nPicked the morning we pack.  ")
    assert saved.status_code == 200, saved.text
    assert saved.json()["about"] == "Organic veg from the valley.\nPicked the morning we pack."
    assert saved.json()["listed"] is True
    settings = {
        "timezone": "Europe/London",
        "delivery": {
            "enabled": True,
            "fee": "3.99",
            "free_over": "40.00",
            "min_order": "10.00",
            "cutoff_hours": 6,
            "slots": [{"weekday": 0, "start": "09:00", "end": "12:00", "capacity": 20}],
        },
        "pickup": {
            "enabled": True,
            "address": "Unit 4, Mill Lane",
            "cutoff_hours": 2,
            "slots": [{"weekday": 5, "start": "10:00", "end": "13:00", "capacity": 40}],
        },
    }
    saved_settings = api.put("/api/seller/fulfilment", seller, json=settings)
    assert saved_settings.status_code == 200, saved_settings.text
    page = api.get(_page(seller.user_id)).json()
    assert page["about"] == "Organic veg from the valley.\nPicked the morning we pack."
    assert page["timezone"] == "Europe/London"
    assert page["delivery"] == {"fee": "3.99", "free_over": "40.00", "min_order": "10.00", "cutoff_hours": 6}
    assert page["pickup"] == {"address": "Unit 4, Mill Lane", "cutoff_hours": 2}
    assert "email" not in page and "payouts" not in page and "commission_bps" not in page


def test_public_page_is_404_for_unknown_ids_shoppers_and_sellers_who_cannot_sell(api, shopper, unique_email):
    unpaid = api.signup(unique_email("unpaid"), is_seller=True, payouts=False)
    assert _about(api, unpaid, "Coming soon").status_code == 200  # they may write it before they can sell
    assert api.get(PROFILE, unpaid).json()["listed"] is False
    missing = assert_error(api.get(_page(uuid.uuid4().hex[:24])), 404, "no_such_seller")
    for target in (unpaid, shopper):
        response = api.get(_page(target.user_id))
        assert assert_error(response, 404, "no_such_seller") == missing
        assert "Coming soon" not in response.text
        assert "s-maxage" not in response.headers.get("Cache-Control", "")  # a 404 is never kept by the CDN
    api.make_payable(unpaid)  # once their payouts are active the page appears
    assert api.get(_page(unpaid.user_id)).json()["about"] == "Coming soon"
    assert_error(api.get(_page("x" * 65)), 422)


def test_about_is_the_sellers_own_and_sellers_only(api, seller, other_seller, shopper, admin):
    assert_error(api.get(PROFILE), 401)
    assert_error(_about(api, None, "hi"), 401)
    for account in (shopper, admin):
        assert_error(api.get(PROFILE, account), 403, "wrong_role")
        assert_error(_about(api, account, "hi"), 403, "wrong_role")
    assert _about(api, seller, "Mine").status_code == 200
    # there is no id to aim at someone else's page: naming one is refused, and theirs is untouched
    for extra in ({"id": seller.user_id}, {"seller_id": seller.user_id}, {"name": "Renamed"}):
        assert_error(api.put(PROFILE, other_seller, json={"about": "Hijacked", **extra}), 422)
    assert _about(api, other_seller, "Theirs").status_code == 200
    assert api.get(PROFILE, seller).json()["about"] == "Mine"
    assert api.get(_page(seller.user_id)).json()["about"] == "Mine"
    assert api.get(_page(other_seller.user_id)).json()["about"] == "Theirs"


def test_about_limits_and_malformed_bodies_change_nothing(api, seller):
    assert _about(api, seller, "Before").status_code == 200
    exactly = "é" * 500  # characters, not bytes
    assert _about(api, seller, exactly).json()["about"] == exactly
    assert _about(api, seller, "Before").status_code == 200
    error = assert_error(_about(api, seller, "x" * 501), 422)
    assert "500" in error["message"] or "500" in str(error["details"])
    for body in ({}, {"about": None}, {"about": 5}, {"about": ["a"]}, {"about": "ok", "extra": 1}):
        assert_error(api.put(PROFILE, seller, json=body), 422)
    assert_error(api.put(PROFILE, seller, data="{not json", headers={"Content-Type": "application/json"}), 400)
    assert_error(_about(api, seller, "bell\x07"), 422)
    oversized = api.put(PROFILE, seller, json={"about": "x" * 70_000})
    assert oversized.status_code in (413, 422), oversized.text
    assert api.get(PROFILE, seller).json()["about"] == "Before"
    cleared = _about(api, seller, "   ")
    assert cleared.status_code == 200 and cleared.json()["about"] == ""


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_profile_has_no_other_methods(api, seller, method):
    assert api.request(method, PROFILE, seller, json={"about": "x"}).status_code in (404, 405)
