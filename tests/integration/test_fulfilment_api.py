"""Sellers' delivery and pickup windows (DESIGN.md section 12), everything but checkout: the settings a
seller saves, the windows a shopper is offered with the places left, the capacity of a window taken like
stock (against the real local MongoDB), orders listed by window and the packing list. Over HTTP against
the local runner, except the capacity adapter and frozen-clock reads, which run in-process on the same
database.

Orders for a window are made by a real checkout (the seller has no settings, so no window is chosen) and
then given the window the projection will carry (`fulfilment: {method, slot_id, start, end, local_date,
label, address}`), written whole into the `orders` document."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.integration.orders_support import db, pack, place_confirmed, product, weighed_product

SETTINGS = "/api/seller/fulfilment"
PACKING = "/api/seller/packing-list"

FARM_SETTINGS = {
    "timezone": "Europe/London",
    "delivery": {
        "enabled": True,
        "fee": "3.99",
        "free_over": "50.00",
        "min_order": "15.00",
        "cutoff_hours": 12,
        "slots": [
            {"weekday": 0, "start": "09:00", "end": "12:00", "capacity": 20},
            {"weekday": 0, "start": "12:00", "end": "15:00", "capacity": 10},  # back to back is fine
        ],
    },
    "pickup": {
        "enabled": True,
        "address": "Unit 4, Mill Lane",
        "cutoff_hours": 2,
        "slots": [{"weekday": 5, "start": "10:00", "end": "13:00", "capacity": 40}],
    },
}


def _slots_path(seller_id: str) -> str:
    return f"/api/sellers/{seller_id}/slots"


def _configure(api, seller, settings: dict) -> dict:
    response = api.put(SETTINGS, seller, json=settings)
    assert response.status_code == 200, response.text
    return response.json()


def _zone_at_ten() -> tuple[str, datetime]:
    """A fixed-offset zone (Etc/GMT-N is UTC+N) where it is now 10:xx, and that local moment: windows
    later today can then be placed a few hours ahead whatever the hour the tests run."""
    now = datetime.now(UTC)
    offset = (10 - now.hour) % 24
    if offset > 14:
        offset -= 24
    name = "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    return name, now + timedelta(hours=offset)


def _daily(start: str, end: str, capacity: int, weekdays=range(7)) -> list[dict]:
    return [{"weekday": d, "start": start, "end": end, "capacity": capacity} for d in weekdays]


def _windows():
    from smartgrocer.adapters.mongo_windows import MongoWindows

    return MongoWindows(db)


# -- settings ------------------------------------------------------------------------------------------


def test_a_seller_without_settings_reads_the_empty_default(api, seller):
    response = api.get(SETTINGS, seller)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["configured"] is False
    assert body["timezone"] == "UTC"
    assert body["delivery"] == {
        "enabled": False,
        "fee": "0.00",
        "free_over": None,
        "min_order": "0.00",
        "cutoff_hours": 0,
        "slots": [],
    }
    assert body["pickup"] == {"enabled": False, "address": None, "cutoff_hours": 0, "slots": []}
    assert response.headers["Cache-Control"] == "no-store"
    assert (db().sellers.find_one({"_id": seller.user_id}) or {}).get("fulfilment") is None


def test_settings_round_trip_and_are_stored_in_cents(api, seller):
    saved = _configure(api, seller, FARM_SETTINGS)
    assert saved["configured"] is True
    assert saved["timezone"] == "Europe/London"
    assert saved["delivery"] == FARM_SETTINGS["delivery"]
    assert saved["pickup"] == FARM_SETTINGS["pickup"]
    assert api.get(SETTINGS, seller).json() == saved

    stored = db().sellers.find_one({"_id": seller.user_id})["fulfilment"]
    assert (stored["delivery"]["fee_cents"], stored["delivery"]["free_over_cents"]) == (399, 5000)
    assert stored["delivery"]["min_order_cents"] == 1500
    assert stored["delivery"]["enabled"] is True and stored["pickup"]["enabled"] is True  # booleans, not 1

    # a method turned off with `{"enabled": false}`; numbers for amounts; free_over null: never free
    replaced = _configure(
        api,
        seller,
        {
            "timezone": "America/New_York",
            "delivery": {"enabled": True, "fee": 2.5, "free_over": None, "slots": _daily("16:00", "19:00", 5, [2])},
            "pickup": {"enabled": False},
        },
    )
    assert replaced["delivery"]["fee"] == "2.50" and replaced["delivery"]["free_over"] is None
    assert replaced["pickup"] == {"enabled": False, "address": None, "cutoff_hours": 0, "slots": []}


def test_every_problem_is_reported_in_words_and_nothing_is_stored(api, seller):
    before = _configure(api, seller, FARM_SETTINGS)
    broken = {
        "timezone": "Mars/Olympus_Mons",
        "delivery": {
            "enabled": True,
            "fee": "1.00",
            "slots": [
                {"weekday": 0, "start": "09:00", "end": "12:00", "capacity": 20},
                {"weekday": 0, "start": "11:00", "end": "13:00", "capacity": 20},  # overlaps the first
                {"weekday": 2, "start": "15:00", "end": "14:00", "capacity": 5},  # ends before it starts
            ],
        },
        "pickup": {"enabled": True, "slots": []},  # no address, no window
    }
    response = api.put(SETTINGS, seller, json=broken)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_fulfilment"
    problems = {p["field"]: p["message"] for p in error["details"]}
    assert set(problems) == {
        "timezone",
        "delivery.slots.1.start",
        "delivery.slots.2.end",
        "pickup.address",
        "pickup.slots",
    }
    assert "Europe/London" in problems["timezone"]  # says what a good value looks like
    assert "overlaps the Monday window 09:00-12:00 (number 1 in the list)" in problems["delivery.slots.1.start"]
    assert "after the start (15:00)" in problems["delivery.slots.2.end"]
    assert "where to collect" in problems["pickup.address"]
    assert "5 problems" in error["message"] and "pickup.address is needed" in error["message"]
    assert api.get(SETTINGS, seller).json() == before

    nothing_on = {"timezone": "UTC", "delivery": {"enabled": False}, "pickup": {"enabled": False}}
    error = api.put(SETTINGS, seller, json=nothing_on).json()["error"]
    assert error["code"] == "invalid_fulfilment"
    assert error["details"] == [
        {
            "field": "delivery.enabled",
            "message": "turn on delivery, pickup or both: shoppers need a way to get their orders",
        }
    ]
    assert api.get(SETTINGS, seller).json() == before


@pytest.mark.parametrize(
    "change",
    [
        {"seller_id": "someone-else"},  # unknown field at the top
        {"delivery": {**FARM_SETTINGS["delivery"], "fee_cents": 1}},  # unknown field in a method
        {"delivery": {**FARM_SETTINGS["delivery"], "slots": _daily("09:00", "10:00", 1) * 8}},  # 56 > 50 slots
        {"delivery": {**FARM_SETTINGS["delivery"], "fee": "1000.01"}},
        {"delivery": {**FARM_SETTINGS["delivery"], "fee": "1.999"}},
        {"delivery": {**FARM_SETTINGS["delivery"], "cutoff_hours": 73}},
        {"delivery": {**FARM_SETTINGS["delivery"], "enabled": "yes"}},
        {
            "pickup": {
                **FARM_SETTINGS["pickup"],
                "slots": [{"weekday": "5", "start": "10:00", "end": "13:00", "capacity": 4}],
            }
        },
        {
            "pickup": {
                **FARM_SETTINGS["pickup"],
                "slots": [{"weekday": 5, "start": "9:00", "end": "13:00", "capacity": 4}],
            }
        },
        {
            "pickup": {
                **FARM_SETTINGS["pickup"],
                "slots": [{"weekday": 5, "start": "10:00", "end": "13:00", "capacity": 0}],
            }
        },
        {"pickup": {**FARM_SETTINGS["pickup"], "address": "x" * 301}},
        {"timezone": ""},
    ],
    ids=[
        "unknown-top",
        "unknown-nested",
        "too-many-slots",
        "fee-too-high",
        "three-places",
        "cutoff-too-long",
        "enabled-not-bool",
        "weekday-string",
        "time-format",
        "capacity-zero",
        "address-too-long",
        "empty-timezone",
    ],
)
def test_the_request_model_refuses_malformed_fields(api, seller, change):
    response = api.put(SETTINGS, seller, json={**FARM_SETTINGS, **change})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert api.get(SETTINGS, seller).json()["configured"] is False


def test_malformed_or_missing_bodies_are_refused(api, seller):
    broken = api.put(SETTINGS, seller, data='{"timezone": "UTC",', headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "malformed_json"
    missing = api.put(SETTINGS, seller, json={"timezone": "UTC"})
    assert missing.status_code == 422
    assert api.get(SETTINGS, seller).json()["configured"] is False


@pytest.mark.parametrize("who", ["shopper", "admin"])
@pytest.mark.parametrize(
    "method, path", [("GET", SETTINGS), ("PUT", SETTINGS), ("GET", f"{PACKING}?slot_id=delivery-2026-03-02-09:00")]
)
def test_only_sellers_reach_their_fulfilment_routes(api, request, who, method, path):
    account = request.getfixturevalue(who)
    response = api.request(method, path, account, json=FARM_SETTINGS if method == "PUT" else None)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "wrong_role"
    assert api.request(method, path).status_code == 401


# -- slots ---------------------------------------------------------------------------------------------


def test_slots_show_the_places_left_and_they_drop_when_one_is_taken(api, seller):
    zone, local = _zone_at_ten()
    settings = {
        "timezone": zone,
        "delivery": {
            "enabled": True,
            "fee": "4.00",
            "free_over": "40.00",
            "min_order": "15.00",
            "cutoff_hours": 1,
            "slots": _daily("14:00", "16:00", 3),
        },
        "pickup": {
            "enabled": True,
            "address": "The farm shop",
            "cutoff_hours": 0,
            "slots": _daily("17:00", "18:00", 9),
        },
    }
    _configure(api, seller, settings)
    response = api.get(_slots_path(seller.user_id), params={"days": 6})
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=15"
    body = response.json()
    assert (body["seller_id"], body["timezone"]) == (seller.user_id, zone)
    assert body["delivery"] == {"fee": "4.00", "free_over": "40.00", "min_order": "15.00", "cutoff_hours": 1}
    assert body["pickup"] == {"address": "The farm shop", "cutoff_hours": 0}
    today = local.date()
    expected = []
    for offset in range(6):  # the 7th day's windows end more than 6 x 24 h from now
        day = (today + timedelta(days=offset)).isoformat()
        expected += [f"delivery-{day}-14:00", f"pickup-{day}-17:00"]
    items = body["items"]
    assert [w["slot_id"] for w in items] == expected
    assert all(w["remaining"] == (3 if w["method"] == "delivery" else 9) for w in items)
    first = items[0]
    assert first["local_date"] == today.isoformat() and (first["local_start"], first["local_end"]) == ("14:00", "16:00")
    assert first["label"].endswith(", 14:00-16:00")
    assert datetime.fromisoformat(first["cutoff_at"]) == datetime.fromisoformat(first["start"]) - timedelta(hours=1)
    assert [w["start"] for w in items] == sorted(w["start"] for w in items)

    from smartgrocer.domain.fulfilment import capacity_key

    key = capacity_key(seller.user_id, first["slot_id"])
    window = {
        "seller_id": seller.user_id,
        "slot_id": first["slot_id"],
        "start": datetime.fromisoformat(first["start"]),
        "end": datetime.fromisoformat(first["end"]),
    }
    assert _windows().reserve(key, window, 3, "checkout-a")
    assert _windows().reserve(key, window, 3, "checkout-b")
    remaining = {w["slot_id"]: w["remaining"] for w in api.get(_slots_path(seller.user_id)).json()["items"]}
    assert remaining[first["slot_id"]] == 1 and remaining[expected[2]] == 3
    assert _windows().reserve(key, window, 3, "checkout-c")
    assert not _windows().reserve(key, window, 3, "checkout-d")  # full
    full = api.get(_slots_path(seller.user_id)).json()["items"][0]
    assert (full["slot_id"], full["remaining"]) == (first["slot_id"], 0)  # still listed, as full

    # the seller lowers the capacity below what is taken: 0 left, never negative
    _configure(api, seller, {**settings, "delivery": {**settings["delivery"], "slots": _daily("14:00", "16:00", 1)}})
    assert api.get(_slots_path(seller.user_id)).json()["items"][0]["remaining"] == 0

    one_day = api.get(_slots_path(seller.user_id), params={"days": 1}).json()["items"]
    assert [w["slot_id"] for w in one_day] == expected[:2]


def test_a_window_past_its_cutoff_is_not_offered(api, seller):
    zone, local = _zone_at_ten()
    weekday = [local.weekday()]
    _configure(
        api,
        seller,
        {
            "timezone": zone,
            # today 14:00: closed 5 hours before (09:00 local, passed), open 2 hours before (12:00, to come)
            "delivery": {"enabled": True, "cutoff_hours": 5, "slots": _daily("14:00", "16:00", 5, weekday)},
            "pickup": {
                "enabled": True,
                "address": "Shop",
                "cutoff_hours": 2,
                "slots": _daily("14:00", "16:00", 5, weekday),
            },
        },
    )
    items = api.get(_slots_path(seller.user_id)).json()["items"]
    assert [w["slot_id"] for w in items] == [f"pickup-{local.date().isoformat()}-14:00"]


@pytest.mark.parametrize("days", ["0", "7", "-1", "x", "1.5"])
def test_days_out_of_range_are_refused(api, seller, days):
    _configure(api, seller, FARM_SETTINGS)
    response = api.get(_slots_path(seller.user_id), params={"days": days})
    assert response.status_code == 422, response.text


def test_slots_are_404_for_unknown_unpayable_or_unconfigured_sellers(api, seller, shopper):
    unpayable = api.signup(f"unpaid-{uuid.uuid4().hex[:10]}@example.com", is_seller=True, payouts=False)
    _configure(api, unpayable, FARM_SETTINGS)  # may prepare settings before payouts are on
    answers = [
        api.get(_slots_path(who))
        for who in (uuid.uuid4().hex[:24], unpayable.user_id, seller.user_id, shopper.user_id, "a:b", "x" * 64)
    ]
    for response in answers:
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "no_such_seller"
    assert len({json.dumps(r.json(), sort_keys=True) for r in answers}) == 1  # they all look alike
    assert api.get(_slots_path("x" * 65)).status_code == 422


def test_windows_across_a_week_boundary_and_a_clock_change(api, seller):
    """Frozen clock: the domain function behind the route, on the same database (the route takes no `at`)."""
    from smartgrocer.domain import seller_fulfilment

    _configure(
        api,
        seller,
        {
            "timezone": "Europe/London",
            "delivery": {
                "enabled": True,
                "cutoff_hours": 24,
                "slots": _daily("09:00", "12:00", 4, [6]) + _daily("09:00", "12:00", 4, [0]),  # Sunday, Monday
            },
            "pickup": {"enabled": False},
        },
    )
    # Saturday 21 March 2026, 08:30 GMT: Sunday's window closes 24 h before it, at 09:00 today; Monday follows
    at = datetime(2026, 3, 21, 8, 30, tzinfo=UTC)
    items = seller_fulfilment.seller_slots(seller.user_id, 3, at)["items"]
    assert [w["slot_id"] for w in items] == ["delivery-2026-03-22-09:00", "delivery-2026-03-23-09:00"]
    assert items[0]["start"] == datetime(2026, 3, 22, 9, tzinfo=UTC)  # GMT
    # a week later the clocks go forward on Sunday 29 March: 09:00 BST is 08:00 UTC, and the cut-off
    # 24 real hours before is Saturday 08:00 GMT
    at = datetime(2026, 3, 28, 7, 59, tzinfo=UTC)
    items = seller_fulfilment.seller_slots(seller.user_id, 3, at)["items"]
    assert [w["slot_id"] for w in items] == ["delivery-2026-03-29-09:00", "delivery-2026-03-30-09:00"]
    assert (items[0]["start"], items[0]["cutoff_at"]) == (
        datetime(2026, 3, 29, 8, tzinfo=UTC),
        datetime(2026, 3, 28, 8, tzinfo=UTC),
    )
    late = seller_fulfilment.seller_slots(seller.user_id, 3, datetime(2026, 3, 28, 8, tzinfo=UTC))["items"]
    assert [w["slot_id"] for w in late] == ["delivery-2026-03-30-09:00"]  # closed exactly at its cut-off


# -- capacity on MongoDB ---------------------------------------------------------------------------------


def _window_doc(seller_id: str, slot_id: str = "delivery-2026-03-03-09:00") -> tuple[str, dict]:
    from smartgrocer.domain.fulfilment import capacity_key

    start = datetime(2026, 3, 3, 14, tzinfo=UTC)
    return capacity_key(seller_id, slot_id), {
        "seller_id": seller_id,
        "slot_id": slot_id,
        "start": start,
        "end": start + timedelta(hours=3),
    }


def test_fifty_shoppers_racing_for_the_last_five_places_get_exactly_five():
    windows = _windows()
    key, window = _window_doc(f"racer{uuid.uuid4().hex[:10]}")
    for n in range(15):
        assert windows.reserve(key, window, 20, f"early-{n}")
    with ThreadPoolExecutor(max_workers=50) as pool:
        won = list(pool.map(lambda n: windows.reserve(key, window, 20, f"racer-{n}"), range(50)))
    assert sum(won) == 5
    doc = db().windows.find_one({"_id": key})
    assert doc["taken"] == 20 and len(doc["holders"]) == 20
    assert {f"racer-{n}" for n, ok in enumerate(won) if ok} <= set(doc["holders"])
    assert windows.taken([key, "nobody:delivery-2026-03-03-09:00"]) == {key: 20}


def test_a_window_document_keeps_its_dates_and_repeats_are_harmless():
    windows = _windows()
    seller_id = f"w{uuid.uuid4().hex[:10]}"
    key, window = _window_doc(seller_id)
    assert windows.taken([key]) == {}
    assert windows.reserve(key, window, 2, "c1")
    assert windows.reserve(key, window, 2, "c1")  # the same checkout again: no second place
    assert windows.taken([key]) == {key: 1}
    doc = db().windows.find_one({"_id": key})
    assert isinstance(doc["start"], datetime) and isinstance(doc["end"], datetime)  # not strings
    assert doc["start"].replace(tzinfo=UTC) == window["start"]
    assert (doc["seller_id"], doc["slot_id"], doc["capacity"], doc["holders"]) == (
        seller_id,
        window["slot_id"],
        2,
        {"c1": 1},
    )
    assert windows.reserve(key, window, 2, "c2")
    assert not windows.reserve(key, window, 2, "c3")
    assert windows.reserve(key, window, 2, "c2")  # a holder's repeat succeeds on a full window
    assert windows.taken([key]) == {key: 2}

    windows.release(key, "c2")
    windows.release(key, "c2")  # given back once
    windows.release(key, "c3")  # never held: nothing
    assert windows.taken([key]) == {key: 1}
    assert windows.reserve(key, window, 2, "c3")
    assert any(row["_id"] == key and row["taken"] == 2 for row in windows.ledgers(1000))
    with pytest.raises(ValueError):
        windows.reserve(key, window, 2, "a.b")


# -- orders by window and the packing list ------------------------------------------------------------


def _in_window(order_id: str, slot_id: str, address: str | None = None) -> None:
    """Give a placed order the window the checkout will record, as a whole-document write."""
    from smartgrocer.domain.fulfilment import parse_slot_id

    method, day, start = parse_slot_id(slot_id)
    begins = datetime.combine(day, datetime.strptime(start, "%H:%M").time(), tzinfo=UTC)
    doc = db().orders.find_one({"_id": order_id})
    doc["fulfilment"] = {
        "method": method,
        "slot_id": slot_id,
        "start": begins,
        "end": begins + timedelta(hours=3),
        "local_date": day.isoformat(),
        "label": f"{day:%A} {day.day} {day:%B}, {start}-{(begins + timedelta(hours=3)):%H:%M}",
        "address": address,
    }
    assert db().orders.replace_one({"_id": order_id}, doc).matched_count == 1


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json()["items"]]


def test_sellers_list_orders_by_window_day_and_window(api, seller, other_seller, shopper):
    item = product(api, seller, stock=50)
    theirs = product(api, other_seller, stock=50)
    day = date.today() + timedelta(days=2)
    morning, afternoon = f"delivery-{day}-09:00", f"delivery-{day}-13:00"
    next_day = f"pickup-{day + timedelta(days=1)}-10:00"
    orders = [place_confirmed(api, shopper, (item, 1))["orders"][0]["id"] for _ in range(4)]
    foreign = place_confirmed(api, shopper, (theirs, 1))["orders"][0]["id"]
    for order_id, slot in zip(orders, (morning, morning, afternoon, next_day), strict=True):
        _in_window(order_id, slot)
    _in_window(foreign, morning)

    listing = "/api/seller/orders"
    assert set(_ids(api.get(listing, seller, params={"slot_date": day.isoformat()}))) == set(orders[:3])
    assert set(_ids(api.get(listing, seller, params={"slot_id": morning}))) == set(orders[:2])
    assert _ids(api.get(listing, seller, params={"slot_id": next_day})) == [orders[3]]
    assert _ids(api.get(listing, seller, params={"slot_date": day.isoformat(), "slot_id": next_day})) == []
    assert _ids(api.get(listing, seller, params={"slot_id": morning, "status": "packed"})) == []
    assert _ids(api.get(listing, other_seller, params={"slot_id": morning})) == [foreign]
    shown = api.get(listing, seller, params={"slot_id": morning}).json()["items"][0]
    assert shown["id"] in orders[:2]

    # newest first, page by page, and a cursor serves the listing it came from only
    first = api.get(listing, seller, params={"slot_date": day.isoformat(), "limit": 2}).json()
    second = api.get(
        listing, seller, params={"slot_date": day.isoformat(), "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [o["id"] for o in first["items"] + second["items"]] == orders[2::-1]
    assert second["next_cursor"] is None
    other = api.get(listing, seller, params={"limit": 2, "cursor": first["next_cursor"]})
    assert other.status_code == 400 and other.json()["error"]["code"] == "invalid_cursor"

    for params, code in (
        ({"slot_date": "2026-3-1"}, "validation_error"),
        ({"slot_date": "2026-13-01"}, "validation_error"),
        ({"slot_id": "delivery-2026-02-30-09:00"}, "invalid_window"),
        ({"slot_id": "tomorrow"}, "invalid_window"),
    ):
        response = api.get(listing, seller, params=params)
        assert (response.status_code, response.json()["error"]["code"]) == (422, code), params


def test_changing_the_settings_leaves_orders_already_placed_alone(api, seller, shopper):
    order_id = place_confirmed(api, shopper, (product(api, seller), 1))["orders"][0]["id"]
    _configure(api, seller, FARM_SETTINGS)
    slot = f"delivery-{date.today() + timedelta(days=1)}-09:00"  # the window the order was placed for
    _in_window(order_id, slot, address="1 Market Street")
    before = db().orders.find_one({"_id": order_id})
    _configure(
        api,
        seller,
        {"timezone": "Asia/Tokyo", "delivery": {"enabled": False}, "pickup": FARM_SETTINGS["pickup"]},
    )
    after = db().orders.find_one({"_id": order_id})
    assert after == before
    assert _ids(api.get("/api/seller/orders", seller, params={"slot_id": slot})) == [order_id]


def test_the_packing_list_sums_a_windows_live_orders_by_product(api, seller, other_seller, unique_email):
    leeks = product(api, seller, name=f"Leeks {uuid.uuid4().hex[:6]}", stock=50)
    cheese = weighed_product(api, seller, name=f"Comte {uuid.uuid4().hex[:6]}", stock=10_000)
    theirs = product(api, other_seller, name=f"Their Leeks {uuid.uuid4().hex[:6]}", stock=50)
    ada, bob, cy = (api.signup(unique_email(n)) for n in ("ada", "bob", "cy"))
    address = {
        "line1": "1 Market Street",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "12345",
        "country": "US",
    }
    slot = f"delivery-{date.today() + timedelta(days=3)}-09:00"
    later = f"delivery-{date.today() + timedelta(days=4)}-09:00"

    first = place_confirmed(api, ada, (leeks, 2), (cheese, "750g"), address={**address, "full_name": "Ada Lovelace"})
    second = place_confirmed(api, bob, (leeks, 3), (cheese, "500g"), address={**address, "full_name": "Bob Baker"})
    cancelled = place_confirmed(api, cy, (leeks, 9), address={**address, "full_name": "Cy Cancel"})
    elsewhere = place_confirmed(api, cy, (leeks, 4), address={**address, "full_name": "Cy Later"})
    foreign = place_confirmed(api, ada, (theirs, 7), address={**address, "full_name": "Ada Lovelace"})
    first_id, second_id = first["orders"][0]["id"], second["orders"][0]["id"]
    assert pack(api, seller, second_id).status_code == 200  # packed orders are still to be sent
    cancel = api.patch(f"/api/orders/{cancelled['orders'][0]['id']}/status", seller, json={"status": "cancelled"})
    assert cancel.status_code == 200, cancel.text
    for placed in (first, second, cancelled, foreign):
        _in_window(placed["orders"][0]["id"], slot)
    _in_window(elsewhere["orders"][0]["id"], later)

    response = api.get(PACKING, seller, params={"slot_id": slot})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["slot_id"], body["method"], body["local_start"]) == (slot, "delivery", "09:00")
    assert body["order_count"] == 2
    assert [(o["order_id"], o["buyer_name"], o["status"]) for o in body["orders"]] == [
        (first_id, "Ada Lovelace", "confirmed"),
        (second_id, "Bob Baker", "packed"),
    ]
    assert body["orders"][0]["address"]["line1"] == "1 Market Street"
    lines = {(line["product_id"], line["quantity"], line["weight_g"]) for line in body["orders"][0]["lines"]}
    assert lines == {(leeks["id"], 2, None), (cheese["id"], None, 750)}
    products = {p["product_id"]: p for p in body["products"]}
    assert set(products) == {leeks["id"], cheese["id"]}
    assert (products[leeks["id"]]["quantity"], products[leeks["id"]]["weight_g"], products[leeks["id"]]["orders"]) == (
        5,
        None,
        2,
    )
    assert (products[cheese["id"]]["sold_by"], products[cheese["id"]]["weight_g"]) == ("weight", 1250)
    assert products[cheese["id"]]["quantity"] is None and products[cheese["id"]]["unit"] == "kg"
    assert theirs["id"] not in response.text and "Cy " not in response.text

    # the other seller's list for the same window holds their order only
    mine = api.get(PACKING, other_seller, params={"slot_id": slot}).json()
    assert [o["order_id"] for o in mine["orders"]] == [foreign["orders"][0]["id"]]
    assert leeks["id"] not in json.dumps(mine) and cheese["id"] not in json.dumps(mine)
    empty = api.get(PACKING, other_seller, params={"slot_id": later}).json()
    assert (empty["order_count"], empty["products"], empty["orders"]) == (0, [], [])


@pytest.mark.parametrize(
    "slot_id", ["", "delivery-2026-02-30-09:00", "drone-2026-03-03-09:00", "delivery-2026-03-03-24:00"]
)
def test_a_malformed_window_is_refused(api, seller, slot_id):
    response = api.get(PACKING, seller, params={"slot_id": slot_id})
    assert response.status_code == 422, response.text
    assert api.get(PACKING, seller).status_code == 422  # the window is required
