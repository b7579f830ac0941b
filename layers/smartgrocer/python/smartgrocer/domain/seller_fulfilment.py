"""The sellers' fulfilment settings and the windows shoppers choose from (DESIGN.md section 12): the
shell around the pure rules of `domain/fulfilment.py`.

- `GET/PUT /api/seller/fulfilment`: a seller reads and replaces their settings, stored in cents in
  their `sellers` document (`fulfilment`). Every problem is answered at once (422 `invalid_fulfilment`,
  `details` = `[{field, message}]`) and nothing is stored. Orders already placed keep the window, fee
  and address they were placed with: nothing here touches them.
- `GET /api/sellers/{id}/slots?days=N`: the open windows of a seller who can be paid and has settings,
  each with what is left of its capacity (`WindowRepository.taken`), and the terms the basket shows
  (delivery fee, free-delivery threshold, minimum order, pickup address).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smartgrocer.domain import fulfilment, ports, sellers
from smartgrocer.domain.checkout_ports import SellerRepository, WindowRepository
from smartgrocer.errors import Invalid, NotFound
from smartgrocer.money import format_amount

DEFAULT_TIMEZONE = "UTC"


def _sellers() -> SellerRepository:
    return ports.resolve(SellerRepository)


def _windows() -> WindowRepository:
    return ports.resolve(WindowRepository)


def empty_settings() -> dict:
    """What a seller without settings sees in their form: both methods off, in UTC."""
    return fulfilment.settings_from_request({"timezone": DEFAULT_TIMEZONE})


def _view(stored: dict | None) -> dict:
    return {**fulfilment.settings_to_response(stored or empty_settings()), "configured": stored is not None}


def get_settings(principal) -> dict:
    """The signed-in seller's settings, or the empty default (`configured: false`) when they set none."""
    return _view(_sellers().get_fulfilment(principal.user_id))


def put_settings(principal, body: dict[str, Any]) -> dict:
    """Replace the signed-in seller's settings with `body` (the request model's dump: amounts in cents,
    under the API's names). 422 `invalid_fulfilment` naming every problem; nothing is stored then."""
    settings = fulfilment.settings_from_request(body)
    problems = fulfilment.validate_settings(settings)
    if problems:
        listed = "; ".join(f"{p['field']} {p['message']}" for p in problems)
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise Invalid(
            f"The delivery and pickup settings were not saved ({count}): {listed}.",
            code="invalid_fulfilment",
            details=problems,
        )
    at = sellers.now()
    _sellers().ensure(principal.user_id, principal.full_name or "", principal.email or "", at)
    stored = _sellers().set_fulfilment(principal.user_id, settings, at)
    if stored is None:  # the document was just ensured: only a concurrent delete could get here
        raise NotFound("No such seller.", code="no_such_seller")
    return _view(stored)


def delivery_terms(settings: dict) -> tuple[dict | None, dict | None]:
    """(delivery, pickup) as the basket and the seller's page show them; None for a method not offered."""
    delivery, pickup = settings.get("delivery") or {}, settings.get("pickup") or {}
    delivery_out = None
    if delivery.get("enabled"):
        free_over = delivery.get("free_over_cents")
        delivery_out = {
            "fee": format_amount(delivery.get("fee_cents") or 0),
            "free_over": None if free_over is None else format_amount(free_over),
            "min_order": format_amount(delivery.get("min_order_cents") or 0),
            "cutoff_hours": delivery.get("cutoff_hours") or 0,
        }
    pickup_out = None
    if pickup.get("enabled"):
        pickup_out = {"address": pickup.get("address") or "", "cutoff_hours": pickup.get("cutoff_hours") or 0}
    return delivery_out, pickup_out


def seller_slots(seller_id: str, days: int = fulfilment.MAX_DAYS, at: datetime | None = None) -> dict:
    """The windows a shopper can choose from this seller now (or at `at`), at most `days` (1-6) ahead,
    with the places each has left. 404 `no_such_seller` for a seller who does not exist, cannot be paid
    (they do not sell) or has no settings (their delivery is arranged by them: there is nothing to choose)."""
    doc = _sellers().get(seller_id)
    settings = (doc or {}).get("fulfilment")
    if doc is None or sellers.status_of(doc) != "active" or not settings:
        raise NotFound("No such seller, or they have no delivery or pickup windows.", code="no_such_seller")
    windows = fulfilment.upcoming_windows(settings, at or datetime.now(UTC), days)
    keys = {w["slot_id"]: fulfilment.capacity_key(seller_id, w["slot_id"]) for w in windows}
    taken = _windows().taken(list(keys.values())) if windows else {}
    delivery, pickup = delivery_terms(settings)
    return {
        "seller_id": seller_id,
        "seller_name": doc.get("name") or "",
        "timezone": settings["timezone"],
        "delivery": delivery,
        "pickup": pickup,
        "items": [
            {
                "slot_id": w["slot_id"],
                "method": w["method"],
                "start": w["start"],
                "end": w["end"],
                "local_date": w["local_date"],
                "local_start": w["local_start"],
                "local_end": w["local_end"],
                "label": fulfilment.window_label(w),
                "cutoff_at": w["cutoff_at"],
                "remaining": fulfilment.remaining(w["capacity"], taken.get(keys[w["slot_id"]], 0)),
            }
            for w in windows
        ],
    }
