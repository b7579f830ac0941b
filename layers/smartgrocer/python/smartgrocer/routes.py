"""The route table: every HTTP endpoint and background function, declared once.

Read by the CDK stack (one Lambda per entry, least-privilege grants from `access`), by the local
runner (dispatch), by the OpenAPI generator and by the tests. A function folder
`functions/<name>/handler.py` exists for every entry and for nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Access(str, Enum):
    """AWS resources a function may touch; the stack turns each into a scoped grant."""

    MONGO = "mongo"  # MongoDB URI secret
    JWT = "jwt"  # JWT signing key secret
    IMAGES_UPLOAD = "images_upload"  # s3:PutObject on the images bucket `products/` prefix
    IMAGES_CHECK = "images_check"  # s3:GetObject, s3:DeleteObject there: photos are checked before they are attached
    EVENTS = "events"  # events:PutEvents on the order event bus
    MAIL = "mail"  # ses:SendEmail from the configured identity
    PAYMENTS = "payments"  # Stripe secret key (PaymentIntents, refunds, sellers' connected accounts)
    PAYMENT_WEBHOOK = "payment_webhook"  # Stripe webhook signing secret


class Throttle(str, Enum):
    DEFAULT = "default"
    STRICT = "strict"  # login, signup, checkout: abuse-prone flows


# The refresh token's HttpOnly cookie (web/session.py); the CDK stack forwards it to /api/auth/* only.
SESSION_COOKIE_NAME = "__Secure-sg_refresh"
SESSION_COOKIE_PATH = "/api/auth"

PUBLIC: frozenset[str] | None = None
ANY_USER: frozenset[str] = frozenset({"shopper", "seller", "admin"})
SELLER = frozenset({"seller"})
SELLER_OR_ADMIN = frozenset({"seller", "admin"})
ADMIN = frozenset({"admin"})

_M, _J = Access.MONGO, Access.JWT


@dataclass(frozen=True)
class Route:
    name: str  # function folder and Lambda logical name
    method: str
    path: str  # API Gateway form, e.g. /api/products/{id}
    roles: frozenset[str] | None  # None: public; otherwise the roles allowed in
    access: frozenset[Access]
    throttle: Throttle = Throttle.DEFAULT
    summary: str = ""
    cache_seconds: int = 0  # public reads CloudFront may cache (Cache-Control: public, s-maxage)
    # Authenticated by the refresh-token cookie rather than a bearer token: CSRF-checked (web/csrf.py),
    # and CloudFront forwards that cookie to it (only under /api/auth/).
    session_cookie: bool = False

    @property
    def resolver_path(self) -> str:
        """The same path in Powertools' `<param>` syntax."""
        return self.path.replace("{", "<").replace("}", ">")

    @property
    def is_public(self) -> bool:
        return self.roles is None


@dataclass(frozen=True)
class BackgroundFunction:
    name: str
    trigger: str  # "events" (order events), "schedule" (rate), "deploy" (runs on every deploy)
    access: frozenset[Access]
    summary: str = ""


def _r(
    name: str,
    method: str,
    path: str,
    roles: frozenset[str] | None,
    *access: Access,
    throttle: Throttle = Throttle.DEFAULT,
    summary: str = "",
    cache_seconds: int = 0,
    session_cookie: bool = False,
) -> Route:
    return Route(name, method, path, roles, frozenset(access), throttle, summary, cache_seconds, session_cookie)


ROUTES: tuple[Route, ...] = (
    _r("health", "GET", "/api/health", PUBLIC, _M, summary="Service and database health"),
    _r(
        "auth_signup",
        "POST",
        "/api/auth/signup",
        PUBLIC,
        _M,
        _J,
        Access.EVENTS,
        throttle=Throttle.STRICT,
        summary="Create an account",
    ),
    _r("auth_login", "POST", "/api/auth/login", PUBLIC, _M, _J, throttle=Throttle.STRICT, summary="Log in"),
    _r("auth_me", "GET", "/api/auth/me", ANY_USER, _M, _J, summary="The signed-in user"),
    _r(
        "auth_refresh",
        "POST",
        "/api/auth/refresh",
        PUBLIC,
        _M,
        _J,
        summary="Rotate the session cookie's refresh token",
        session_cookie=True,
    ),
    _r(
        "auth_logout",
        "POST",
        "/api/auth/logout",
        PUBLIC,
        _M,
        summary="End the session of the session cookie",
        session_cookie=True,
    ),
    _r("me_update", "PATCH", "/api/me", ANY_USER, _M, _J, summary="Change your name or phone"),
    # The address book lives in the user's document; every role may shop, so every role has one.
    _r(
        "me_addresses_list",
        "GET",
        "/api/me/addresses",
        ANY_USER,
        _M,
        _J,
        summary="Your saved delivery addresses, the default first",
    ),
    _r(
        "me_addresses_create",
        "POST",
        "/api/me/addresses",
        ANY_USER,
        _M,
        _J,
        summary="Save a delivery address (at most 10; the first is the default)",
    ),
    _r(
        "me_addresses_update",
        "PUT",
        "/api/me/addresses/{id}",
        ANY_USER,
        _M,
        _J,
        summary="Edit a saved address (If-Match: its ETag)",
    ),
    _r(
        "me_addresses_delete",
        "DELETE",
        "/api/me/addresses/{id}",
        ANY_USER,
        _M,
        _J,
        summary="Delete a saved address (deleting the default makes the oldest other one the default)",
    ),
    _r(
        "me_addresses_default",
        "POST",
        "/api/me/addresses/{id}/default",
        ANY_USER,
        _M,
        _J,
        summary="Make a saved address the default",
    ),
    _r(
        "auth_password_reset",
        "POST",
        "/api/auth/password-reset",
        PUBLIC,
        _M,
        Access.EVENTS,
        throttle=Throttle.STRICT,
        summary="Ask for a password reset link by mail (the same answer for any email)",
    ),
    _r(
        "auth_password_reset_confirm",
        "POST",
        "/api/auth/password-reset/confirm",
        PUBLIC,
        _M,
        throttle=Throttle.STRICT,
        summary="Set a new password with a reset link's token; ends every session",
    ),
    _r(
        "auth_password_change",
        "POST",
        "/api/auth/password",
        ANY_USER,
        _M,
        _J,
        throttle=Throttle.STRICT,
        summary="Change the password; ends every other session",
    ),
    _r("products_list", "GET", "/api/products", PUBLIC, _M, summary="Browse and search the catalog", cache_seconds=30),
    _r(
        "products_suggest",
        "GET",
        "/api/products/suggest",
        PUBLIC,
        _M,
        summary="Suggestions while typing a search: categories and product names",
        cache_seconds=60,
    ),
    _r("products_get", "GET", "/api/products/{id}", PUBLIC, _M, summary="One product", cache_seconds=30),
    _r("products_create", "POST", "/api/products", SELLER, _M, _J, Access.IMAGES_CHECK, summary="List a new product"),
    _r(
        "products_update",
        "PUT",
        "/api/products/{id}",
        SELLER_OR_ADMIN,
        _M,
        _J,
        Access.IMAGES_CHECK,
        summary="Edit a product",
    ),
    _r(
        "products_delete",
        "DELETE",
        "/api/products/{id}",
        SELLER_OR_ADMIN,
        _M,
        _J,
        summary="Remove a product (soft delete)",
    ),
    _r(
        "products_image_upload",
        "POST",
        "/api/products/{id}/images",
        SELLER,
        _M,
        _J,
        Access.IMAGES_UPLOAD,
        summary="Presigned upload for a product photo",
    ),
    _r(
        "categories_list",
        "GET",
        "/api/categories",
        PUBLIC,
        _M,
        summary="Categories with product counts",
        cache_seconds=60,
    ),
    _r(
        "orders_checkout",
        "POST",
        "/api/orders",
        ANY_USER,
        _M,
        _J,
        Access.PAYMENTS,
        Access.EVENTS,
        throttle=Throttle.STRICT,
        summary="Check out a basket",
    ),
    _r("orders_mine", "GET", "/api/orders/my-orders", ANY_USER, _M, _J, summary="The caller's orders"),
    _r("orders_get", "GET", "/api/orders/{id}", ANY_USER, _M, _J, summary="One order"),
    _r(
        "checkouts_get",
        "GET",
        "/api/checkouts/{id}",
        ANY_USER,
        _M,
        _J,
        Access.PAYMENTS,
        summary="The caller's checkout; while it awaits payment, how to resume the same payment",
    ),
    _r(
        "orders_update_status",
        "PATCH",
        "/api/orders/{id}/status",
        ANY_USER,
        _M,
        _J,
        Access.PAYMENTS,
        Access.EVENTS,
        summary="Move an order along its lifecycle",
    ),
    _r(
        "orders_pack",
        "POST",
        "/api/orders/{id}/pack",
        SELLER_OR_ADMIN,
        _M,
        _J,
        Access.PAYMENTS,
        Access.EVENTS,
        summary="Record what was packed (weights, short picks, substitutes); the last packing captures the payment",
    ),
    _r(
        "orders_refund",
        "POST",
        "/api/orders/{id}/refunds",
        SELLER_OR_ADMIN,
        _M,
        _J,
        Access.PAYMENTS,
        Access.EVENTS,
        summary="Refund part or all of a charged order; the seller's payout is reversed by their share",
    ),
    _r("seller_orders", "GET", "/api/seller/orders", SELLER, _M, _J, summary="A seller's incoming orders"),
    _r(
        "seller_payouts",
        "GET",
        "/api/seller/payouts",
        SELLER,
        _M,
        _J,
        summary="A seller's payouts per order: gross, commission, net, reversed, status, with totals",
    ),
    _r("seller_analytics", "GET", "/api/seller/analytics", SELLER, _M, _J, summary="A seller's sales figures"),
    # The edit form's fresh read. `products_get` may come from CloudFront's copy (up to 30 s old) and a
    # stale ETag would only earn the seller a 412; this route is outside `/api/products*`, so CloudFront
    # never caches it (`/api/*` has caching disabled) and the function answers `no-store` on top.
    _r(
        "seller_products",
        "GET",
        "/api/seller/products",
        SELLER,
        _M,
        _J,
        summary="The seller's own products, listed or not yet (payouts not set up), never cached",
    ),
    _r(
        "seller_product",
        "GET",
        "/api/seller/products/{id}",
        SELLER_OR_ADMIN,
        _M,
        _J,
        summary="One of the seller's products, read fresh for editing",
    ),
    _r(
        "seller_payout_account",
        "GET",
        "/api/seller/payouts/account",
        SELLER,
        _M,
        _J,
        Access.PAYMENTS,
        summary="The seller's payout account: none, pending (onboarding unfinished) or active",
    ),
    _r(
        "seller_payout_onboarding",
        "POST",
        "/api/seller/payouts/onboarding",
        SELLER,
        _M,
        _J,
        Access.PAYMENTS,
        summary="Start or resume onboarding with the payment provider: a link to its onboarding page",
    ),
    _r(
        "seller_fulfilment_get",
        "GET",
        "/api/seller/fulfilment",
        SELLER,
        _M,
        _J,
        summary="The seller's delivery and pickup settings: windows, fee, free-delivery threshold, minimum order",
    ),
    _r(
        "seller_fulfilment_put",
        "PUT",
        "/api/seller/fulfilment",
        SELLER,
        _M,
        _J,
        summary="Replace the seller's delivery and pickup settings (orders already placed keep theirs)",
    ),
    _r(
        "seller_packing_list",
        "GET",
        "/api/seller/packing-list",
        SELLER,
        _M,
        _J,
        summary="One window's live orders with their lines, and the lines summed by product",
    ),
    # Public like the catalog; the places left change with every checkout, so CloudFront may keep it only
    # briefly (checkout takes the place with its own conditional update: a stale count costs a 409 at most).
    _r(
        "sellers_slots",
        "GET",
        "/api/sellers/{id}/slots",
        PUBLIC,
        _M,
        summary="A seller's open delivery and pickup windows with the places left, and their delivery terms",
        cache_seconds=15,
    ),
    _r(
        "sellers_get",
        "GET",
        "/api/sellers/{id}",
        PUBLIC,
        _M,
        summary="A seller's public page: name, their own words, delivery and pickup terms (sellers who sell only)",
        cache_seconds=30,
    ),
    _r(
        "seller_profile_get",
        "GET",
        "/api/seller/profile",
        SELLER,
        _M,
        _J,
        summary="The seller's public page as they edit it: name, about text, whether shoppers can see it",
    ),
    _r(
        "seller_profile_put",
        "PUT",
        "/api/seller/profile",
        SELLER,
        _M,
        _J,
        summary="Replace the seller's about text (at most 500 characters) shown on their public page",
    ),
    _r(
        "payments_webhook",
        "POST",
        "/api/payments/webhook",
        PUBLIC,
        _M,
        Access.PAYMENT_WEBHOOK,
        Access.PAYMENTS,
        Access.EVENTS,
        summary="Stripe webhook",
    ),
    _r("admin_users_list", "GET", "/api/admin/users", ADMIN, _M, _J, summary="List and search users"),
    _r("admin_orders_list", "GET", "/api/admin/orders", ADMIN, _M, _J, summary="Find an order by its number"),
    _r(
        "admin_users_update",
        "PATCH",
        "/api/admin/users/{id}",
        ADMIN,
        _M,
        _J,
        summary="Activate or deactivate a user (a reason is required to deactivate)",
    ),
    _r(
        "admin_users_audit",
        "GET",
        "/api/admin/users/{id}/audit",
        ADMIN,
        _M,
        _J,
        summary="A user's moderation trail: who activated or deactivated them, when and why",
    ),
    _r(
        "admin_finance",
        "GET",
        "/api/admin/finance",
        ADMIN,
        _M,
        _J,
        summary="Money by day: captured, commission kept, refunds, transfers to sellers",
    ),
    _r(
        "admin_sellers_update",
        "PATCH",
        "/api/admin/sellers/{id}",
        ADMIN,
        _M,
        _J,
        summary="Set a seller's commission (basis points), or null for the platform's rate",
    ),
)

BACKGROUND_FUNCTIONS: tuple[BackgroundFunction, ...] = (
    BackgroundFunction("notifier", "events", frozenset({_M, Access.MAIL}), "Sends order and account email"),
    BackgroundFunction(
        "orders_expire",
        "schedule",
        frozenset({_M, Access.PAYMENTS, Access.EVENTS}),
        "The reconciler: closes interrupted and expired checkouts, finishes pending effects, "
        "checks the stock and money invariants",
    ),
    BackgroundFunction("apply_indexes", "deploy", frozenset({_M}), "Applies the declared MongoDB indexes"),
)

ROUTES_BY_NAME: dict[str, Route] = {r.name: r for r in ROUTES}
FUNCTION_NAMES: tuple[str, ...] = tuple(r.name for r in ROUTES) + tuple(b.name for b in BACKGROUND_FUNCTIONS)
