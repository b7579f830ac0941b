"""Unit tier for the sellers' fulfilment shell (domain/seller_fulfilment.py, domain/packing_list.py) and the
demo sellers' settings (local/seed.py), over in-memory fakes of the ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from local.seed import CATALOG, FULFILMENT
from smartgrocer.domain import fulfilment, packing_list, ports, seller_fulfilment
from smartgrocer.domain.checkout_ports import SellerRepository, WindowRepository
from smartgrocer.errors import Invalid, NotFound
from smartgrocer.models.fulfilment import FulfilmentSettingsIn, PackingListOut, SellerSlotsOut
from tests.unit.fake_catalog import FakeSellers

FARM = SimpleNamespace(user_id="farm", role="seller", email="farm@example.com", full_name="Greenfields Farm")


class FakeWindows:
    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}

    def taken(self, keys: list[str]) -> dict[str, int]:
        return {k: self.docs[k]["taken"] for k in keys if k in self.docs}

    def reserve(self, key: str, window: dict, capacity: int, holder: str) -> bool:
        doc = self.docs.setdefault(key, {**window, "taken": 0, "holders": {}})
        if holder in doc["holders"]:
            return True
        if doc["taken"] >= capacity:
            return False
        doc["taken"] += 1
        doc["holders"][holder] = 1
        return True

    def release(self, key: str, holder: str) -> None:
        doc = self.docs.get(key)
        if doc and doc["holders"].pop(holder, None):
            doc["taken"] -= 1

    def ledgers(self, limit: int) -> list[dict]:
        return list(self.docs.values())[:limit]


class FakeReader:
    def __init__(self, docs: list[dict]) -> None:
        self.docs = docs

    def window_orders(self, seller_id: str, slot_id: str, local_date: str, statuses: tuple[str, ...]) -> list[dict]:
        return [
            d
            for d in self.docs
            if d["seller_id"] == seller_id and d["fulfilment"]["slot_id"] == slot_id and d["status"] in statuses
        ]


@pytest.fixture(autouse=True)
def restore_ports():
    """The fakes are for this module only: the real adapters come back after each test."""
    used = (SellerRepository, WindowRepository, packing_list.PackingListReader)
    previous = {port: ports._factories.get(port) for port in used}
    yield
    for port, factory in previous.items():
        if factory is None:
            ports._factories.pop(port, None)
            ports._instances.pop(port, None)
        else:
            ports.register(port, factory)


@pytest.fixture
def repos():
    sellers, windows = FakeSellers(), FakeWindows()
    ports.use(SellerRepository, sellers)
    ports.use(WindowRepository, windows)
    return sellers, windows


def _body(settings: dict) -> dict:
    return FulfilmentSettingsIn.model_validate(settings).model_dump()


# -- the demo sellers -----------------------------------------------------------------------------


def test_demo_settings_are_valid_and_the_corner_pantry_has_none():
    assert set(FULFILMENT) < set(CATALOG)
    assert "cornerpantry@demo.smartgrocer.test" not in FULFILMENT
    for email, settings in FULFILMENT.items():
        stored = fulfilment.settings_from_request(_body(settings))
        assert fulfilment.validate_settings(stored) == [], email


@pytest.mark.parametrize("email", sorted(FULFILMENT))
def test_every_demo_seller_always_has_an_open_window_within_six_days(email):
    """Every half hour of a fortnight around the spring clock change and of a plain week in summer."""
    stored = fulfilment.settings_from_request(_body(FULFILMENT[email]))
    for first in (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 7, 6, tzinfo=UTC)):
        for step in range(14 * 48):
            at = first + timedelta(minutes=30 * step)
            assert fulfilment.upcoming_windows(stored, at, fulfilment.MAX_DAYS), (email, at)


# -- settings -------------------------------------------------------------------------------------


def test_a_seller_without_settings_sees_the_empty_form(repos):
    shown = seller_fulfilment.get_settings(FARM)
    assert shown["configured"] is False
    assert shown["timezone"] == "UTC"
    assert shown["delivery"]["enabled"] is shown["pickup"]["enabled"] is False


def test_saved_settings_round_trip_and_problems_store_nothing(repos):
    sellers, _ = repos
    settings = FULFILMENT["greenfields@demo.smartgrocer.test"]
    shown = seller_fulfilment.put_settings(FARM, _body(settings))
    assert shown["configured"] is True
    assert shown["delivery"]["fee"] == "4.00" and shown["delivery"]["free_over"] == "40.00"
    assert sellers.get_fulfilment("farm")["delivery"]["fee_cents"] == 400
    assert seller_fulfilment.get_settings(FARM) == shown

    broken = {**settings, "timezone": "Mars/Olympus", "pickup": {"enabled": True, "slots": []}}
    with pytest.raises(Invalid) as refused:
        seller_fulfilment.put_settings(FARM, _body(broken))
    assert refused.value.code == "invalid_fulfilment"
    fields = {p["field"] for p in refused.value.details}
    assert {"timezone", "pickup.address", "pickup.slots"} <= fields
    assert "timezone is not a time zone we know" in refused.value.message
    assert sellers.get_fulfilment("farm")["timezone"] == "America/New_York"  # unchanged


# -- slots ----------------------------------------------------------------------------------------


def _payable_farm(sellers: FakeSellers, settings: dict | None) -> None:
    sellers.ensure("farm", "Greenfields Farm", "farm@example.com", datetime.now(UTC))
    sellers.set_account("farm", "acct_farm", "active", datetime.now(UTC))
    if settings is not None:
        sellers.set_fulfilment("farm", fulfilment.settings_from_request(_body(settings)), datetime.now(UTC))


def test_slots_count_the_places_taken_and_show_the_terms(repos):
    sellers, windows = repos
    farm = FULFILMENT["greenfields@demo.smartgrocer.test"]
    saturdays = {**farm["pickup"], "slots": [{"weekday": 5, "start": "09:00", "end": "13:00", "capacity": 30}]}
    _payable_farm(sellers, {**farm, "pickup": saturdays})  # delivery Tue and Fri, pickup on Saturdays
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)  # Monday morning in New York
    before = seller_fulfilment.seller_slots("farm", 6, at)
    assert [w["slot_id"] for w in before["items"]] == [
        "delivery-2026-03-03-09:00",
        "delivery-2026-03-06-09:00",
        "pickup-2026-03-07-09:00",
    ]
    assert [w["remaining"] for w in before["items"]] == [20, 20, 30]
    key = fulfilment.capacity_key("farm", "delivery-2026-03-03-09:00")
    window = {"seller_id": "farm", "slot_id": "delivery-2026-03-03-09:00", "start": at, "end": at}
    assert windows.reserve(key, window, 20, "c1") and windows.reserve(key, window, 20, "c1")
    after = SellerSlotsOut.model_validate(seller_fulfilment.seller_slots("farm", 6, at))
    assert [w.remaining for w in after.items] == [19, 20, 30]
    assert after.delivery is not None and (after.delivery.fee, after.delivery.free_over) == ("4.00", "40.00")
    assert after.delivery.min_order == "15.00"
    assert after.pickup is not None and after.pickup.address.startswith("Greenfields Farm shop")
    assert after.items[0].label == "Tuesday 3 March, 09:00-12:00"


@pytest.mark.parametrize("state", ["missing", "unpayable", "no_settings"])
def test_slots_are_404_unless_the_seller_sells_and_has_settings(repos, state):
    sellers, _ = repos
    if state == "unpayable":
        sellers.ensure("farm", "Greenfields Farm", "farm@example.com", datetime.now(UTC))
        stored = fulfilment.settings_from_request(_body(FULFILMENT["greenfields@demo.smartgrocer.test"]))
        sellers.set_fulfilment("farm", stored, datetime.now(UTC))
    elif state == "no_settings":
        _payable_farm(sellers, None)
    with pytest.raises(NotFound) as missing:
        seller_fulfilment.seller_slots("farm", 6)
    assert missing.value.code == "no_such_seller"


# -- packing list ---------------------------------------------------------------------------------


def _order(order_id: str, seller: str, slot: str, status: str, buyer: str, *items: dict) -> dict:
    return {
        "_id": order_id,
        "seller_id": seller,
        "status": status,
        "created_at": datetime(2026, 3, 1, tzinfo=UTC),
        "shipping_address": {"full_name": buyer, "line1": "1 Road", "city": "X", "postal_code": "1", "country": "US"},
        "fulfilment": {"method": slot.split("-")[0], "slot_id": slot, "label": "Tuesday 3 March, 09:00-12:00"},
        "items": list(items),
    }


def _unit(pid: str, name: str, qty: int) -> dict:
    return {"line_id": pid, "product_id": pid, "name": name, "unit": "each", "sold_by": "unit", "quantity": qty}


def _weighed(pid: str, name: str, grams: int) -> dict:
    return {"line_id": pid, "product_id": pid, "name": name, "unit": "kg", "sold_by": "weight", "weight_g": grams}


def test_the_packing_list_sums_units_and_grams_over_the_windows_live_orders():
    slot = "delivery-2026-03-03-09:00"
    ports.use(
        packing_list.PackingListReader,
        FakeReader(
            [
                _order("o1", "farm", slot, "confirmed", "Ada", _unit("p1", "Leeks", 2), _weighed("p2", "Apples", 750)),
                _order("o2", "farm", slot, "packed", "Bob", _unit("p1", "Leeks", 3), _weighed("p2", "Apples", 500)),
                _order("o3", "farm", slot, "cancelled", "Cy", _unit("p1", "Leeks", 9)),
                _order("o4", "other", slot, "confirmed", "Di", _unit("p1", "Leeks", 9)),
            ]
        ),
    )
    shown = PackingListOut.model_validate(packing_list.packing_list(FARM, slot))
    assert shown.order_count == 2 and [o.order_id for o in shown.orders] == ["o1", "o2"]
    assert [(p.name, p.quantity, p.weight_g, p.orders) for p in shown.products] == [
        ("Apples", None, 1250, 2),
        ("Leeks", 5, None, 2),
    ]
    assert shown.orders[0].buyer_name == "Ada" and shown.orders[0].address is not None
    with pytest.raises(Invalid) as malformed:
        packing_list.packing_list(FARM, "delivery-2026-02-30-09:00")
    assert malformed.value.code == "invalid_window"
