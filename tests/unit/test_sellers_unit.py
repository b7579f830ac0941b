"""Unit tier for domain/sellers.py: payout accounts, the webhook's effect on the catalog, commission and
the checkout's payout terms, over in-memory fakes of the ports (no database, no runtime)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from smartgrocer import settings
from smartgrocer.domain import ports, sellers
from smartgrocer.domain.accounts import UserRepository
from smartgrocer.domain.catalog_ports import ProductFilter, ProductRepository
from smartgrocer.domain.checkout_ports import SellerRepository
from smartgrocer.domain.payments import PaymentGateway, PaymentProviderError
from smartgrocer.errors import Conflict, Invalid, NotFound, Unavailable
from tests.unit.fake_catalog import FakeProducts, FakeSellers

FARM = SimpleNamespace(user_id="farm", role="seller", email="farm@example.com", full_name="Greenfields Farm")
BAKERY = SimpleNamespace(user_id="bakery", role="seller", email="bake@example.com", full_name="The Bakehouse")
ADMIN = SimpleNamespace(user_id="root", role="admin", email="root@example.com", full_name="Root")


class FakeGateway:
    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}  # idempotency key -> account id
        self.links: list[tuple[str, str, str]] = []
        self.active: set[str] = set()  # accounts whose onboarding is complete at the provider
        self.fail = False

    def create_account(self, seller_id: str, email: str, idempotency_key: str) -> str:
        if self.fail:
            raise PaymentProviderError("down")
        return self.accounts.setdefault(idempotency_key, f"acct_{len(self.accounts) + 1}")

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        self.links.append((account_id, refresh_url, return_url))
        return f"https://connect.example/{account_id}"

    def account_status(self, account_id: str) -> str:
        if self.fail:
            raise PaymentProviderError("down")
        return "active" if account_id in self.active else "pending"


class FakeUsers:
    def __init__(self, users: dict[str, dict]) -> None:
        self.users = users

    def by_id(self, user_id, fields=None):
        return self.users.get(user_id)


@pytest.fixture
def world():
    used = (SellerRepository, PaymentGateway, ProductRepository, UserRepository)
    previous = {port: ports._factories.get(port) for port in used}
    fakes = SimpleNamespace(
        sellers=FakeSellers(),
        gateway=FakeGateway(),
        products=FakeProducts(),
        users=FakeUsers(
            {
                "farm": {"_id": "farm", "role": "seller", "full_name": "Greenfields Farm", "email": "farm@example.com"},
                "shopper": {"_id": "shopper", "role": "shopper", "full_name": "Sam", "email": "sam@example.com"},
            }
        ),
    )
    for port, fake in zip(used, (fakes.sellers, fakes.gateway, fakes.products, fakes.users), strict=True):
        ports.use(port, fake)
    yield fakes
    for port, factory in previous.items():
        if factory is not None:
            ports.register(port, factory)


def _product(fakes, pid: str, seller_id: str, payable: bool) -> None:
    fakes.products.docs[pid] = {
        "_id": pid,
        "seller_id": seller_id,
        "is_active": True,
        "seller_payable": payable,
        "category": "pantry",
        "price_cents": 100,
        "terms": [],
        "k_newest": pid,
    }


def _account(account_id: str, active: bool) -> dict:
    flags = {f: active for f in ("charges_enabled", "payouts_enabled", "details_submitted")}
    return {"id": account_id, "object": "account", **flags, "metadata": {}}


def test_a_seller_without_a_document_has_no_account(world):
    view = sellers.payout_account(FARM)
    assert view == {
        "status": "none",
        "account_id": None,
        "commission_bps": settings.PLATFORM_COMMISSION_BPS,
        "platform_commission_bps": settings.PLATFORM_COMMISSION_BPS,
        "updated_at": None,
    }
    assert not sellers.is_payable("farm")


def test_onboarding_creates_one_account_per_seller_and_links_to_the_dashboard(world):
    first = sellers.start_onboarding(FARM)
    second = sellers.start_onboarding(FARM)
    assert first == second == {"url": "https://connect.example/acct_1"}
    assert world.gateway.accounts == {"account-farm": "acct_1"}  # the key names the seller
    assert world.sellers.docs["farm"]["payouts"]["status"] == "pending"
    assert world.sellers.docs["farm"]["name"] == "Greenfields Farm"
    _, refresh_url, return_url = world.gateway.links[0]
    assert return_url.endswith("/seller?payouts=done") and refresh_url.endswith("/seller?payouts=refresh")


def test_onboarding_again_never_downgrades_an_active_account(world):
    sellers.start_onboarding(FARM)
    assert sellers.account_updated(_account("acct_1", True)) == "account_active"
    sellers.start_onboarding(FARM)
    assert sellers.payout_account(FARM)["status"] == "active"


def test_a_provider_outage_during_onboarding_is_503_and_stores_no_account(world):
    world.gateway.fail = True
    with pytest.raises(Unavailable) as refused:
        sellers.start_onboarding(FARM)
    assert refused.value.retry_after and refused.value.code == "payment_provider_unavailable"
    assert world.sellers.docs["farm"]["payouts"]["account_id"] is None


def test_the_webhook_moves_the_status_and_the_sellers_products(world):
    sellers.start_onboarding(FARM)
    _product(world, "p1", "farm", False)
    _product(world, "p2", "farm", False)
    _product(world, "q1", "bakery", False)
    assert sellers.account_updated(_account("acct_1", True)) == "account_active"
    assert {pid: d["seller_payable"] for pid, d in world.products.docs.items()} == {
        "p1": True,
        "p2": True,
        "q1": False,
    }
    assert [d["_id"] for d in world.products.page(ProductFilter(), "k_newest", True, None, 10)] == ["p2", "p1"]
    assert sellers.account_updated({**_account("acct_1", True), "payouts_enabled": False}) == "account_pending"
    assert not any(d["seller_payable"] for d in world.products.docs.values())
    assert world.products.get("p1", payable_only=True) is None
    assert world.products.get("p1", owner="farm") is not None  # the seller's own read


@pytest.mark.parametrize("account", [_account("acct_nobody", True), {"object": "account"}, {"id": 7}])
def test_an_unknown_account_changes_nothing(world, account):
    _product(world, "p1", "farm", False)
    assert sellers.account_updated(account) == "unknown_account"
    assert world.products.docs["p1"]["seller_payable"] is False


def test_payout_terms_name_every_seller_who_cannot_be_paid(world):
    sellers.start_onboarding(FARM)
    sellers.account_updated(_account("acct_1", True))
    assert sellers.payout_terms(["farm"]) == {"farm": {"account_id": "acct_1", "commission_bps": 1000}}
    with pytest.raises(Conflict) as refused:
        sellers.payout_terms(["bakery", "dairy", "farm"], {"bakery": "The Bakehouse", "dairy": "Dairy Barn"})
    error = refused.value
    assert error.status == 409 and error.code == "seller_not_payable"
    assert error.details == [
        {"seller_id": "bakery", "seller_name": "The Bakehouse"},
        {"seller_id": "dairy", "seller_name": "Dairy Barn"},
    ]
    assert error.message.startswith("The Bakehouse and Dairy Barn can't take orders yet")
    sellers.start_onboarding(BAKERY)  # pending is not enough
    with pytest.raises(Conflict) as pending:
        sellers.payout_terms(["bakery"])
    assert pending.value.message == (
        "The Bakehouse can't take orders yet: their payouts are not set up. Remove their products to check out."
    )


def test_commission_override_and_its_bounds(world):
    view = sellers.set_commission(ADMIN, "farm", 250)
    assert (view["commission_bps"], view["effective_commission_bps"], view["payout_status"]) == (250, 250, "none")
    assert sellers.payout_account(FARM)["commission_bps"] == 250
    sellers.start_onboarding(FARM)
    sellers.account_updated(_account("acct_1", True))
    assert sellers.payout_terms(["farm"])["farm"]["commission_bps"] == 250
    assert sellers.set_commission(ADMIN, "farm", None)["effective_commission_bps"] == settings.PLATFORM_COMMISSION_BPS
    for wrong in (-1, 5001, True):
        with pytest.raises(Invalid):
            sellers.set_commission(ADMIN, "farm", wrong)
    for nobody in ("shopper", "ghost"):
        with pytest.raises(NotFound):
            sellers.set_commission(ADMIN, nobody, 100)


def test_products_created_follow_the_sellers_status(world):
    from smartgrocer.domain import catalog
    from smartgrocer.domain.catalog_ports import SearchWords
    from tests.unit.fake_catalog import FakeSearchWords

    previous = ports._factories.get(SearchWords)
    ports.use(SearchWords, FakeSearchWords())
    try:
        fields = {"name": "Quince", "price": 120, "category": "fruit-veg", "stock": 3}
        before = catalog.create_product(FARM, fields)
        assert world.products.docs[before["id"]]["seller_payable"] is False
        sellers.start_onboarding(FARM)
        sellers.account_updated(_account("acct_1", True))
        after = catalog.create_product(FARM, fields)
        assert world.products.docs[after["id"]]["seller_payable"] is True
        assert catalog.get_product(after["id"])["id"] == after["id"]
    finally:
        if previous is not None:
            ports.register(SearchWords, previous)


def test_timestamps_are_millisecond_utc():
    moment = sellers.now()
    assert moment.tzinfo == UTC and moment.microsecond % 1000 == 0 and moment <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("https://shop.example.com", "https://shop.example.com/seller?payouts=done"),
        ("https://d111.cloudfront.net:443", "https://d111.cloudfront.net:443/seller?payouts=done"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/seller?payouts=done"),
        ("http://evil.example.com", "/seller?payouts=done"),  # plain http only on this machine
        ("https://a.example.com/path", "/seller?payouts=done"),
        ("javascript:alert(1)", "/seller?payouts=done"),
        (None, "/seller?payouts=done"),
    ],
)
def test_onboarding_returns_to_the_spa_that_asked(origin, expected):
    assert sellers.dashboard_urls(origin)[0] == expected


def test_a_pending_account_is_asked_about_when_its_webhook_has_not_come(world):
    sellers.start_onboarding(FARM)
    _product(world, "p1", "farm", False)
    assert sellers.payout_account(FARM)["status"] == "pending"  # the provider says pending too
    world.gateway.active.add("acct_1")  # onboarding finished; no webhook (lost, or not configured)
    world.gateway.fail = True
    assert sellers.payout_account(FARM)["status"] == "pending"  # provider down: the stored status stands
    world.gateway.fail = False
    assert sellers.payout_account(FARM)["status"] == "active"
    assert world.products.docs["p1"]["seller_payable"] is True
