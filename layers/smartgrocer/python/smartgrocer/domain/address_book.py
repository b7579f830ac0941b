"""The address book and the profile: a user's saved delivery addresses, their name and phone.

The book is kept inside the user's document (`addresses`, at most MAX_ADDRESSES, with `addresses_rev`):
it is small and bounded, always read whole, and its rules span its entries (how many, which one is the
default), so one document holds them and every change is one compare-and-set on `addresses_rev`. A
change is computed on the book as read, then written only if nobody wrote in between; otherwise it is
computed again on the fresh book (two tabs adding at once both land, and the limit still holds).

Each entry has its own `rev`; its ETag names it, and an edit must send it back as If-Match (as product
edits do), so an edit made on an out-of-date form is a 412, not a silent overwrite. Deleting and
choosing the default need no precondition: they mean the same whatever changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from smartgrocer.domain import addresses, etags, ports
from smartgrocer.domain.ids import new_id
from smartgrocer.errors import BadRequest, Conflict, NotFound, PreconditionFailed, PreconditionRequired, Unauthorized

if TYPE_CHECKING:
    from datetime import datetime

MAX_ADDRESSES = 10
ENTRY_FIELDS = ("label", "full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
_ATTEMPTS = 8  # compare-and-set rounds before giving up: only a storm of writes to one book needs more
T = TypeVar("T")


class AddressBookRepository(Protocol):
    def load(self, user_id: str) -> tuple[list[dict], int] | None:
        """The user's entries and the book's revision (0 for a book never written); None: no such user."""

    def save(self, user_id: str, expected_rev: int, entries: list[dict], at: datetime) -> bool:
        """Replace the entries if the book is still at `expected_rev` (moving it on by one); False if not."""


class ProfileRepository(Protocol):
    def update_profile(self, user_id: str, changes: dict, at: datetime) -> dict | None:
        """Set `full_name` and/or `phone`; the updated user, or None when there is no such user."""


def _book() -> AddressBookRepository:
    return ports.resolve(AddressBookRepository)


# -- the profile -----------------------------------------------------------------------------------


def update_profile(principal, changes: dict) -> dict:
    """Name and phone; email and role are not the user's to change here."""
    from smartgrocer.domain.auth import now, public_user

    wanted = {key: changes[key] for key in ("full_name", "phone") if key in changes}
    user = ports.resolve(ProfileRepository).update_profile(principal.user_id, wanted, now())
    if user is None:
        raise Unauthorized("This account is not active.", code="inactive_account")
    return public_user(user)


# -- reading ---------------------------------------------------------------------------------------


def etag(entry: dict) -> str:
    return etags.quote(f"a{entry['rev']}")


def public_entry(entry: dict) -> dict:
    shown = {key: entry.get(key) for key in ENTRY_FIELDS}
    return {
        "id": entry["id"],
        **shown,
        "is_default": bool(entry.get("is_default")),
        "etag": etag(entry),
        "formatted": addresses.format_address(shown),
    }


def _ordered(entries: list[dict]) -> list[dict]:
    return sorted(entries, key=lambda entry: not entry.get("is_default"))  # stable: then as added


def list_addresses(principal) -> dict:
    loaded = _book().load(principal.user_id)
    if loaded is None:
        raise Unauthorized("This account is not active.", code="inactive_account")
    return {"items": [public_entry(e) for e in _ordered(loaded[0])], "max_items": MAX_ADDRESSES}


def default_address(user_id: str) -> dict | None:
    """The user's default address (for checkout and mail), or None when the book is empty."""
    loaded = _book().load(user_id)
    return next((public_entry(e) for e in loaded[0] if e.get("is_default")), None) if loaded else None


# -- changing --------------------------------------------------------------------------------------


def _change(principal, change: Callable[[list[dict]], tuple[list[dict], T]]) -> T:
    """Apply `change` (pure: the entries as read -> the new entries and the answer) with a compare-and-set
    on the book's revision, computing it again on the fresh book whenever another write got in first."""
    from smartgrocer.domain.auth import now

    for _ in range(_ATTEMPTS):
        loaded = _book().load(principal.user_id)
        if loaded is None:
            raise Unauthorized("This account is not active.", code="inactive_account")
        entries, rev = loaded
        new_entries, answer = change([dict(e) for e in entries])
        if _book().save(principal.user_id, rev, _with_one_default(new_entries), now()):
            return answer
    raise Conflict("Your address book is being changed elsewhere right now; try again.", code="address_book_busy")


def _with_one_default(entries: list[dict]) -> list[dict]:
    """Exactly one default whenever there are entries: the first marked one, else the oldest."""
    marked = next((e["id"] for e in entries if e.get("is_default")), entries[0]["id"] if entries else None)
    for entry in entries:
        entry["is_default"] = entry["id"] == marked
    return entries


def _find(entries: list[dict], address_id: str) -> dict:
    found = next((e for e in entries if e["id"] == address_id), None)
    if found is None:  # someone else's address is simply not in this book: the same answer
        raise NotFound("No such address in your address book.")
    return found


def _fields(address: dict) -> dict:
    return {key: address.get(key) for key in ENTRY_FIELDS}


def add_address(principal, address: dict, make_default: bool = False) -> dict:
    def change(entries: list[dict]) -> tuple[list[dict], dict]:
        if len(entries) >= MAX_ADDRESSES:
            raise Conflict(
                f"Your address book is full: it holds {MAX_ADDRESSES} addresses. Delete one you no longer use first.",
                code="address_book_full",
                details={"max_items": MAX_ADDRESSES},
            )
        entry = {"id": new_id(), **_fields(address), "is_default": False, "rev": 1}
        if make_default or not entries:
            for other in entries:
                other["is_default"] = False
            entry["is_default"] = True
        entries.append(entry)
        return entries, entry

    return public_entry(_change(principal, change))


def update_address(principal, address_id: str, address: dict, if_match: str | None) -> dict:
    """Replace an entry's fields (not whether it is the default), if it is still the version the
    client read."""
    tags = _required_tags(if_match)

    def change(entries: list[dict]) -> tuple[list[dict], dict]:
        entry = _find(entries, address_id)
        if etag(entry).strip('"') not in tags:
            raise _stale(entry)
        if _fields(entry) == _fields(address):
            return entries, entry  # nothing differs: same version, same ETag
        entry.update(_fields(address))
        entry["rev"] += 1
        return entries, entry

    return public_entry(_change(principal, change))


def make_default(principal, address_id: str) -> dict:
    def change(entries: list[dict]) -> tuple[list[dict], dict]:
        chosen = _find(entries, address_id)
        for entry in entries:
            entry["is_default"] = entry is chosen
        return entries, chosen

    return public_entry(_change(principal, change))


def delete_address(principal, address_id: str) -> None:
    """Remove it; if it was the default, the oldest remaining address becomes the default."""

    def change(entries: list[dict]) -> tuple[list[dict], None]:
        gone = _find(entries, address_id)
        return [e for e in entries if e is not gone], None

    _change(principal, change)


def _required_tags(if_match: str | None) -> list[str]:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Edits must say which version of the address they change: send If-Match with its ETag "
            "(the `etag` of the address as listed)."
        )
    try:
        tags = etags.parse_if_match(if_match)
    except ValueError:
        raise BadRequest(
            'If-Match must be the ETag you read, quotes included (for example "a3").', code="invalid_if_match"
        ) from None
    if tags is None:
        raise PreconditionRequired("If-Match: * would overwrite whatever is stored now; send the address's ETag.")
    return tags


def _stale(current: dict) -> PreconditionFailed:
    return PreconditionFailed(
        "This address was changed elsewhere after you opened it, so nothing was saved. "
        "Check the current version below, then make your change again.",
        code="stale_address",
        details={"current": public_entry(current)},
    )
