"""Sellers get paid: their payout account (a Connect Express account), the platform's commission on
their goods, and the rule that only sellers who can be paid sell.

A seller's profile is a `sellers` document (`SellerRepository`): `payouts.status` is `none` (no
account yet), `pending` (created, onboarding not finished) or `active` (money can reach it). The
seller starts onboarding (`start_onboarding`: one account per seller, whatever the retries, then a
single-use link to the provider's onboarding page); the provider's `account.updated` webhook moves
the status (`account_updated`), and with it the `seller_payable` flag of every product of the
seller, which is what the public catalog filters on. Checkout asks `payout_terms` for the sellers of
a basket: the account and the commission each order keeps, or 409 `seller_not_payable` naming every
seller who cannot be paid yet.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from smartgrocer import settings
from smartgrocer.domain import ports
from smartgrocer.domain.checkout_ports import SellerRepository
from smartgrocer.errors import Conflict, Invalid, NotFound, Unavailable

STATUSES = ("none", "pending", "active")
MAX_COMMISSION_BPS = 5000  # 50 %: anything above is a typo, not a business decision
# The SPA's seller dashboard (web/src/App.tsx, route "seller"): where the provider sends the seller back.
DASHBOARD_PATH = "/seller"


def now() -> datetime:
    """Millisecond precision, as BSON stores it: what we answer on a write is what a later read answers."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _sellers() -> SellerRepository:
    return ports.resolve(SellerRepository)


def _gateway():
    from smartgrocer.domain.payments import PaymentGateway

    return ports.resolve(PaymentGateway)


def _payouts(doc: dict | None) -> dict:
    return (doc or {}).get("payouts") or {}


def status_of(doc: dict | None) -> str:
    status = _payouts(doc).get("status")
    return status if status in STATUSES else "none"


def commission_of(doc: dict | None) -> int:
    """The seller's commission in basis points: an admin's override, else the platform's rate."""
    override = (doc or {}).get("commission_bps")
    if isinstance(override, int) and not isinstance(override, bool):
        return override
    return settings.PLATFORM_COMMISSION_BPS


def is_payable(seller_id: str) -> bool:
    """Whether money can reach the seller now: their products are listed and can be bought."""
    return status_of(_sellers().get(seller_id)) == "active"


def dashboard_urls(request_origin: str | None = None) -> tuple[str, str]:
    """(return_url, refresh_url): the seller dashboard. Stripe wants absolute URLs: on `SITE_URL` when
    set (a custom domain), else on the origin of the SPA that asked (its `Origin` header: the link is
    handed back to that same caller only, so it can only send that seller back where they came
    from), else relative (the local provider's page, on the SPA's own origin)."""
    origin = settings.SITE_URL.rstrip("/") or _web_origin(request_origin)
    return f"{origin}{DASHBOARD_PATH}?payouts=done", f"{origin}{DASHBOARD_PATH}?payouts=refresh"


def _web_origin(value: str | None) -> str:
    """`https://host[:port]` (or `http://` on this machine) from an Origin header, else ""."""
    match = re.fullmatch(
        r"(https://[A-Za-z0-9.-]{1,253}(?::\d{1,5})?|http://(?:127\.0\.0\.1|localhost)(?::\d{1,5})?)", value or ""
    )
    return match.group(1) if match else ""


# -- the seller's side -----------------------------------------------------------------------------


def _account_view(doc: dict | None) -> dict:
    payouts = _payouts(doc)
    return {
        "status": status_of(doc),
        "account_id": payouts.get("account_id"),
        "commission_bps": commission_of(doc),
        "platform_commission_bps": settings.PLATFORM_COMMISSION_BPS,
        "updated_at": payouts.get("updated_at"),
    }


def payout_account(principal) -> dict:
    """The signed-in seller's payout account: `none` until they start onboarding. While onboarding is
    unfinished the provider is asked directly: its webhook may be late or lost (and Stripe sends
    connected accounts' events to a Connect endpoint of its own), and its answer is the current truth,
    so an event delivered out of order cannot leave the status behind."""
    doc = _sellers().get(principal.user_id)
    if status_of(doc) == "pending" and _payouts(doc).get("account_id"):
        doc = _refresh_from_provider(_payouts(doc)["account_id"]) or doc
    return _account_view(doc)


def _refresh_from_provider(account_id: str) -> dict | None:
    from smartgrocer.domain.catalog_ports import ProductRepository
    from smartgrocer.domain.payments import PaymentProviderError

    try:
        status = _gateway().account_status(account_id)
    except PaymentProviderError:
        return None  # the stored status stands; the next look asks again
    if status != "active":
        return None
    doc = _sellers().set_status_by_account(account_id, status, now())
    if doc is not None:
        ports.resolve(ProductRepository).set_seller_payable(doc["_id"], True)
    return doc


def start_onboarding(
    principal, return_url: str | None = None, refresh_url: str | None = None, request_origin: str | None = None
) -> dict:
    """`{url}`: where the seller completes (or resumes) onboarding with the payment provider. The account
    is created once per seller (the provider's idempotency key is the seller's, so retries and parallel
    requests get the same account) and stored as `pending`, unless it is active already."""
    from smartgrocer.domain.payments import PaymentProviderError

    if return_url is None or refresh_url is None:
        default_return, default_refresh = dashboard_urls(request_origin)
        return_url, refresh_url = return_url or default_return, refresh_url or default_refresh
    seller_id = principal.user_id
    try:
        doc = _sellers().ensure(seller_id, principal.full_name, principal.email, now())
        account_id = _payouts(doc).get("account_id")
        if not account_id:
            account_id = _gateway().create_account(seller_id, principal.email, f"account-{seller_id}")
            stored = _sellers().set_account(seller_id, account_id, "pending", now())
            if stored is None:  # another account is stored for this seller: that one is theirs
                account_id = _payouts(_sellers().get(seller_id)).get("account_id") or account_id
        return {"url": _gateway().onboarding_link(account_id, refresh_url, return_url)}
    except PaymentProviderError:
        raise Unavailable(
            "The payment provider is not responding; please try again in a moment.",
            code="payment_provider_unavailable",
            retry_after=5,
        ) from None


# -- the seller's public page ----------------------------------------------------------------------

ABOUT_MAX = 500
# Line breaks and tabs are the seller's paragraphs; any other control character is not text anyone typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _profile_view(doc: dict) -> dict:
    return {
        "id": doc["_id"],
        "name": doc.get("name") or "",
        "about": doc.get("about") or "",
        "listed": status_of(doc) == "active",
        "updated_at": doc.get("updated_at"),
    }


def own_profile(principal) -> dict:
    """The signed-in seller's page as they edit it (`listed`: whether shoppers can see it yet)."""
    doc = _sellers().get(principal.user_id) or {"_id": principal.user_id, "name": principal.full_name or ""}
    return _profile_view(doc)


def set_about(principal, about: str) -> dict:
    """Replace the signed-in seller's "about" text (at most 500 characters, line breaks kept; empty clears it)."""
    text = about.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > ABOUT_MAX:
        raise Invalid(
            f"The about text is {len(text)} characters long; keep it to {ABOUT_MAX}.",
            details=[{"loc": ["body", "about"], "msg": f"at most {ABOUT_MAX} characters"}],
        )
    if _CONTROL.search(text):
        raise Invalid(
            "The about text contains characters that are not text (control characters); remove them.",
            details=[{"loc": ["body", "about"], "msg": "control characters"}],
        )
    _sellers().ensure(principal.user_id, principal.full_name or "", principal.email or "", now())
    doc = _sellers().set_about(principal.user_id, text, now())
    if doc is None:  # the document was just ensured: only a concurrent delete could get here
        raise NotFound("No such seller.", code="no_such_seller")
    return _profile_view(doc)


def public_page(seller_id: str) -> dict:
    """What shoppers see of a seller: name, their own words and how they deliver or hand over orders.
    404 `no_such_seller` for an id that is not a seller who can sell now (not a seller, or payouts not
    active): their products are not listed either, so there is nothing to show."""
    from smartgrocer.domain.seller_fulfilment import delivery_terms

    doc = _sellers().get(seller_id)
    if doc is None or status_of(doc) != "active":
        raise NotFound("No such seller.", code="no_such_seller")
    settings = doc.get("fulfilment") or {}
    delivery, pickup = delivery_terms(settings)
    return {
        "id": doc["_id"],
        "name": doc.get("name") or "",
        "about": doc.get("about") or "",
        "timezone": settings.get("timezone") if settings else None,
        "delivery": delivery,
        "pickup": pickup,
    }


# -- the provider's side ---------------------------------------------------------------------------


def account_updated(account: dict) -> str:
    """An `account.updated` webhook: the account's status moves, and the seller's products are listed or
    unlisted with it. The outcome recorded in the event log."""
    from smartgrocer.domain.catalog_ports import ProductRepository
    from smartgrocer.domain.payments import connected_account_status

    account_id = account.get("id") if isinstance(account, dict) else None
    if not isinstance(account_id, str) or not account_id:
        return "unknown_account"
    status = connected_account_status(account)
    doc = _sellers().set_status_by_account(account_id, status, now())
    if doc is None:
        return "unknown_account"
    ports.resolve(ProductRepository).set_seller_payable(doc["_id"], status == "active")
    return f"account_{status}"


# -- the platform's side ---------------------------------------------------------------------------


def seller_view(doc: dict) -> dict:
    payouts = _payouts(doc)
    return {
        "id": doc["_id"],
        "name": doc.get("name") or "",
        "email": doc.get("email") or "",
        "payout_status": status_of(doc),
        "account_id": payouts.get("account_id"),
        "commission_bps": doc.get("commission_bps"),
        "effective_commission_bps": commission_of(doc),
        "updated_at": doc.get("updated_at"),
    }


def set_commission(admin, seller_id: str, commission_bps: int | None) -> dict:
    """An admin's commission for one seller, in basis points (0-5000), or None for the platform's rate."""
    from smartgrocer.domain.accounts import UserRepository

    if commission_bps is not None and (
        isinstance(commission_bps, bool)
        or not isinstance(commission_bps, int)
        or not 0 <= commission_bps <= MAX_COMMISSION_BPS
    ):
        raise Invalid(
            f"commission_bps must be a whole number of basis points from 0 to {MAX_COMMISSION_BPS}, or null.",
            details=[{"loc": ["body", "commission_bps"], "msg": f"not in 0..{MAX_COMMISSION_BPS}"}],
        )
    user = ports.resolve(UserRepository).by_id(seller_id, ["role", "full_name", "email"])
    if not user or user.get("role") != "seller":
        raise NotFound("No such seller.")
    _sellers().ensure(seller_id, user.get("full_name") or "", user.get("email") or "", now())
    doc = _sellers().set_commission(seller_id, commission_bps, now())
    if doc is None:
        raise NotFound("No such seller.")
    return seller_view(doc)


# -- checkout --------------------------------------------------------------------------------------


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def payout_terms(seller_ids: list[str], names: dict[str, str] | None = None) -> dict[str, dict]:
    """`{seller_id: {account_id, commission_bps}}` for the sellers of a basket, the terms each order keeps;
    409 `seller_not_payable` naming every seller without an active account (`names`: the sellers' shop
    names as the basket shows them, for the message)."""
    docs = _sellers().many(list(seller_ids))
    terms: dict[str, dict] = {}
    unpayable: list[dict] = []
    for seller_id in seller_ids:
        doc = docs.get(seller_id)
        account_id = _payouts(doc).get("account_id")
        if status_of(doc) != "active" or not isinstance(account_id, str):
            name = (names or {}).get(seller_id) or (doc or {}).get("name") or "A seller"
            unpayable.append({"seller_id": seller_id, "seller_name": name})
            continue
        terms[seller_id] = {"account_id": account_id, "commission_bps": commission_of(doc)}
    if unpayable:
        who = _names([u["seller_name"] for u in unpayable])
        raise Conflict(
            f"{who} can't take orders yet: their payouts are not set up. Remove their products to check out.",
            code="seller_not_payable",
            details=unpayable,
        )
    return terms
