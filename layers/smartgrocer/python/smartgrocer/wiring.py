"""The composition root: which adapter implements each domain port.

Imported by the function wrapper (`web.app`), the background functions and the local runtime.
Registering is cheap: each factory imports its adapter only when the port is first used, so a
function pays only for the adapters its route touches.
"""

from __future__ import annotations

from smartgrocer import settings
from smartgrocer.domain import ports


def _database():
    from smartgrocer.adapters.mongo import db

    return db()


def in_aws() -> bool:
    return bool(settings.env("AWS_LAMBDA_FUNCTION_NAME"))


# -- accounts (auth) --
from smartgrocer.domain.accounts import (  # noqa: E402
    AuditLog,
    PasswordResetRepository,
    RefreshTokenRepository,
    UserRepository,
)
from smartgrocer.domain.rate_limit import RateLimitRepository  # noqa: E402


def _mongo_accounts():
    from smartgrocer.adapters import mongo_accounts  # pymongo loads only when an accounts port is used

    return mongo_accounts


ports.register(UserRepository, lambda: _mongo_accounts().MongoUsers())
ports.register(RefreshTokenRepository, lambda: _mongo_accounts().MongoRefreshTokens())
ports.register(RateLimitRepository, lambda: _mongo_accounts().MongoRateLimits())
ports.register(PasswordResetRepository, lambda: _mongo_accounts().MongoPasswordResets())
ports.register(AuditLog, lambda: _mongo_accounts().MongoAuditLog())

# -- profile and address book (fields of the user's document) --


def _install_profiles() -> None:
    from smartgrocer.domain.address_book import AddressBookRepository, ProfileRepository

    def build():
        from smartgrocer.adapters.mongo_profiles import MongoProfiles

        return MongoProfiles()

    ports.register(AddressBookRepository, build)
    ports.register(ProfileRepository, build)


_install_profiles()

# -- catalog (products) --
from smartgrocer.domain import catalog_ports  # noqa: E402  (ports only: no domain logic, no adapter)


def _product_repository():
    from smartgrocer.adapters.mongo_catalog import MongoProductRepository  # pymongo loads on first use

    return MongoProductRepository(_database)


def _image_storage():
    from smartgrocer.adapters.s3_storage import S3ImageStorage  # boto3 loads on first use

    return S3ImageStorage(settings.env("IMAGES_BUCKET", "smartgrocer-images") or "smartgrocer-images")


def _search_words():
    from smartgrocer.adapters.mongo_catalog import MongoSearchWords

    return MongoSearchWords(_database)


ports.register(catalog_ports.ProductRepository, _product_repository)
ports.register(catalog_ports.SearchWords, _search_words)
ports.register(catalog_ports.ImageStorage, _image_storage)

# -- sellers (payout accounts, commission) --


def _sellers():
    from smartgrocer.adapters.mongo_sellers import MongoSellers

    return MongoSellers(_database)


def _install_sellers() -> None:
    from smartgrocer.domain.checkout_ports import SellerRepository

    ports.register(SellerRepository, _sellers)


_install_sellers()

# -- delivery and pickup windows (capacity, packing lists) --


def _windows(name: str):
    def build():
        from smartgrocer.adapters import mongo_windows

        return getattr(mongo_windows, name)(_database)

    return build


def _install_windows() -> None:
    from smartgrocer.domain.checkout_ports import WindowRepository
    from smartgrocer.domain.packing_list import PackingListReader

    ports.register(WindowRepository, _windows("MongoWindows"))
    ports.register(PackingListReader, _windows("MongoPackingList"))


_install_windows()

# -- money core (checkouts, orders, stock, payments) --


def _mongo(name: str):
    def build():
        from smartgrocer.adapters import mongo_checkouts

        return getattr(mongo_checkouts, name)(_database)

    return build


def payment_gateway():
    """Stripe in AWS, always: a missing or unknown PAYMENT_PROVIDER stops the function there. The local
    provider exists only in the local runtime (`local/`), which is not part of the layer."""
    provider = settings.env("PAYMENT_PROVIDER")
    if provider == "stripe":
        from smartgrocer.adapters.stripe_gateway import StripeGateway  # only payment functions import stripe

        return StripeGateway(settings.secret("STRIPE_SECRET_KEY"), settings.env("STRIPE_PUBLISHABLE_KEY"))
    if provider == "local" and not in_aws():
        from local.payment_provider import LocalPaymentGateway

        return LocalPaymentGateway()
    raise RuntimeError(
        f"PAYMENT_PROVIDER is {provider!r}: set it to 'stripe' (in AWS the stack does), or to "
        "'local' in the local runtime"
    )


def webhook_signatures():
    from smartgrocer.adapters.stripe_gateway import StripeWebhookSignatures

    return StripeWebhookSignatures(settings.secret("STRIPE_WEBHOOK_SECRET"))


def event_publisher():
    from smartgrocer.adapters import event_bus

    if settings.env("EVENT_BUS_NAME"):
        return event_bus.EventBridgePublisher(settings.env("EVENT_BUS_NAME"))
    if settings.env("LOCAL_EVENTS_ENDPOINT"):
        return event_bus.HttpEventPublisher(settings.env("LOCAL_EVENTS_ENDPOINT"))
    if in_aws():
        raise RuntimeError("EVENT_BUS_NAME is not set: order events would be lost")
    return event_bus.DiscardingPublisher()


def _support(name: str):
    def build():
        from smartgrocer.adapters import mongo_support

        return getattr(mongo_support, name)(_database)

    return build


def mailer():
    from smartgrocer.adapters.ses_mailer import SesMailer

    return SesMailer(settings.env("MAIL_FROM", "no-reply@smartgrocer.test"), settings.env("SES_CONFIGURATION_SET"))


def _install_money_core() -> None:
    from smartgrocer.domain.checkout_ports import (
        CheckoutRepository,
        OrderNumberRegistry,
        OrderRepository,
        PaymentEventLog,
        StockRepository,
    )
    from smartgrocer.domain.events import EventPublisher
    from smartgrocer.domain.health import DatabaseProbe
    from smartgrocer.domain.idempotency import IdempotencyRecords
    from smartgrocer.domain.notifications import Mailer, SentNotifications
    from smartgrocer.domain.payments import PaymentGateway, WebhookSignatures

    ports.register(CheckoutRepository, _mongo("MongoCheckouts"))
    ports.register(OrderRepository, _mongo("MongoOrders"))
    ports.register(OrderNumberRegistry, _mongo("MongoOrderNumbers"))
    ports.register(StockRepository, _mongo("MongoStock"))
    ports.register(PaymentEventLog, _mongo("MongoPaymentEvents"))
    ports.register(PaymentGateway, payment_gateway)
    ports.register(WebhookSignatures, webhook_signatures)
    ports.register(EventPublisher, event_publisher)
    ports.register(Mailer, mailer)
    ports.register(SentNotifications, _mongo("MongoSentNotifications"))
    ports.register(IdempotencyRecords, _support("MongoIdempotencyRecords"))
    ports.register(DatabaseProbe, _support("MongoProbe"))


def check_payment_provider() -> None:
    """In AWS, a payment function with a missing or unknown provider fails at start, loudly."""
    if in_aws() and settings.env("STRIPE_SECRET_KEY_ARN") and settings.env("PAYMENT_PROVIDER") != "stripe":
        raise RuntimeError(f"PAYMENT_PROVIDER is {settings.env('PAYMENT_PROVIDER')!r} in AWS; it must be 'stripe'")


def _business_metrics():
    from smartgrocer.adapters.emf_metrics import EmfMetrics

    return EmfMetrics()


def _install_metrics() -> None:
    from smartgrocer.domain.metrics import BusinessMetrics

    ports.register(BusinessMetrics, _business_metrics)


_install_money_core()
_install_metrics()
check_payment_provider()
