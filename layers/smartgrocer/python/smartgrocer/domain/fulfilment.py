"""Delivery and pickup windows, fees and minimum orders per seller. Pure: no I/O, no clock (`at` is passed in).

A seller's settings, stored in integer cents:

    {"timezone": "Europe/London",
     "delivery": {"enabled", "fee_cents", "free_over_cents" (None: never free), "min_order_cents",
                  "cutoff_hours", "slots": [{"weekday" 0-6 (Monday = 0), "start" "HH:MM", "end" "HH:MM", "capacity"}]},
     "pickup": {"enabled", "address", "cutoff_hours", "slots": [...]}}

A slot is a weekly rule ("Mondays 09:00-12:00, 20 orders"); a window is one concrete occurrence of it
("delivery-2026-03-30-09:00"), generated in the seller's time zone. Wall-clock times are what the
seller means, so a 09:00-12:00 window is 09:00-12:00 local time on the days the clocks change too
(its instant in UTC shifts). Two days a year a wall time is odd, and the choices are deliberate:
- a start or end that does not exist (the hour skipped when clocks go forward) is not offered that
  day: the seller never said what such a window would be, and no grocer delivers at 01:30 anyway;
- a start or end that happens twice (the hour repeated when clocks go back) is its first occurrence.

A window closes `cutoff_hours` before its start (elapsed hours, so across a clock change the
cut-off's wall time moves by the hour that changed). The card is authorised, never captured, at
checkout and the authorisation must be captured within 6 days (AUTH_CAPTURE_DEADLINE), so a window
is offered only when it ends within 6 days (`MAX_DAYS`) of the checkout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypedDict, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smartgrocer.errors import Conflict, Invalid
from smartgrocer.money import format_amount

Method = Literal["delivery", "pickup"]
METHODS: tuple[Method, ...] = ("delivery", "pickup")

MAX_DAYS = 6  # the authorisation is captured within 6 days of checkout: no window may end later
MAX_SLOTS = 50  # per method
MIN_CAPACITY, MAX_CAPACITY = 1, 500
MAX_CUTOFF_HOURS = 72
MAX_AMOUNT_CENTS = 100_000  # fee, free-delivery threshold and minimum order: at most 1000.00
MAX_ADDRESS_LENGTH = 300
MAX_TIMEZONE_LENGTH = 64

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Orders in these statuses hold their window's capacity; it is given back on cancel and on expiry
# (payment_failed). A delivered order keeps it: the window was used.
HOLDS_WINDOW = frozenset({"pending_payment", "confirmed", "packed", "out_for_delivery", "delivered"})

# ASCII digits only, matched whole (`fullmatch`: "$" would let a trailing newline through).
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_SLOT_ID = re.compile(r"(delivery|pickup)-([0-9]{4}-[0-9]{2}-[0-9]{2})-([0-9]{2}:[0-9]{2})")
# IANA names ("Europe/London", "America/Argentina/Buenos_Aires", "UTC"); what is on the host besides
# them is refused: "localtime" is the server's own zone, "right/..." counts leap seconds.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}")
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_NOT_ZONE_PREFIXES = ("posix/", "right/")
# API field names: the seller edits amounts, not cents.
_AMOUNT_FIELDS = (("fee_cents", "fee"), ("free_over_cents", "free_over"), ("min_order_cents", "min_order"))


class Problem(TypedDict):
    field: str  # dotted path in the API's terms, e.g. "delivery.slots.2.end"
    message: str


class Window(TypedDict):
    slot_id: str
    method: Method
    start: datetime  # aware, UTC
    end: datetime
    local_date: str  # "YYYY-MM-DD" in the seller's time zone: the day orders are listed and packed under
    local_start: str  # "HH:MM", as the seller wrote it
    local_end: str
    cutoff_at: datetime  # aware, UTC: orders are taken while `at < cutoff_at`
    capacity: int


class FreeDeliveryProgress(TypedDict):
    threshold_cents: int
    fee_cents: int  # what the shopper saves on reaching it
    remaining_cents: int  # 0 once reached
    reached: bool
    percent: int  # 0-100, rounded down: a bar at 100 % means free


# -- settings --------------------------------------------------------------------------------------


def zone(name: object) -> ZoneInfo | None:
    """The time zone called `name`, or None when it is not a real IANA zone name."""
    if not isinstance(name, str) or len(name) > MAX_TIMEZONE_LENGTH or not _ZONE_NAME.fullmatch(name):
        return None
    if name in _NOT_ZONES or name.startswith(_NOT_ZONE_PREFIXES):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _minutes(hhmm: object) -> int | None:
    """Minutes since midnight of an "HH:MM" time (00:00 to 23:59), e.g. 570 for "09:30"; None for anything else."""
    match = _HHMM.fullmatch(hhmm) if isinstance(hhmm, str) else None
    return int(match[1]) * 60 + int(match[2]) if match else None


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def validate_settings(settings: Mapping[str, Any]) -> list[Problem]:
    """Everything wrong with a seller's settings (internal shape, cents), in words a seller can act on;
    [] when they can be saved. Field paths use the API's names (`fee`, not `fee_cents`)."""
    problems: list[Problem] = []

    def problem(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    if zone(settings.get("timezone")) is None:
        problem("timezone", "is not a time zone we know: use a name like Europe/London or America/New_York")
    enabled = []
    for method in METHODS:
        block = settings.get(method)
        if block is None:
            continue  # a method left out is not offered
        if not isinstance(block, Mapping):
            problem(method, "must be an object with the settings for " + method)
            continue
        if not isinstance(block.get("enabled"), bool):
            problem(f"{method}.enabled", "must be true or false")
        elif block["enabled"]:
            enabled.append(method)
        if not _whole(block.get("cutoff_hours"), 0, MAX_CUTOFF_HOURS):
            problem(f"{method}.cutoff_hours", f"must be a whole number of hours from 0 to {MAX_CUTOFF_HOURS}")
        if method == "delivery":
            for key, name in _AMOUNT_FIELDS:
                value = block.get(key)
                if value is None and key == "free_over_cents":
                    continue  # no threshold: delivery is never free
                if not _whole(value, 0, MAX_AMOUNT_CENTS):
                    problem(f"delivery.{name}", f"must be an amount from 0.00 to {format_amount(MAX_AMOUNT_CENTS)}")
        elif block.get("enabled") is True:
            address = block.get("address")
            if not isinstance(address, str) or not address.strip():
                problem("pickup.address", "is needed when pickup is on: tell shoppers where to collect their orders")
            elif len(address) > MAX_ADDRESS_LENGTH:
                problem("pickup.address", f"must be at most {MAX_ADDRESS_LENGTH} characters")
        problems.extend(_slot_problems(method, block.get("slots"), block.get("enabled") is True))
    if not enabled and not any(p["field"].endswith(".enabled") for p in problems):
        problem("delivery.enabled", "turn on delivery, pickup or both: shoppers need a way to get their orders")
    return problems


def _slot_problems(method: str, slots: object, enabled: bool) -> list[Problem]:
    problems: list[Problem] = []
    if slots is None:
        slots = []
    if not isinstance(slots, list):
        return [{"field": f"{method}.slots", "message": "must be a list of windows"}]
    if len(slots) > MAX_SLOTS:
        problems.append({"field": f"{method}.slots", "message": f"at most {MAX_SLOTS} windows for {method}"})
    if enabled and not slots:
        problems.append({"field": f"{method}.slots", "message": f"add at least one window, or turn {method} off"})
    sound: list[tuple[int, int, int, int]] = []  # (weekday, start, end, index) of the slots that parse
    for index, slot in enumerate(slots):
        at = f"{method}.slots.{index}"
        if not isinstance(slot, Mapping):
            problems.append({"field": at, "message": "must be a window: weekday, start, end and capacity"})
            continue
        weekday, start, end = slot.get("weekday"), _minutes(slot.get("start")), _minutes(slot.get("end"))
        if not _whole(weekday, 0, 6):
            problems.append({"field": f"{at}.weekday", "message": "must be a day from 0 (Monday) to 6 (Sunday)"})
        for name, minutes in (("start", start), ("end", end)):
            if minutes is None:
                problems.append({"field": f"{at}.{name}", "message": "must be a time written HH:MM, 00:00 to 23:59"})
        if start is not None and end is not None and end <= start:
            problems.append(
                {
                    "field": f"{at}.end",
                    "message": f"must be after the start ({slot['start']}); a window cannot run past midnight",
                }
            )
        if not _whole(slot.get("capacity"), MIN_CAPACITY, MAX_CAPACITY):
            problems.append(
                {
                    "field": f"{at}.capacity",
                    "message": f"must be a whole number of orders from {MIN_CAPACITY} to {MAX_CAPACITY}",
                }
            )
        if _whole(weekday, 0, 6) and start is not None and end is not None and end > start:
            sound.append((cast(int, weekday), start, end, index))
    # Windows of one method on one weekday must not overlap (back to back is fine): a shopper could not
    # tell them apart, and two starting at the same time would share a slot id. Each window is compared
    # with the one reaching latest among those starting before it on that day.
    sound.sort()
    latest: tuple[int, int, int, int] | None = None
    for current in sound:
        if latest is not None and latest[0] == current[0] and current[1] < latest[2]:
            weekday, start, end, index = latest
            problems.append(
                {
                    "field": f"{method}.slots.{current[3]}.start",
                    "message": f"overlaps the {WEEKDAYS[weekday]} window {_hhmm(start)}-{_hhmm(end)} "
                    f"(number {index + 1} in the list): {method} windows on the same day must not overlap",
                }
            )
        if latest is None or latest[0] != current[0] or current[2] > latest[2]:
            latest = current
    return problems


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def settings_from_request(body: Mapping[str, Any]) -> dict:
    """The API's body (amounts already parsed to cents, named `fee`...) as stored settings (`fee_cents`...)."""
    stored: dict[str, Any] = {"timezone": body["timezone"]}
    for method in METHODS:
        block = dict(body.get(method) or {"enabled": False})
        block.setdefault("enabled", False)
        block.setdefault("cutoff_hours", 0)
        block["slots"] = [dict(slot) for slot in block.get("slots") or []]
        if method == "delivery":
            for key, name in _AMOUNT_FIELDS:
                block[key] = block.pop(name, None if key == "free_over_cents" else 0)
        else:
            block["address"] = block.get("address") or None
        stored[method] = block
    return stored


def settings_to_response(settings: Mapping[str, Any]) -> dict:
    """Stored settings as the API shows them: amounts as decimal strings."""
    shown: dict[str, Any] = {"timezone": settings["timezone"]}
    for method in METHODS:
        block = dict(settings.get(method) or {"enabled": False, "cutoff_hours": 0, "slots": []})
        out: dict[str, Any] = {
            "enabled": bool(block.get("enabled")),
            "cutoff_hours": block.get("cutoff_hours", 0),
            "slots": [
                {key: slot[key] for key in ("weekday", "start", "end", "capacity")} for slot in block.get("slots", [])
            ],
        }
        if method == "delivery":
            for key, name in _AMOUNT_FIELDS:
                cents = block.get(key, None if key == "free_over_cents" else 0)
                out[name] = None if cents is None else format_amount(cents)
        else:
            out["address"] = block.get("address")
        shown[method] = out
    return shown


# -- slot ids --------------------------------------------------------------------------------------


def slot_id(method: Method, local_date: date, start: str) -> str:
    """The id of a window, stable and readable: method, the seller's local date and start time, e.g.
    "delivery-2026-03-29-09:00"."""
    if method not in METHODS or _minutes(start) is None:
        raise ValueError(f"not a window: {method!r} at {start!r}")
    return f"{method}-{local_date.isoformat()}-{start}"


def parse_slot_id(value: object) -> tuple[Method, date, str]:
    """(method, local date, "HH:MM") of a slot id; 422 `invalid_window` for anything else."""
    match = _SLOT_ID.fullmatch(value) if isinstance(value, str) and len(value) <= 32 else None
    if match and _minutes(match[3]) is not None:
        try:
            day = date.fromisoformat(match[2])
        except ValueError:
            day = None
        if day is not None and day.isoformat() == match[2]:
            return cast(Method, match[1]), day, match[3]
    raise Invalid(
        'That is not one of the seller\'s windows: a window id looks like "delivery-2026-03-29-09:00".',
        code="invalid_window",
        details={"slot_id": value[:64] if isinstance(value, str) else None},  # echoed, so kept short
    )


# -- windows ---------------------------------------------------------------------------------------


def _instant(day: date, hhmm: str, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of wall time `hhmm` on `day` in `tz`: its first occurrence when the clocks go back,
    None when the clocks go forward over it (the time does not exist that day)."""
    minutes = cast(int, _minutes(hhmm))
    wall = datetime.combine(day, time(minutes // 60, minutes % 60))
    first = wall.replace(tzinfo=tz)  # fold=0: the earlier of two occurrences
    instant = first.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None  # a wall time in the gap maps to another wall time on the way back
    return instant


def _window(
    method: Method, block: Mapping[str, Any], slot: Mapping[str, Any], day: date, tz: ZoneInfo
) -> Window | None:
    start, end = _instant(day, slot["start"], tz), _instant(day, slot["end"], tz)
    if start is None or end is None:
        return None
    return {
        "slot_id": slot_id(method, day, slot["start"]),
        "method": method,
        "start": start,
        "end": end,
        "local_date": day.isoformat(),
        "local_start": slot["start"],
        "local_end": slot["end"],
        "cutoff_at": start - timedelta(hours=block.get("cutoff_hours") or 0),
        "capacity": slot["capacity"],
    }


def _aware_utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be an aware datetime")
    return at.astimezone(UTC)


def _seller_zone(settings: Mapping[str, Any]) -> ZoneInfo:
    tz = zone(settings.get("timezone"))
    if tz is None:  # stored settings are validated when saved: this is a bug or a hand-edited document
        raise ValueError(f"the seller's time zone {settings.get('timezone')!r} is unknown")
    return tz


def _offered(settings: Mapping[str, Any]) -> Iterator[tuple[Method, Mapping[str, Any]]]:
    for method in METHODS:
        block = settings.get(method)
        if block and block.get("enabled"):
            yield method, block


def upcoming_windows(settings: Mapping[str, Any], at: datetime, days: int = MAX_DAYS) -> list[Window]:
    """The windows a shopper can choose at `at`: open (their cut-off is after `at`) and ending within
    `days` x 24 hours of `at` (1 to 6), in time order across methods."""
    if not _whole(days, 1, MAX_DAYS):
        raise Invalid(f"days must be from 1 to {MAX_DAYS}.", code="invalid_days", details={"days": days})
    tz = _seller_zone(settings)
    now = _aware_utc(at)
    limit = now + timedelta(days=days)
    first, last = now.astimezone(tz).date(), limit.astimezone(tz).date()
    windows: list[Window] = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        for method, block in _offered(settings):
            for slot in block.get("slots") or []:
                if slot["weekday"] != day.weekday():
                    continue
                window = _window(method, block, slot, day, tz)
                if window and now < window["cutoff_at"] and window["end"] <= limit:
                    windows.append(window)
    windows.sort(key=lambda w: (w["start"], w["end"], w["method"]))
    return windows


def resolve_window(
    settings: Mapping[str, Any], slot_id: object, at: datetime, *, seller_name: str | None = None
) -> Window:
    """The window a checkout at `at` chose, or why it cannot have it (422): `invalid_window` (malformed,
    or no such window), `method_not_offered`, `window_closed` (past its cut-off, named in the seller's
    local time) or `window_too_far` (ends beyond the 6 days the payment can be held)."""
    method, day, start = parse_slot_id(slot_id)
    who = f"{seller_name}: " if seller_name else ""
    details = {"slot_id": slot_id, "method": method}
    block = settings.get(method)
    if not block or not block.get("enabled"):
        raise Invalid(_say(who, f"this seller does not offer {method}."), code="method_not_offered", details=details)
    tz = _seller_zone(settings)
    now = _aware_utc(at)
    horizon = now + timedelta(days=MAX_DAYS)
    what = f"the {method} window on {_day_label(day)} at {start}"
    # Far-off dates are answered before any arithmetic on them (year 1 or 9999 would overflow).
    if day < now.astimezone(tz).date() - timedelta(days=1):
        raise Invalid(_say(who, f"{what} has passed."), code="window_closed", details=details)
    if day > horizon.astimezone(tz).date():
        raise _too_far(who, what, details)
    slot = next(
        (s for s in block.get("slots") or [] if s["weekday"] == day.weekday() and s["start"] == start),
        None,
    )
    window = _window(method, block, slot, day, tz) if slot else None
    if window is None:  # no such slot, or its time does not exist that day (clocks going forward)
        raise Invalid(
            _say(
                who, f"there is no {method} window on {_day_label(day)} at {start}: choose one of the seller's windows."
            ),
            code="invalid_window",
            details=details,
        )
    if window["cutoff_at"] <= now:
        local = window["cutoff_at"].astimezone(tz)
        raise Invalid(
            _say(
                who,
                f"orders for {what} closed on {_day_label(local.date())} at {local:%H:%M} "
                f"({settings['timezone']} time): choose a later window.",
            ),
            code="window_closed",
            details={**details, "cutoff_at": window["cutoff_at"].isoformat()},
        )
    if window["end"] > horizon:
        raise _too_far(who, what, details)
    return window


def _too_far(who: str, what: str, details: dict) -> Invalid:
    return Invalid(
        _say(who, f"{what} is too far ahead: the payment can be held for {MAX_DAYS} days, so choose a sooner window."),
        code="window_too_far",
        details=details,
    )


def _day_label(day: date) -> str:
    """A day as "Sunday 29 March", in English whatever the server's locale."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def _say(who: str, text: str) -> str:
    """A sentence, after the seller's name when there is one ("Green Farm: the delivery window ...")."""
    return who + text if who else text[:1].upper() + text[1:]


def window_label(window: Window) -> str:
    """A window as "Sunday 29 March, 09:00-12:00" (the seller's local time), for mails and packing lists."""
    return f"{_day_label(date.fromisoformat(window['local_date']))}, {window['local_start']}-{window['local_end']}"


# -- fees and minimums -----------------------------------------------------------------------------


def delivery_fee_cents(settings: Mapping[str, Any], method: Method, goods_cents: int) -> int:
    """What an order pays on top of its goods: the delivery fee unless the goods reach `free_over`;
    pickup is free."""
    if method == "pickup":
        return 0
    if method != "delivery":
        raise ValueError(f"unknown method {method!r}")
    delivery = settings.get("delivery") or {}
    threshold = delivery.get("free_over_cents")
    if threshold is not None and goods_cents >= threshold:
        return 0
    return int(delivery.get("fee_cents") or 0)


def minimum_shortfall_cents(settings: Mapping[str, Any], method: Method, goods_cents: int) -> int:
    """How much more the goods must come to for this seller to take the order (0: enough). The minimum
    is a delivery rule (a van trip must be worth it); pickup has none unless one is set."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    minimum = (settings.get(method) or {}).get("min_order_cents") or 0
    return max(0, minimum - goods_cents)


def progress_to_free_delivery(settings: Mapping[str, Any], goods_cents: int) -> FreeDeliveryProgress | None:
    """How far a basket is from free delivery with this seller, for "add 4.50 for free delivery"; None
    when there is nothing to win (no delivery, no threshold, or no fee)."""
    delivery = settings.get("delivery") or {}
    threshold, fee = delivery.get("free_over_cents"), delivery.get("fee_cents") or 0
    if not delivery.get("enabled") or threshold is None or fee <= 0:
        return None
    remaining = max(0, threshold - goods_cents)
    percent = 100 if threshold == 0 else min(100, max(0, goods_cents) * 100 // threshold)
    return {
        "threshold_cents": threshold,
        "fee_cents": fee,
        "remaining_cents": remaining,
        "reached": remaining == 0,
        "percent": percent,
    }


# -- the errors checkout raises with a window in hand -------------------------------------------------


def fulfilment_missing(seller_id: str, seller_name: str) -> Invalid:
    return Invalid(
        f"Choose a delivery or pickup window for {seller_name}.",
        code="fulfilment_required",
        details={"seller_id": seller_id},
    )


def below_minimum(
    seller_id: str, seller_name: str, method: Method, shortfall_cents: int, minimum_cents: int
) -> Invalid:
    return Invalid(
        f"{seller_name} takes {method} orders from {format_amount(minimum_cents)}: "
        f"add {format_amount(shortfall_cents)} more from {seller_name}.",
        code="below_minimum_order",
        details={
            "seller_id": seller_id,
            "method": method,
            "minimum": format_amount(minimum_cents),
            "shortfall": format_amount(shortfall_cents),
        },
    )


def window_full(seller_id: str, seller_name: str, window: Window) -> Conflict:
    return Conflict(
        f"{seller_name}'s {window['method']} window {window_label(window)} is full: choose another.",
        code="window_full",
        details={"seller_id": seller_id, "slot_id": window["slot_id"]},
    )


# -- capacity bookkeeping (the adapter takes one place per order with a conditional update) -----------


def capacity_key(seller_id: str, slot_id: str) -> str:
    """The id of a window's capacity document: one per seller and window, e.g. "<seller>:delivery-2026-03-29-09:00"."""
    if not seller_id or ":" in seller_id:
        raise ValueError(f"not a seller id: {seller_id!r}")
    return f"{seller_id}:{slot_id}"


def remaining(capacity: int, taken: int) -> int:
    """Places left; never negative (a seller may lower a capacity below what is already taken)."""
    return max(0, capacity - taken)


def holds_window(order_status: str) -> bool:
    return order_status in HOLDS_WINDOW


def capacity_violations(
    taken_by_window: Mapping[str, int], live_orders_by_window: Mapping[str, int]
) -> list[dict[str, Any]]:
    """The invariant "capacity taken equals the live orders in the window", per capacity key: every key
    where the two differ (a key missing on one side counts 0), sorted by key; [] when it holds."""
    return [
        {"window": key, "taken": taken_by_window.get(key, 0), "live_orders": live_orders_by_window.get(key, 0)}
        for key in sorted(set(taken_by_window) | set(live_orders_by_window))
        if taken_by_window.get(key, 0) != live_orders_by_window.get(key, 0)
    ]
