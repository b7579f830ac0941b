"""Addresses as checkout and the address book take them, and the profile edit.

The rules (which countries, which fields, postcode patterns) live in `domain.addresses`; these models
only apply them, field by field, so a 422 names the field and says what is wrong in words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self, TypeVar

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from smartgrocer.domain import addresses
from smartgrocer.models.common import RequestModel, ResponseModel

T = TypeVar("T")


def in_words(kind: str, check: Callable[..., T], *args: object) -> T:
    """Run a domain check in a validator: its ValueError becomes a field error in the check's own words."""
    try:
        return check(*args)
    except ValueError as exc:  # our own message, without pydantic's "Value error, " prefix
        raise PydanticCustomError(kind, str(exc)) from None


class AddressIn(RequestModel):
    """A delivery address. `country` comes before `region` and `postal_code`: they are checked against it."""

    full_name: str = Field(min_length=1, max_length=120)
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(
        min_length=1,
        max_length=60,
        description="ISO 3166-1 alpha-2, one of the countries we deliver to: " + ", ".join(addresses.CODES),
        json_schema_extra={"enum": list(addresses.CODES)},
    )
    region: str | None = Field(
        default=None,
        max_length=100,
        validate_default=True,
        description="State, county or province, where the country has one (required for US, CA, AU, IE)",
    )
    postal_code: str | None = Field(
        default=None,
        max_length=16,
        validate_default=True,
        description="Checked against the country's pattern (ZIP code, postcode, Eircode...); "
        "stored in its usual form, e.g. 'sw1a2aa' becomes 'SW1A 2AA'",
    )
    phone: str | None = Field(default=None, max_length=32, description="7 to 15 digits, optionally +, spaces, dashes")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return in_words("country", addresses.country, value).code

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None, info: ValidationInfo) -> str | None:
        code = info.data.get("country")
        return in_words("region", addresses.check_region, value, code) if code else value

    @field_validator("postal_code")
    @classmethod
    def _postal_code(cls, value: str | None, info: ValidationInfo) -> str | None:
        code = info.data.get("country")
        return in_words("postal_code", addresses.check_postal_code, value, code) if code else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return in_words("phone", addresses.check_phone, value)

    @field_validator("line2")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class SavedAddressIn(AddressIn):
    """An address for the address book, with an optional label ("Home", "Work")."""

    label: str | None = Field(default=None, max_length=40)


class SavedAddressCreate(SavedAddressIn):
    is_default: bool = Field(default=False, strict=True, description="Make it the default (the first one always is)")


class SavedAddressOut(ResponseModel):
    id: str
    label: str | None
    full_name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str | None
    country: str
    phone: str | None
    is_default: bool
    etag: str = Field(description="This version of the address: send it as If-Match to edit it")
    formatted: list[str] = Field(description="The lines as the address's country writes them")


class AddressBookOut(ResponseModel):
    items: list[SavedAddressOut] = Field(description="The default first, then in the order they were added")
    max_items: int = Field(description="How many addresses a book holds at most")


class ProfileUpdate(RequestModel):
    full_name: str | None = Field(default=None, min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=32, description="null or empty clears it")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return in_words("phone", addresses.check_phone, value)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise PydanticCustomError("empty_update", "Send full_name, phone or both.")
        if "full_name" in self.model_fields_set and self.full_name is None:
            raise PydanticCustomError("full_name", "Your name cannot be empty.")
        return self
