"""Countries and address formats: validation and formatting per country, the checkout's address model,
the SPA's generated copy, and the address book's rules on in-memory storage."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from smartgrocer.domain import address_book, addresses, ports
from smartgrocer.errors import BadRequest, Conflict, NotFound, PreconditionFailed, PreconditionRequired
from smartgrocer.models.addresses import ProfileUpdate, SavedAddressCreate
from smartgrocer.models.orders import ShippingAddress

BASE = {"full_name": "Sam Shopper", "line1": "1 High Street", "city": "Town"}


def _errors(model, data) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}


# -- the country list ------------------------------------------------------------------------------


def test_the_marketplace_countries_are_listed_with_names():
    assert {"US", "GB", "CA", "IE", "AU", "NZ", "DE", "FR", "NL", "ES", "IT"} <= set(addresses.CODES)
    assert addresses.BY_CODE["GB"].name == "United Kingdom" and addresses.BY_CODE["NL"].name == "Netherlands"
    assert all(len(code) == 2 and code.isupper() for code in addresses.CODES)


def test_every_example_is_valid_for_its_country():
    for code, example in addresses.EXAMPLES.items():
        ShippingAddress.model_validate({"full_name": "A", **example, "country": code})


def test_labels_follow_the_country():
    assert addresses.BY_CODE["US"].postal.label == "ZIP code" and addresses.BY_CODE["US"].region.label == "State"
    assert addresses.BY_CODE["GB"].postal.label == "Postcode" and addresses.BY_CODE["GB"].region.label == "County"
    assert addresses.BY_CODE["CA"].region.label.startswith("Province")
    assert addresses.BY_CODE["DE"].region is None


# -- postcodes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "country, typed, stored",
    [
        ("US", "94105", "94105"),
        ("US", "94105-1234", "94105-1234"),
        ("GB", "sw1a2aa", "SW1A 2AA"),
        ("GB", "M1 1AE", "M1 1AE"),
        ("GB", " ec1a   1bb ", "EC1A 1BB"),
        ("CA", "k1m1m4", "K1M 1M4"),
        ("IE", "d02x285", "D02 X285"),
        ("NL", "1012js", "1012 JS"),
        ("DE", "10115", "10115"),
        ("FR", "75001", "75001"),
        ("ES", "28013", "28013"),
        ("IT", "00186", "00186"),
        ("AU", "2000", "2000"),
        ("NZ", "6011", "6011"),
    ],
)
def test_postcodes_are_accepted_and_stored_in_their_usual_form(country, typed, stored):
    assert addresses.check_postal_code(typed, country) == stored


@pytest.mark.parametrize(
    "country, typed, words",
    [
        ("US", "1234", "United States ZIP code"),
        ("US", "SW1A 1AA", "United States ZIP code"),
        ("GB", "12345", "United Kingdom postcode"),
        ("CA", "123 456", "Canada postal code"),
        ("DE", "1011", "Germany postcode"),
        ("NL", "1012", "Netherlands postcode"),
        ("AU", "20000", "Australia postcode"),
        ("IT", "RM123", "Italy CAP"),
    ],
)
def test_wrong_postcodes_are_refused_in_words(country, typed, words):
    with pytest.raises(ValueError) as caught:
        addresses.check_postal_code(typed, country)
    message = str(caught.value)
    assert words in message and addresses.BY_CODE[country].postal.example in message


def test_a_postcode_is_required_except_where_the_country_has_none_for_everyone():
    with pytest.raises(ValueError, match="Enter the ZIP code"):
        addresses.check_postal_code("", "US")
    assert addresses.check_postal_code(None, "IE") is None  # an Eircode is optional


# -- regions ---------------------------------------------------------------------------------------


def test_states_are_required_where_the_post_needs_them():
    for code in ("US", "CA", "AU", "IE"):
        with pytest.raises(ValueError, match="Enter the"):
            addresses.check_region(None, code)
    assert addresses.check_region("ny", "US") == "NY"
    assert addresses.check_region(None, "GB") is None
    with pytest.raises(ValueError, match="short code"):
        addresses.check_region("New York", "US")


def test_a_region_is_dropped_where_the_country_has_none():
    assert addresses.check_region("Bavaria", "DE") is None


# -- phone -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+44 20 7946 0958", "(415) 555-0100", "0612345678", "+1.415.555.0100"])
def test_sensible_phone_numbers_are_accepted(typed):
    assert addresses.check_phone(typed) == typed


@pytest.mark.parametrize(
    "typed, words",
    [
        ("12345", "between 7 and 15"),
        ("+1 555 CALL NOW", "digits"),
        ("1" * 16, "between 7 and 15"),
        ("++44 1234567", "digits"),
    ],
)
def test_unlikely_phone_numbers_are_refused_in_words(typed, words):
    with pytest.raises(ValueError, match=words):
        addresses.check_phone(typed)


def test_an_empty_phone_is_no_phone():
    assert addresses.check_phone("  ") is None and addresses.check_phone(None) is None


# -- formatting ------------------------------------------------------------------------------------


def test_us_writes_city_state_and_zip_on_one_line():
    lines = addresses.format_address(
        {**BASE, "city": "Springfield", "region": "IL", "postal_code": "62701", "country": "US", "line2": "Apt 4"}
    )
    assert lines == ["Sam Shopper", "1 High Street", "Apt 4", "Springfield, IL 62701", "United States"]


def test_gb_writes_the_town_then_the_postcode_on_its_own_line():
    lines = addresses.format_address({**BASE, "city": "London", "postal_code": "SW1A 2AA", "country": "GB"})
    assert lines == ["Sam Shopper", "1 High Street", "London", "SW1A 2AA", "United Kingdom"]


@pytest.mark.parametrize("code, name", [("DE", "Germany"), ("FR", "France"), ("NL", "Netherlands"), ("ES", "Spain")])
def test_continental_countries_write_the_postcode_before_the_city(code, name):
    lines = addresses.format_address({**BASE, "postal_code": "12345", "country": code})
    assert lines == ["Sam Shopper", "1 High Street", "12345 Town", name]


def test_italy_adds_the_province_after_the_city():
    lines = addresses.format_address({**BASE, "city": "Roma", "postal_code": "00186", "region": "RM", "country": "IT"})
    assert lines[2] == "00186 Roma RM"
    no_province = addresses.format_address({**BASE, "city": "Roma", "postal_code": "00186", "country": "IT"})
    assert no_province[2] == "00186 Roma"


def test_an_empty_field_takes_its_separator_with_it():
    # An old order from before states were asked for: no dangling comma.
    lines = addresses.format_address({**BASE, "postal_code": "62701", "country": "US"}, include_country=False)
    assert lines == ["Sam Shopper", "1 High Street", "Town 62701"]


def test_an_unlisted_country_still_formats():
    lines = addresses.format_address({**BASE, "postal_code": "1000", "country": "BE"}, include_name=False)
    assert lines == ["1 High Street", "Town 1000", "BE"]


# -- the checkout's model --------------------------------------------------------------------------


def test_checkout_refuses_a_country_we_do_not_deliver_to_in_words():
    errors = _errors(ShippingAddress, {**BASE, "postal_code": "1000", "country": "BE"})
    assert set(errors) == {"country"} and "don't deliver" in errors["country"] and "GB" in errors["country"]
    assert "country" in _errors(ShippingAddress, {**BASE, "postal_code": "1000", "country": "usa"})


def test_checkout_checks_the_postcode_and_state_against_the_country():
    errors = _errors(ShippingAddress, {**BASE, "postal_code": "SW1A 1AA", "country": "US"})
    assert set(errors) == {"region", "postal_code"}
    assert errors["postal_code"].startswith("'SW1A 1AA' is not a United States ZIP code")
    assert not errors["postal_code"].startswith("Value error")


def test_checkout_normalises_what_it_keeps():
    address = ShippingAddress.model_validate({**BASE, "postal_code": "sw1a2aa", "country": "gb", "line2": ""})
    assert (address.country, address.postal_code, address.line2) == ("GB", "SW1A 2AA", None)


def test_profile_update_needs_something_and_a_sensible_phone():
    assert "" in _errors(ProfileUpdate, {})
    assert "phone" in _errors(ProfileUpdate, {"phone": "12"})
    assert "full_name" in _errors(ProfileUpdate, {"full_name": ""})
    assert ProfileUpdate.model_validate({"phone": ""}).phone is None  # clearing it
    assert "email" in _errors(ProfileUpdate, {"email": "x@example.com"})  # not editable here


def test_oversized_fields_are_refused():
    assert "line1" in _errors(SavedAddressCreate, {**BASE, "line1": "x" * 201, "country": "DE", "postal_code": "10115"})
    assert "label" in _errors(SavedAddressCreate, {**BASE, "label": "x" * 41, "country": "DE", "postal_code": "10115"})


# -- the SPA's copy --------------------------------------------------------------------------------


def test_the_spa_copy_is_generated_from_these_rules():
    from local.countries import TARGET, render

    assert TARGET.read_text(encoding="utf-8") == render(), "run `make countries` and commit the result"


# -- the address book's rules, on in-memory storage ------------------------------------------------


class MemoryBooks:
    def __init__(self):
        self.books: dict[str, tuple[list[dict], int]] = {}
        self.lock = threading.Lock()
        self.interfere: list = []  # writes another "tab" makes just before our next save

    def load(self, user_id):
        with self.lock:
            entries, rev = self.books.get(user_id, ([], 0))
            return [dict(e) for e in entries], rev

    def save(self, user_id, expected_rev, entries, at):
        while self.interfere:
            self.interfere.pop(0)()
        with self.lock:
            if self.books.get(user_id, ([], 0))[1] != expected_rev:
                return False
            self.books[user_id] = ([dict(e) for e in entries], expected_rev + 1)
            return True


@pytest.fixture
def books():
    memory = MemoryBooks()
    ports.use(address_book.AddressBookRepository, memory)
    yield memory
    ports.reset()
    from smartgrocer import wiring

    wiring._install_profiles()


ME = SimpleNamespace(user_id="u1")


def _address(n: int) -> dict:
    return {**BASE, "label": f"Place {n}", "line1": f"{n} High Street", "postal_code": "10115", "country": "DE"}


def test_the_first_address_is_the_default_and_then_exactly_one(books):
    first = address_book.add_address(ME, _address(1))
    second = address_book.add_address(ME, _address(2))
    assert first["is_default"] and not second["is_default"]
    third = address_book.add_address(ME, _address(3), make_default=True)
    listed = address_book.list_addresses(ME)["items"]
    assert [a["id"] for a in listed if a["is_default"]] == [third["id"]] and listed[0]["id"] == third["id"]


def test_deleting_the_default_makes_the_oldest_other_one_the_default(books):
    ids = [address_book.add_address(ME, _address(n))["id"] for n in range(3)]
    address_book.make_default(ME, ids[2])
    address_book.delete_address(ME, ids[2])
    assert [(a["id"], a["is_default"]) for a in address_book.list_addresses(ME)["items"]] == [
        (ids[0], True),
        (ids[1], False),
    ]


def test_the_book_holds_at_most_ten_even_with_a_write_in_between(books):
    for n in range(9):
        address_book.add_address(ME, _address(n))
    # Another tab adds the tenth between our read and our write: ours is computed again, and refused.
    books.interfere.append(lambda: address_book.add_address(ME, _address(99)))
    with pytest.raises(Conflict) as caught:
        address_book.add_address(ME, _address(10))
    assert caught.value.code == "address_book_full" and "10 addresses" in caught.value.message
    assert len(address_book.list_addresses(ME)["items"]) == 10


def test_an_edit_needs_the_current_etag(books):
    saved = address_book.add_address(ME, _address(1))
    with pytest.raises(PreconditionRequired):
        address_book.update_address(ME, saved["id"], _address(2), None)
    with pytest.raises(BadRequest):
        address_book.update_address(ME, saved["id"], _address(2), "a1")
    edited = address_book.update_address(ME, saved["id"], _address(2), saved["etag"])
    assert edited["line1"] == "2 High Street" and edited["etag"] != saved["etag"]
    with pytest.raises(PreconditionFailed) as caught:
        address_book.update_address(ME, saved["id"], _address(3), saved["etag"])
    assert caught.value.details["current"]["line1"] == "2 High Street"


def test_another_users_address_is_not_found(books):
    saved = address_book.add_address(ME, _address(1))
    stranger = SimpleNamespace(user_id="u2")
    for attempt in (
        lambda: address_book.make_default(stranger, saved["id"]),
        lambda: address_book.delete_address(stranger, saved["id"]),
        lambda: address_book.update_address(stranger, saved["id"], _address(2), saved["etag"]),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert address_book.list_addresses(stranger)["items"] == []
