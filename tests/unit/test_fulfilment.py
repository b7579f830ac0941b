"""Delivery and pickup windows, without a server: windows generated in the seller's time zone (across a
week boundary and the clock changes of 2026 in London and New York), cut-offs, the 6-day limit of the
card authorisation, fees and minimums, the settings validator, slot ids, and the request models.

Calendar used below (2026): Saturday 10 January; London's clocks go forward on Sunday 29 March (01:00
GMT -> 02:00 BST) and back on Sunday 25 October (02:00 BST -> 01:00 GMT); New York's go forward on
Sunday 8 March (02:00 EST -> 03:00 EDT) and back on Sunday 1 November (02:00 EDT -> 01:00 EST).
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from smartgrocer.domain import fulfilment as f
from smartgrocer.errors import Conflict, Invalid
from smartgrocer.models.fulfilment import (
    CheckoutFulfilment,
    FulfilmentSettingsIn,
    FulfilmentSettingsOut,
    SellerSlotsOut,
    WindowOut,
)

LONDON, NEW_YORK = "Europe/London", "America/New_York"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def slot(weekday: int, start: str = "09:00", end: str = "12:00", capacity: int = 10) -> dict:
    return {"weekday": weekday, "start": start, "end": end, "capacity": capacity}


def every_day(start: str = "09:00", end: str = "12:00") -> list[dict]:
    return [slot(day, start, end) for day in range(7)]


def seller(
    delivery_slots: list[dict] | None = None,
    pickup_slots: list[dict] | None = None,
    *,
    timezone: str = LONDON,
    cutoff: int = 0,
    pickup_cutoff: int = 0,
    fee: int = 399,
    free_over: int | None = 5000,
    min_order: int = 1500,
) -> dict:
    return {
        "timezone": timezone,
        "delivery": {
            "enabled": delivery_slots is not None,
            "fee_cents": fee,
            "free_over_cents": free_over,
            "min_order_cents": min_order,
            "cutoff_hours": cutoff,
            "slots": delivery_slots or [],
        },
        "pickup": {
            "enabled": pickup_slots is not None,
            "address": "Unit 4, Mill Lane" if pickup_slots is not None else None,
            "cutoff_hours": pickup_cutoff,
            "slots": pickup_slots or [],
        },
    }


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ids(windows: list[f.Window]) -> list[str]:
    return [w["slot_id"] for w in windows]


def spans(windows: list[f.Window]) -> list[tuple[datetime, datetime]]:
    return [(w["start"], w["end"]) for w in windows]


def rejected(settings_: dict, slot_id: object, at: datetime, **kwargs) -> Invalid:
    with pytest.raises(Invalid) as info:
        f.resolve_window(settings_, slot_id, at, **kwargs)
    return info.value


# -- windows across a week -------------------------------------------------------------------------


def test_windows_run_from_saturday_over_the_week_boundary_to_tuesday():
    farm = seller([slot(MON), slot(TUE, "14:00", "16:00"), slot(SAT, "10:00", "12:00")], cutoff=1)
    windows = f.upcoming_windows(farm, utc(2026, 1, 10, 8, 0), days=4)  # Saturday 08:00 (GMT = UTC)
    assert ids(windows) == [
        "delivery-2026-01-10-10:00",
        "delivery-2026-01-12-09:00",
        "delivery-2026-01-13-14:00",
    ]
    assert [w["local_date"] for w in windows] == ["2026-01-10", "2026-01-12", "2026-01-13"]
    assert spans(windows)[2] == (utc(2026, 1, 13, 14), utc(2026, 1, 13, 16))
    assert windows[0]["cutoff_at"] == utc(2026, 1, 10, 9) and windows[0]["capacity"] == 10


def test_a_window_is_the_same_wall_time_in_the_sellers_zone_whatever_the_utc_date():
    # 09:00 in Auckland (UTC+13 in January) is 20:00 UTC the day before.
    kiwi = seller([slot(MON)], timezone="Pacific/Auckland")
    (window,) = f.upcoming_windows(kiwi, utc(2026, 1, 10, 0, 0), days=6)
    assert window["slot_id"] == "delivery-2026-01-12-09:00" and window["local_date"] == "2026-01-12"
    assert (window["start"], window["end"]) == (utc(2026, 1, 11, 20), utc(2026, 1, 11, 23))


def test_windows_are_in_time_order_across_methods():
    shop = seller(
        [slot(MON, "09:00", "12:00"), slot(MON, "16:00", "18:00"), slot(TUE, "08:00", "10:00")],
        [slot(MON, "10:00", "11:00"), slot(MON, "12:00", "13:00"), slot(TUE, "08:00", "09:00")],
    )
    windows = f.upcoming_windows(shop, utc(2026, 1, 12, 0, 0), days=2)  # Monday 00:00
    assert ids(windows) == [
        "delivery-2026-01-12-09:00",
        "pickup-2026-01-12-10:00",
        "pickup-2026-01-12-12:00",
        "delivery-2026-01-12-16:00",
        "pickup-2026-01-13-08:00",  # same start: the earlier end first
        "delivery-2026-01-13-08:00",
    ]
    assert [w["method"] for w in windows][:2] == ["delivery", "pickup"]


def test_disabled_methods_offer_nothing():
    shop = seller([slot(MON)], [slot(MON, "10:00", "11:00")])
    shop["pickup"]["enabled"] = False
    assert ids(f.upcoming_windows(shop, utc(2026, 1, 12, 0), days=1)) == ["delivery-2026-01-12-09:00"]


# -- clock changes ---------------------------------------------------------------------------------


def test_london_spring_forward_keeps_wall_times_and_skips_a_window_in_the_gap():
    farm = seller(every_day() + [slot(SUN, "01:15", "01:45"), slot(SUN, "00:30", "02:30")])
    windows = {w["slot_id"]: w for w in f.upcoming_windows(farm, utc(2026, 3, 27, 12), days=3)}
    # 09:00-12:00 is 09:00-12:00 local on both sides of the change: its UTC instants move by an hour.
    assert spans([windows["delivery-2026-03-28-09:00"]]) == [(utc(2026, 3, 28, 9), utc(2026, 3, 28, 12))]
    assert spans([windows["delivery-2026-03-29-09:00"]]) == [(utc(2026, 3, 29, 8), utc(2026, 3, 29, 11))]
    assert spans([windows["delivery-2026-03-30-09:00"]]) == [(utc(2026, 3, 30, 8), utc(2026, 3, 30, 11))]
    # 01:15 does not exist that Sunday (01:00 GMT -> 02:00 BST): the window is not offered that day...
    assert "delivery-2026-03-29-01:15" not in windows
    # ...while 00:30-02:30 exists at both ends and lasts one real hour.
    assert spans([windows["delivery-2026-03-29-00:30"]]) == [(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30))]
    error = rejected(farm, "delivery-2026-03-29-01:15", utc(2026, 3, 27, 12))
    assert error.code == "invalid_window" and error.status == 422
    # The same slot is offered on the Sunday after, when 01:15 exists.
    later = f.resolve_window(farm, "delivery-2026-04-05-01:15", utc(2026, 4, 1, 12))
    assert (later["start"], later["end"]) == (utc(2026, 4, 5, 0, 15), utc(2026, 4, 5, 0, 45))


def test_a_window_ending_in_the_gap_is_not_offered_either():
    farm = seller([slot(SUN, "00:30", "01:30")])
    assert f.upcoming_windows(farm, utc(2026, 3, 27, 12), days=6) == []


def test_london_fall_back_keeps_wall_times_and_takes_the_first_of_a_repeated_time():
    farm = seller(every_day() + [slot(SUN, "01:30", "03:00"), slot(SUN, "00:45", "01:20")])
    windows = {w["slot_id"]: w for w in f.upcoming_windows(farm, utc(2026, 10, 23, 12), days=3)}
    assert spans([windows["delivery-2026-10-24-09:00"]]) == [(utc(2026, 10, 24, 8), utc(2026, 10, 24, 11))]
    assert spans([windows["delivery-2026-10-25-09:00"]]) == [(utc(2026, 10, 25, 9), utc(2026, 10, 25, 12))]
    # 01:30 happens twice (BST, then GMT): the first, so 01:30-03:00 lasts two and a half real hours.
    assert spans([windows["delivery-2026-10-25-01:30"]]) == [(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 3))]
    # Both ends repeated: both first occurrences.
    assert spans([windows["delivery-2026-10-25-00:45"]]) == [(utc(2026, 10, 24, 23, 45), utc(2026, 10, 25, 0, 20))]


def test_new_york_spring_forward():
    deli = seller(every_day() + [slot(SUN, "02:30", "04:00")], timezone=NEW_YORK)
    windows = {w["slot_id"]: w for w in f.upcoming_windows(deli, utc(2026, 3, 6, 12), days=3)}
    assert spans([windows["delivery-2026-03-07-09:00"]]) == [(utc(2026, 3, 7, 14), utc(2026, 3, 7, 17))]  # EST
    assert spans([windows["delivery-2026-03-08-09:00"]]) == [(utc(2026, 3, 8, 13), utc(2026, 3, 8, 16))]  # EDT
    assert "delivery-2026-03-08-02:30" not in windows  # 02:00 EST -> 03:00 EDT
    assert rejected(deli, "delivery-2026-03-08-02:30", utc(2026, 3, 6, 12)).code == "invalid_window"


def test_new_york_fall_back():
    deli = seller(every_day() + [slot(SUN, "01:30", "03:00")], timezone=NEW_YORK)
    windows = {w["slot_id"]: w for w in f.upcoming_windows(deli, utc(2026, 10, 30, 12), days=3)}
    assert spans([windows["delivery-2026-10-31-09:00"]]) == [(utc(2026, 10, 31, 13), utc(2026, 10, 31, 16))]  # EDT
    assert spans([windows["delivery-2026-11-01-09:00"]]) == [(utc(2026, 11, 1, 14), utc(2026, 11, 1, 17))]  # EST
    # 01:30 EDT (05:30 UTC) comes first, then 01:30 EST; 03:00 is EST (08:00 UTC).
    assert spans([windows["delivery-2026-11-01-01:30"]]) == [(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 8))]
    resolved = f.resolve_window(deli, "delivery-2026-11-01-01:30", utc(2026, 10, 30, 12))
    assert resolved == windows["delivery-2026-11-01-01:30"]


def test_the_cutoff_counts_real_hours_back_over_a_clock_change():
    # 24 hours before Sunday 09:00 BST (08:00 UTC) is Saturday 08:00 GMT, on the wall an hour earlier.
    farm = seller([slot(SUN)], cutoff=24)
    window = f.resolve_window(farm, "delivery-2026-03-29-09:00", utc(2026, 3, 27, 12))
    assert window["cutoff_at"] == utc(2026, 3, 28, 8)
    error = rejected(farm, "delivery-2026-03-29-09:00", utc(2026, 3, 28, 8), seller_name="Green Farm")
    assert error.code == "window_closed" and error.status == 422
    assert error.message == (
        "Green Farm: orders for the delivery window on Sunday 29 March at 09:00 closed on Saturday 28 March "
        "at 08:00 (Europe/London time): choose a later window."
    )
    assert error.details["cutoff_at"] == "2026-03-28T08:00:00+00:00"


# -- cut-offs and the 6-day limit ------------------------------------------------------------------


def test_a_window_whose_cutoff_is_now_is_closed():
    farm = seller([slot(MON)], cutoff=12)  # Monday 12 January 09:00 closes Sunday 21:00
    cutoff = utc(2026, 1, 11, 21)
    just_before = cutoff - timedelta(microseconds=1)
    assert ids(f.upcoming_windows(farm, just_before, days=1)) == ["delivery-2026-01-12-09:00"]
    assert f.resolve_window(farm, "delivery-2026-01-12-09:00", just_before)["cutoff_at"] == cutoff
    assert f.upcoming_windows(farm, cutoff, days=1) == []
    error = rejected(farm, "delivery-2026-01-12-09:00", cutoff)
    assert error.code == "window_closed"
    assert error.message.startswith("Orders for the delivery window on Monday 12 January at 09:00 closed on Sunday")


def test_a_window_with_no_cutoff_closes_when_it_starts():
    farm = seller([slot(MON)], cutoff=0)
    assert f.upcoming_windows(farm, utc(2026, 1, 12, 9), days=1) == []
    assert rejected(farm, "delivery-2026-01-12-09:00", utc(2026, 1, 12, 10)).code == "window_closed"


def test_windows_never_end_beyond_six_days():
    farm = seller(every_day())
    at = utc(2026, 1, 5, 12)  # Monday noon: the limit is Sunday 11 January at noon
    windows = f.upcoming_windows(farm, at, days=6)
    assert ids(windows)[0] == "delivery-2026-01-06-09:00"  # today's closed when it started
    assert ids(windows)[-1] == "delivery-2026-01-11-09:00"  # ends exactly at the limit: offered
    assert len(windows) == 6
    assert ids(f.upcoming_windows(farm, at + timedelta(seconds=-1), days=6))[-1] == "delivery-2026-01-10-09:00"
    assert len(f.upcoming_windows(farm, at, days=2)) == 2


def test_a_window_beyond_the_authorisation_is_refused():
    farm = seller(every_day())
    at = utc(2026, 1, 5, 12)
    assert f.resolve_window(farm, "delivery-2026-01-11-09:00", at)["end"] == at + timedelta(days=6)
    error = rejected(farm, "delivery-2026-01-11-09:00", at + timedelta(seconds=-1))
    assert error.code == "window_too_far" and error.status == 422
    assert "6 days" in error.message
    assert rejected(farm, "delivery-2026-01-20-09:00", at).code == "window_too_far"
    assert rejected(farm, "delivery-9999-12-31-09:00", at).code == "window_too_far"
    assert rejected(farm, "delivery-0001-01-01-09:00", at).code == "window_closed"


@pytest.mark.parametrize("days", [0, 7, -1, True, 2.0])
def test_days_are_one_to_six(days):
    with pytest.raises(Invalid) as info:
        f.upcoming_windows(seller([slot(MON)]), utc(2026, 1, 5), days=days)
    assert info.value.code == "invalid_days"


def test_at_must_be_aware():
    with pytest.raises(ValueError):
        f.upcoming_windows(seller([slot(MON)]), datetime(2026, 1, 5), days=1)


# -- resolving a checkout's choice -----------------------------------------------------------------


def test_resolve_returns_the_generated_window():
    shop = seller([slot(MON)], [slot(MON, "10:00", "11:00", capacity=3)], pickup_cutoff=2)
    at = utc(2026, 1, 10, 8)
    for window in f.upcoming_windows(shop, at, days=6):
        assert f.resolve_window(shop, window["slot_id"], at) == window
    pickup = f.resolve_window(shop, "pickup-2026-01-12-10:00", at)
    assert pickup["capacity"] == 3 and pickup["cutoff_at"] == utc(2026, 1, 12, 8)
    assert pickup["local_start"] == "10:00" and pickup["local_end"] == "11:00"
    assert f.window_label(pickup) == "Monday 12 January, 10:00-11:00"


def test_resolve_refuses_a_method_the_seller_does_not_offer():
    error = rejected(seller([slot(MON)]), "pickup-2026-01-12-09:00", utc(2026, 1, 10), seller_name="Green Farm")
    assert (error.code, error.status) == ("method_not_offered", 422)
    assert error.message == "Green Farm: this seller does not offer pickup."


@pytest.mark.parametrize(
    "slot_id",
    [
        "delivery-2026-01-12-10:00",  # Monday, but no window starts at 10:00
        "delivery-2026-01-13-09:00",  # no Tuesday window
    ],
)
def test_resolve_refuses_a_window_the_seller_does_not_have(slot_id):
    error = rejected(seller([slot(MON)]), slot_id, utc(2026, 1, 10))
    assert error.code == "invalid_window" and error.message.startswith("There is no delivery window on")


# -- slot ids --------------------------------------------------------------------------------------


def test_slot_id_round_trip():
    made = f.slot_id("pickup", date(2026, 3, 29), "09:00")
    assert made == "pickup-2026-03-29-09:00"
    assert f.parse_slot_id(made) == ("pickup", date(2026, 3, 29), "09:00")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "delivery",
        "delivery-2026-03-29",
        "delivery-2026-02-30-09:00",  # no such date
        "delivery-2026-3-29-09:00",
        "delivery-2026-03-29-9:00",
        "delivery-2026-03-29-24:00",
        "delivery-2026-03-29-09:60",
        "delivery-2026-03-29-09:00\n",
        " delivery-2026-03-29-09:00",
        "delivery-2026-03-29-09:00-x",
        "Delivery-2026-03-29-09:00",
        "courier-2026-03-29-09:00",
        "delivery-2026-03-29-0\uff19:00",  # a full-width digit
        "delivery-\uff12\uff10\uff12\uff16-03-29-09:00",
        "delivery_2026-03-29_09:00",
        None,
        42,
        ["delivery-2026-03-29-09:00"],
        "delivery-2026-03-29-09:00" + "0" * 100,
    ],
)
def test_malformed_slot_ids_are_refused(value):
    with pytest.raises(Invalid) as info:
        f.parse_slot_id(value)
    assert info.value.code == "invalid_window" and info.value.status == 422
    assert rejected(seller([slot(MON)]), value, utc(2026, 1, 10)).code == "invalid_window"


@pytest.mark.parametrize(("method", "start"), [("courier", "09:00"), ("delivery", "9:00"), ("pickup", "24:00")])
def test_slot_id_refuses_what_it_cannot_name(method, start):
    with pytest.raises(ValueError):
        f.slot_id(method, date(2026, 3, 29), start)


# -- fees and minimums -----------------------------------------------------------------------------


@pytest.mark.parametrize(("goods", "fee"), [(0, 399), (4999, 399), (5000, 0), (5001, 0), (120_000, 0)])
def test_delivery_fee_until_the_free_threshold(goods, fee):
    assert f.delivery_fee_cents(seller([slot(MON)]), "delivery", goods) == fee


def test_pickup_is_free_and_no_threshold_means_always_a_fee():
    assert f.delivery_fee_cents(seller([slot(MON)], [slot(MON)]), "pickup", 10) == 0
    never_free = seller([slot(MON)], free_over=None)
    assert f.delivery_fee_cents(never_free, "delivery", 10_000_000) == 399
    assert f.delivery_fee_cents(seller([slot(MON)], fee=0), "delivery", 10) == 0
    with pytest.raises(ValueError):
        f.delivery_fee_cents(never_free, "courier", 10)  # type: ignore[arg-type]


@pytest.mark.parametrize(("goods", "shortfall"), [(0, 1500), (1000, 500), (1499, 1), (1500, 0), (1501, 0)])
def test_minimum_shortfall_for_delivery(goods, shortfall):
    assert f.minimum_shortfall_cents(seller([slot(MON)]), "delivery", goods) == shortfall


def test_pickup_has_no_minimum():
    assert f.minimum_shortfall_cents(seller([slot(MON)], [slot(MON)]), "pickup", 0) == 0


def test_progress_to_free_delivery():
    farm = seller([slot(MON)])
    assert f.progress_to_free_delivery(farm, 1250) == {
        "threshold_cents": 5000,
        "fee_cents": 399,
        "remaining_cents": 3750,
        "reached": False,
        "percent": 25,
    }
    assert f.progress_to_free_delivery(farm, 4999)["percent"] == 99  # type: ignore[index]
    reached = f.progress_to_free_delivery(farm, 7000)
    assert reached is not None and reached["reached"] and reached["remaining_cents"] == 0 and reached["percent"] == 100
    assert f.progress_to_free_delivery(seller([slot(MON)], free_over=None), 100) is None
    assert f.progress_to_free_delivery(seller([slot(MON)], fee=0), 100) is None
    assert f.progress_to_free_delivery(seller(None, [slot(MON)]), 100) is None


def test_errors_checkout_raises_name_the_seller_and_the_amounts():
    short = f.below_minimum("s1", "Green Farm", "delivery", 350, 1500)
    assert (short.status, short.code) == (422, "below_minimum_order")
    assert short.message == "Green Farm takes delivery orders from 15.00: add 3.50 more from Green Farm."
    assert short.details == {"seller_id": "s1", "method": "delivery", "minimum": "15.00", "shortfall": "3.50"}
    missing = f.fulfilment_missing("s1", "Green Farm")
    assert (missing.status, missing.code) == (422, "fulfilment_required")
    window = f.resolve_window(seller([slot(MON)]), "delivery-2026-01-12-09:00", utc(2026, 1, 10))
    full = f.window_full("s1", "Green Farm", window)
    assert isinstance(full, Conflict) and (full.status, full.code) == (409, "window_full")
    assert full.message == "Green Farm's delivery window Monday 12 January, 09:00-12:00 is full: choose another."


# -- capacity bookkeeping --------------------------------------------------------------------------


def test_capacity_key_and_remaining():
    assert f.capacity_key("64a1", "delivery-2026-03-29-09:00") == "64a1:delivery-2026-03-29-09:00"
    with pytest.raises(ValueError):
        f.capacity_key("a:b", "delivery-2026-03-29-09:00")
    assert (f.remaining(10, 3), f.remaining(10, 10), f.remaining(5, 7)) == (7, 0, 0)
    assert f.holds_window("confirmed") and f.holds_window("delivered")
    assert not f.holds_window("cancelled") and not f.holds_window("payment_failed")


def test_capacity_violations():
    assert f.capacity_violations({"a": 2, "b": 0}, {"a": 2}) == []
    assert f.capacity_violations({"a": 2, "b": 1}, {"a": 3, "c": 1}) == [
        {"window": "a", "taken": 2, "live_orders": 3},
        {"window": "b", "taken": 1, "live_orders": 0},
        {"window": "c", "taken": 0, "live_orders": 1},
    ]


# -- the settings validator ------------------------------------------------------------------------


def good() -> dict:
    return seller([slot(MON), slot(MON, "12:00", "15:00"), slot(SAT)], [slot(SAT, "09:30", "10:00")], cutoff=12)


def test_good_settings_have_no_problems():
    assert f.validate_settings(good()) == []
    assert f.validate_settings(seller(None, [slot(MON)])) == []  # pickup only
    assert f.validate_settings(seller([slot(MON)], free_over=None)) == []
    left_out = good()
    del left_out["pickup"]
    assert f.validate_settings(left_out) == []


def _with(path: str, value: object) -> dict:
    settings_ = copy.deepcopy(good())
    *parents, last = path.split(".")
    node = settings_
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(last) if isinstance(node, list) else last] = value
    return settings_


PROBLEMS = [
    ("timezone", "Mars/Olympus", "timezone", "is not a time zone we know"),
    ("timezone", "europe/london", "timezone", "is not a time zone we know"),
    ("timezone", "localtime", "timezone", "is not a time zone we know"),
    ("timezone", "right/Europe/London", "timezone", "is not a time zone we know"),
    ("timezone", "../../etc/passwd", "timezone", "is not a time zone we know"),
    ("timezone", None, "timezone", "is not a time zone we know"),
    ("delivery.enabled", "yes", "delivery.enabled", "must be true or false"),
    ("delivery.cutoff_hours", 73, "delivery.cutoff_hours", "must be a whole number of hours from 0 to 72"),
    ("pickup.cutoff_hours", -1, "pickup.cutoff_hours", "must be a whole number of hours from 0 to 72"),
    ("delivery.cutoff_hours", 1.5, "delivery.cutoff_hours", "must be a whole number of hours from 0 to 72"),
    ("delivery.fee_cents", 100_001, "delivery.fee", "must be an amount from 0.00 to 1000.00"),
    ("delivery.fee_cents", -1, "delivery.fee", "must be an amount from 0.00 to 1000.00"),
    ("delivery.min_order_cents", 100_001, "delivery.min_order", "must be an amount from 0.00 to 1000.00"),
    ("delivery.free_over_cents", 100_001, "delivery.free_over", "must be an amount from 0.00 to 1000.00"),
    ("delivery.slots.0.weekday", 7, "delivery.slots.0.weekday", "must be a day from 0 (Monday) to 6 (Sunday)"),
    ("delivery.slots.0.weekday", True, "delivery.slots.0.weekday", "must be a day from 0 (Monday) to 6 (Sunday)"),
    ("delivery.slots.0.start", "9:00", "delivery.slots.0.start", "must be a time written HH:MM, 00:00 to 23:59"),
    ("delivery.slots.0.end", "24:00", "delivery.slots.0.end", "must be a time written HH:MM, 00:00 to 23:59"),
    ("delivery.slots.0.end", "09:00", "delivery.slots.0.end", "must be after the start (09:00)"),
    ("delivery.slots.0.end", "08:00", "delivery.slots.0.end", "a window cannot run past midnight"),
    ("delivery.slots.0.capacity", 0, "delivery.slots.0.capacity", "must be a whole number of orders from 1 to 500"),
    ("delivery.slots.0.capacity", 501, "delivery.slots.0.capacity", "must be a whole number of orders from 1 to 500"),
    ("delivery.slots.1.start", "11:00", "delivery.slots.1.start", "overlaps the Monday window 09:00-12:00"),
    ("pickup.slots.0", "Saturday", "pickup.slots.0", "must be a window: weekday, start, end and capacity"),
    ("pickup.slots", "every day", "pickup.slots", "must be a list of windows"),
    ("pickup.slots", [], "pickup.slots", "add at least one window, or turn pickup off"),
    ("delivery.slots", [slot(d % 7, f"{d // 7:02d}:00", f"{d // 7:02d}:30") for d in range(51)], "delivery.slots",
     "at most 50 windows for delivery"),
    ("pickup.address", None, "pickup.address", "is needed when pickup is on"),
    ("pickup.address", "  ", "pickup.address", "is needed when pickup is on"),
    ("pickup.address", "x" * 301, "pickup.address", "must be at most 300 characters"),
    ("delivery", "on", "delivery", "must be an object with the settings for delivery"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "field", "message"), PROBLEMS)
def test_every_problem_is_named_in_plain_words(path, value, field, message):
    problems = f.validate_settings(_with(path, value))
    assert [p["field"] for p in problems] == [field], problems
    assert message in problems[0]["message"]


def test_overlaps_are_found_against_the_longest_window_so_far_and_only_within_a_method_and_day():
    long_day = seller([slot(MON, "08:00", "18:00"), slot(MON, "09:00", "10:00"), slot(MON, "12:00", "13:00")])
    assert [p["field"] for p in f.validate_settings(long_day)] == ["delivery.slots.1.start", "delivery.slots.2.start"]
    assert (
        "overlaps the Monday window 08:00-18:00 (number 1 in the list)" in f.validate_settings(long_day)[1]["message"]
    )
    same_start = seller([slot(MON), slot(MON, "09:00", "10:00")])
    assert len(f.validate_settings(same_start)) == 1
    apart = seller([slot(MON), slot(TUE)], [slot(MON)])  # other day, other method: fine
    assert f.validate_settings(apart) == []
    back_to_back = seller([slot(MON, "09:00", "12:00"), slot(MON, "12:00", "15:00")])
    assert f.validate_settings(back_to_back) == []


def test_at_least_one_method_must_be_on():
    both_off = good()
    both_off["delivery"]["enabled"] = both_off["pickup"]["enabled"] = False
    assert f.validate_settings(both_off) == [
        {
            "field": "delivery.enabled",
            "message": "turn on delivery, pickup or both: shoppers need a way to get their orders",
        }
    ]
    assert [p["field"] for p in f.validate_settings({"timezone": LONDON})] == ["delivery.enabled"]


def test_a_disabled_method_needs_no_slots_or_address_but_its_slots_are_still_checked():
    shop = seller([slot(MON)])
    assert f.validate_settings(shop) == []
    shop["pickup"]["slots"] = [slot(MON, "10:00", "09:00")]
    assert [p["field"] for p in f.validate_settings(shop)] == ["pickup.slots.0.end"]


def test_several_problems_are_all_reported():
    broken = _with("timezone", "Nowhere")
    broken["delivery"]["slots"][0].update(start="25:00", capacity=0)
    assert [p["field"] for p in f.validate_settings(broken)] == [
        "timezone",
        "delivery.slots.0.start",
        "delivery.slots.0.capacity",
    ]


# -- the property: whatever the settings and the moment ----------------------------------------------

ZONES = [LONDON, NEW_YORK, "UTC", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "Pacific/Chatham"]


@st.composite
def settings_strategy(draw) -> dict:
    def slots() -> list[dict]:
        chosen = []
        for weekday in draw(st.lists(st.integers(0, 6), max_size=4, unique=True)):
            # A few non-overlapping windows a day, snapped to 15 minutes (some inside the DST hours).
            bounds = sorted(draw(st.lists(st.integers(0, 95), min_size=2, max_size=6, unique=True)))
            for start, end in zip(bounds[::2], bounds[1::2], strict=False):
                chosen.append(
                    slot(weekday, f"{start // 4:02d}:{start % 4 * 15:02d}", f"{end // 4:02d}:{end % 4 * 15:02d}")
                )
        return chosen

    delivery = slots() if draw(st.booleans()) else None
    pickup = slots() if draw(st.booleans()) else None
    return seller(
        delivery,
        pickup,
        timezone=draw(st.sampled_from(ZONES)),
        cutoff=draw(st.integers(0, 72)),
        pickup_cutoff=draw(st.integers(0, 72)),
    )


@settings(max_examples=300, deadline=None)
@given(
    shop=settings_strategy(),
    at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    days=st.integers(1, 6),
)
def test_every_window_is_open_in_time_order_and_within_the_authorisation(shop, at, days):
    windows = f.upcoming_windows(shop, at, days)
    for window in windows:
        block = shop[window["method"]]
        assert window["start"] < window["end"]
        assert window["start"] - timedelta(hours=block["cutoff_hours"]) == window["cutoff_at"] > at
        assert window["end"] <= at + timedelta(days=days) <= at + timedelta(days=f.MAX_DAYS)
        assert window["start"].tzinfo is UTC and window["end"].tzinfo is UTC
        assert f.resolve_window(shop, window["slot_id"], at) == window
    assert [w["start"] for w in windows] == sorted(w["start"] for w in windows)
    assert len({w["slot_id"] for w in windows}) == len(windows)


# -- request and response models -------------------------------------------------------------------

BODY = {
    "timezone": LONDON,
    "delivery": {
        "enabled": True,
        "fee": "3.99",
        "free_over": 50,
        "min_order": "15",
        "cutoff_hours": 12,
        "slots": [{"weekday": 0, "start": "09:00", "end": "12:00", "capacity": 10}],
    },
    "pickup": {"enabled": False},
}


def _errors(model, data) -> list[dict]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return info.value.errors()


def test_settings_body_to_stored_cents_and_back_to_strings():
    body = FulfilmentSettingsIn.model_validate(BODY)
    stored = f.settings_from_request(body.model_dump())
    assert stored["delivery"] | {"slots": []} == {
        "enabled": True,
        "fee_cents": 399,
        "free_over_cents": 5000,
        "min_order_cents": 1500,
        "cutoff_hours": 12,
        "slots": [],
    }
    assert stored["pickup"] == {"enabled": False, "address": None, "cutoff_hours": 0, "slots": []}
    assert f.validate_settings(stored) == []
    shown = FulfilmentSettingsOut.model_validate(f.settings_to_response(stored)).model_dump(mode="json")
    assert shown["delivery"]["fee"] == "3.99" and shown["delivery"]["free_over"] == "50.00"
    assert shown["delivery"]["min_order"] == "15.00" and shown["delivery"]["slots"] == BODY["delivery"]["slots"]
    assert shown["pickup"] == {"enabled": False, "address": None, "cutoff_hours": 0, "slots": []}
    never_free = f.settings_from_request(
        {**body.model_dump(), "delivery": {**body.model_dump()["delivery"], "free_over": None}}
    )
    assert never_free["delivery"]["free_over_cents"] is None
    assert f.settings_to_response(never_free)["delivery"]["free_over"] is None


def _delivery(**changes) -> dict:
    return {**BODY, "delivery": {**BODY["delivery"], **changes}}


def _slot_body(**changes) -> dict:
    return _delivery(slots=[{**BODY["delivery"]["slots"][0], **changes}])


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        (_delivery(fee="1000.01"), ("delivery", "fee"), "at most 1000.00"),
        (_delivery(min_order="2.555"), ("delivery", "min_order"), "at most two decimal places"),
        (_delivery(free_over=-1), ("delivery", "free_over"), "must not be negative"),
        (_delivery(fee=True), ("delivery", "fee"), "decimal string or number"),
        (_delivery(enabled="true"), ("delivery", "enabled"), "valid boolean"),
        (_delivery(cutoff_hours="12"), ("delivery", "cutoff_hours"), "valid integer"),
        (_delivery(cutoff_hours=73), ("delivery", "cutoff_hours"), "less than or equal to 72"),
        (_delivery(courier=True), ("delivery", "courier"), "Extra inputs"),
        (_delivery(fee_cents=399), ("delivery", "fee_cents"), "Extra inputs"),
        (_slot_body(weekday=7), ("delivery", "slots", 0, "weekday"), "less than or equal to 6"),
        (_slot_body(weekday=1.0), ("delivery", "slots", 0, "weekday"), "valid integer"),
        (_slot_body(start="9:00"), ("delivery", "slots", 0, "start"), "HH:MM"),
        (_slot_body(end="24:00"), ("delivery", "slots", 0, "end"), "HH:MM"),
        (_slot_body(end="12.00"), ("delivery", "slots", 0, "end"), "HH:MM"),
        (_slot_body(end="12:00:00"), ("delivery", "slots", 0, "end"), "HH:MM"),
        (_slot_body(capacity=0), ("delivery", "slots", 0, "capacity"), "greater than or equal to 1"),
        (_slot_body(capacity=501), ("delivery", "slots", 0, "capacity"), "less than or equal to 500"),
        (_slot_body(capacity="5"), ("delivery", "slots", 0, "capacity"), "valid integer"),
        (_delivery(slots=[BODY["delivery"]["slots"][0]] * 51), ("delivery", "slots"), "at most 50"),
        ({**BODY, "pickup": {"enabled": True, "address": "  "}}, ("pickup", "address"), "at least 1 character"),
        ({**BODY, "pickup": {"enabled": True, "address": "x" * 301}}, ("pickup", "address"), "at most 300"),
        ({**BODY, "timezone": ""}, ("timezone",), "at least 1 character"),
        ({k: v for k, v in BODY.items() if k != "pickup"}, ("pickup",), "Field required"),
        ({**BODY, "seller_id": "x"}, ("seller_id",), "Extra inputs"),
    ],
)
def test_settings_body_rejections_are_clear(body, loc, words):
    errors = _errors(FulfilmentSettingsIn, body)
    assert errors[0]["loc"] == loc and words in errors[0]["msg"], errors


def test_the_json_schema_documents_the_formats():
    schema = FulfilmentSettingsIn.model_json_schema()
    slot_schema = schema["$defs"]["SlotIn"]["properties"]
    assert slot_schema["start"]["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"
    assert schema["$defs"]["DeliveryIn"]["additionalProperties"] is False


class Checkout(BaseModel):
    fulfilment: CheckoutFulfilment


def test_checkout_fulfilment_choice_per_seller():
    body = Checkout.model_validate(
        {
            "fulfilment": {
                "s1": {"method": "delivery", "slot_id": "delivery-2026-03-29-09:00"},
                "s2": {"method": "pickup", "slot_id": "pickup-2026-03-30-17:30"},
            }
        }
    )
    assert body.fulfilment["s2"].method == "pickup" and body.fulfilment["s2"].slot_id == "pickup-2026-03-30-17:30"


@pytest.mark.parametrize(
    ("fulfilment", "loc", "words"),
    [
        ({"s1": {"method": "pickup", "slot_id": "delivery-2026-03-29-09:00"}}, ("fulfilment", "s1"), "not a pickup"),
        ({"s1": {"method": "pickup", "slot_id": "tomorrow"}}, ("fulfilment", "s1", "slot_id"), "window ids"),
        ({"s1": {"method": "courier", "slot_id": "delivery-2026-03-29-09:00"}}, ("fulfilment", "s1", "method"), ""),
        ({"s1": {"method": "delivery"}}, ("fulfilment", "s1", "slot_id"), "Field required"),
        ({"s1": {"method": "delivery", "slot_id": "delivery-2026-03-29-09:00", "fee": 0}}, ("fulfilment", "s1", "fee"),
         "Extra inputs"),
        ({"": {"method": "delivery", "slot_id": "delivery-2026-03-29-09:00"}}, ("fulfilment", "", "[key]"), ""),
        ({f"s{i}": {"method": "delivery", "slot_id": "delivery-2026-03-29-09:00"} for i in range(51)}, ("fulfilment",),
         "at most 50"),
    ],
)  # fmt: skip
def test_checkout_fulfilment_rejections(fulfilment, loc, words):
    errors = _errors(Checkout, {"fulfilment": fulfilment})
    assert errors[0]["loc"] == loc and words in errors[0]["msg"], errors


def test_windows_as_the_slots_route_shows_them():
    shop = seller([slot(MON)], [slot(MON, "10:00", "11:00", capacity=3)])
    windows = f.upcoming_windows(shop, utc(2026, 1, 10, 8), days=6)
    taken = {"pickup-2026-01-12-10:00": 3}
    out = SellerSlotsOut(
        seller_id="s1",
        seller_name="Greenfields Farm",
        timezone=LONDON,
        delivery=None,
        pickup=None,
        items=[
            WindowOut.model_validate(
                {
                    **w,
                    "label": f.window_label(w),
                    "remaining": f.remaining(w["capacity"], taken.get(w["slot_id"], 0)),
                }
            )
            for w in windows
        ],
    ).model_dump(mode="json")
    assert out["items"] == [
        {
            "slot_id": "delivery-2026-01-12-09:00",
            "method": "delivery",
            "start": "2026-01-12T09:00:00Z",
            "end": "2026-01-12T12:00:00Z",
            "local_date": "2026-01-12",
            "local_start": "09:00",
            "local_end": "12:00",
            "label": "Monday 12 January, 09:00-12:00",
            "cutoff_at": "2026-01-12T09:00:00Z",
            "remaining": 10,
        },
        {
            "slot_id": "pickup-2026-01-12-10:00",
            "method": "pickup",
            "start": "2026-01-12T10:00:00Z",
            "end": "2026-01-12T11:00:00Z",
            "local_date": "2026-01-12",
            "local_start": "10:00",
            "local_end": "11:00",
            "label": "Monday 12 January, 10:00-11:00",
            "cutoff_at": "2026-01-12T10:00:00Z",
            "remaining": 0,
        },
    ]
