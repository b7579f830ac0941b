"""Countries we deliver to and how each writes an address: the one source of these rules.

Checkout and the address book validate with it, mail and pages format with it (`format_address`), and
the SPA reads the same data from a file generated from `spa_data()` (`python -m local.countries`;
a test keeps the committed copy current), so no other copy exists to drift.

An address is a dict with `full_name`, `line1`, `line2`, `city`, `region`, `postal_code`, `country`
and `phone` (the optional ones may be missing or None). Each country lists the lines it writes, as
templates over those fields (placeholders and the separators between them): a field left empty
disappears with the separator before it, and a line left empty disappears.

Pure and dependency-free on purpose: any function (and the notifier) may import it at no cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class RegionRule:
    label: str  # "State", "County", "Province"
    required: bool
    hint: str = ""
    pattern: str | None = None  # checked on the upper-cased value, e.g. US states as two letters


@dataclass(frozen=True)
class PostalRule:
    label: str  # "ZIP code", "Postcode", "Eircode"
    required: bool
    pattern: str | None  # full match on the upper-cased value with runs of spaces made one
    example: str
    # Written with a space before the last three characters (GB, CA, IE, NL style) when typed without one.
    space_before_last: int = 0


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    postal: PostalRule
    region: RegionRule | None
    lines: tuple[str, ...]  # the lines below the name, in the order the country writes them
    city_label: str = "Town or city"


_COUNTRY_LINE = "{country_name}"

COUNTRIES: tuple[Country, ...] = (
    Country(
        "AU",
        "Australia",
        PostalRule("Postcode", True, r"\d{4}", "2000"),
        RegionRule("State or territory", True, "e.g. NSW", r"[A-Z]{2,3}"),
        ("{line1}", "{line2}", "{city} {region} {postal_code}", _COUNTRY_LINE),
        city_label="Suburb or town",
    ),
    Country(
        "CA",
        "Canada",
        PostalRule("Postal code", True, r"[A-Z]\d[A-Z] \d[A-Z]\d", "K1A 0B1", space_before_last=3),
        RegionRule("Province or territory", True, "Two letters, e.g. ON", r"[A-Z]{2}"),
        ("{line1}", "{line2}", "{city} {region} {postal_code}", _COUNTRY_LINE),
    ),
    Country(
        "DE",
        "Germany",
        PostalRule("Postcode", True, r"\d{5}", "10115"),
        None,
        ("{line1}", "{line2}", "{postal_code} {city}", _COUNTRY_LINE),
    ),
    Country(
        "ES",
        "Spain",
        PostalRule("Postcode", True, r"\d{5}", "28001"),
        RegionRule("Province", False),
        ("{line1}", "{line2}", "{postal_code} {city}", "{region}", _COUNTRY_LINE),
    ),
    Country(
        "FR",
        "France",
        PostalRule("Postcode", True, r"\d{5}", "75001"),
        None,
        ("{line1}", "{line2}", "{postal_code} {city}", _COUNTRY_LINE),
    ),
    Country(
        "GB",
        "United Kingdom",
        PostalRule("Postcode", True, r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", "SW1A 1AA", space_before_last=3),
        RegionRule("County", False),
        ("{line1}", "{line2}", "{city}", "{region}", "{postal_code}", _COUNTRY_LINE),
    ),
    Country(
        "IE",
        "Ireland",
        PostalRule("Eircode", False, r"[A-Z]\d[\dW] [\dA-Z]{4}", "D02 X285", space_before_last=4),
        RegionRule("County", True, "e.g. Dublin"),
        ("{line1}", "{line2}", "{city}", "{region}", "{postal_code}", _COUNTRY_LINE),
    ),
    Country(
        "IT",
        "Italy",
        PostalRule("CAP", True, r"\d{5}", "00184"),
        RegionRule("Province", False, "Two letters, e.g. RM", r"[A-Z]{2}"),
        ("{line1}", "{line2}", "{postal_code} {city} {region}", _COUNTRY_LINE),
    ),
    Country(
        "NL",
        "Netherlands",
        PostalRule("Postcode", True, r"\d{4} [A-Z]{2}", "1012 JS", space_before_last=2),
        None,
        ("{line1}", "{line2}", "{postal_code} {city}", _COUNTRY_LINE),
    ),
    Country(
        "NZ",
        "New Zealand",
        PostalRule("Postcode", True, r"\d{4}", "6011"),
        None,
        ("{line1}", "{line2}", "{city} {postal_code}", _COUNTRY_LINE),
    ),
    Country(
        "US",
        "United States",
        PostalRule("ZIP code", True, r"\d{5}(-\d{4})?", "94105"),
        RegionRule("State", True, "Two letters, e.g. NY", r"[A-Z]{2}"),
        ("{line1}", "{line2}", "{city}, {region} {postal_code}", _COUNTRY_LINE),
    ),
)

BY_CODE: dict[str, Country] = {country.code: country for country in COUNTRIES}
CODES: tuple[str, ...] = tuple(BY_CODE)


def country(code: str) -> Country:
    """The country, or ValueError in words when we do not deliver there."""
    found = BY_CODE.get(code.strip().upper()) if isinstance(code, str) else None
    if found is None:
        raise ValueError(f"We don't deliver to {code!r}. Choose one of: {', '.join(CODES)}.")
    return found


# -- normalising and checking ----------------------------------------------------------------------


def normalise_postal_code(value: str, country_code: str) -> str:
    """Upper case, single spaces, and the country's space where it belongs ("sw1a1aa" -> "SW1A 1AA")."""
    text = " ".join(value.upper().split())
    rule = BY_CODE[country_code].postal
    if rule.space_before_last and " " not in text and len(text) > rule.space_before_last:
        text = f"{text[: -rule.space_before_last]} {text[-rule.space_before_last :]}"
    return text


def check_postal_code(value: str | None, country_code: str) -> str | None:
    """The postcode as stored, or ValueError in words (naming the country's own term and an example)."""
    rule = BY_CODE[country_code].postal
    name = BY_CODE[country_code].name
    if value is None or not value.strip():
        if rule.required:
            raise ValueError(f"Enter the {_lower_first(rule.label)}, e.g. {rule.example}.")
        return None
    text = normalise_postal_code(value, country_code)
    if rule.pattern and not re.fullmatch(rule.pattern, text):
        raise ValueError(f"{value.strip()!r} is not a {name} {_lower_first(rule.label)}; it looks like {rule.example}.")
    return text


def check_region(value: str | None, country_code: str) -> str | None:
    """The state/county/province as stored (None where the country has none), or ValueError in words."""
    rule = BY_CODE[country_code].region
    text = " ".join(value.split()) if value else ""
    if rule is None:
        return None  # not part of this country's addresses: dropped, never printed
    if not text:
        if rule.required:
            hint = f" ({_lower_first(rule.hint)})" if rule.hint else ""
            raise ValueError(f"Enter the {_lower_first(rule.label)}{hint}.")
        return None
    if rule.pattern:
        text = text.upper()
        if not re.fullmatch(rule.pattern, text):
            raise ValueError(f"Write the {_lower_first(rule.label)} as its short code ({_lower_first(rule.hint)}).")
    return text


def _lower_first(text: str) -> str:
    """For use inside a sentence: "State" -> "state", but "ZIP code" and "CAP" stay as they are."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() else text[:1].lower() + text[1:]


_PHONE_PUNCTUATION = re.compile(r"[ ()./\-]")
PHONE_CHARACTERS = r"\+?[0-9 ()./\-]+"
PHONE_DIGITS = (7, 15)


def check_phone(value: str | None) -> str | None:
    """A phone number as written (spaces tidied), or ValueError in words.

    Sensible rather than strict: digits with the usual punctuation, an optional leading `+`, and 7 to 15
    digits in all (the longest international number, E.164). Whether it rings is not ours to know."""
    if value is None or not value.strip():
        return None
    text = " ".join(value.split())
    digits = _PHONE_PUNCTUATION.sub("", text.removeprefix("+"))
    if not re.fullmatch(PHONE_CHARACTERS, text) or not digits.isdigit():
        raise ValueError("A phone number has digits, spaces, brackets or dashes, and may start with +.")
    if not PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]:
        raise ValueError(f"A phone number has between {PHONE_DIGITS[0]} and {PHONE_DIGITS[1]} digits.")
    return text


# -- formatting ------------------------------------------------------------------------------------


def _fill(template: str, values: dict[str, str]) -> str:
    """The line with its fields filled in. Each field brings the separator written before it, and the
    first field present drops its own: "{city}, {region} {postal_code}" without a state is "City 12345",
    not "City, 12345"."""
    parts = _PLACEHOLDER.split(template)  # literal, field, literal, field, ..., literal
    present = [(parts[i - 1], values.get(parts[i], "")) for i in range(1, len(parts), 2)]
    present = [(separator, value) for separator, value in present if value]
    if not present:
        return ""
    return present[0][1] + "".join(separator + value for separator, value in present[1:])


def format_address(address: dict, *, include_name: bool = True, include_country: bool = True) -> list[str]:
    """The address as its country writes it, one string per line (empty lines left out).

    An address for a country we no longer list (an old order) keeps a plain international order."""
    code = str(address.get("country") or "").upper()
    known = BY_CODE.get(code)
    values = {name: str(address.get(name) or "").strip() for name in ADDRESS_FIELDS}
    values["country_name"] = known.name if known else code
    templates = known.lines if known else ("{line1}", "{line2}", "{city} {region} {postal_code}", _COUNTRY_LINE)
    if not include_country:
        templates = tuple(t for t in templates if t != _COUNTRY_LINE)
    lines = [_fill(template, values) for template in templates]
    if include_name:
        lines.insert(0, values["full_name"])
    return [line for line in lines if line]


# -- the SPA's copy --------------------------------------------------------------------------------

EXAMPLES: dict[str, dict] = {
    "AU": {"line1": "1 George Street", "city": "Sydney", "region": "NSW", "postal_code": "2000"},
    "CA": {"line1": "24 Sussex Drive", "city": "Ottawa", "region": "ON", "postal_code": "K1M 1M4"},
    "DE": {"line1": "Invalidenstraße 117", "city": "Berlin", "postal_code": "10115"},
    "ES": {"line1": "Calle Mayor 1", "line2": "3º B", "city": "Madrid", "region": "Madrid", "postal_code": "28013"},
    "FR": {"line1": "8 rue de Rivoli", "city": "Paris", "postal_code": "75001"},
    "GB": {"line1": "10 Downing Street", "city": "London", "postal_code": "SW1A 2AA"},
    "IE": {"line1": "1 Grafton Street", "city": "Dublin 2", "region": "Dublin", "postal_code": "D02 X285"},
    "IT": {"line1": "Via del Corso 1", "city": "Roma", "region": "RM", "postal_code": "00186"},
    "NL": {"line1": "Damrak 1", "city": "Amsterdam", "postal_code": "1012 JS"},
    "NZ": {"line1": "1 Lambton Quay", "city": "Wellington", "postal_code": "6011"},
    "US": {
        "line1": "1 Market Street",
        "line2": "Suite 300",
        "city": "San Francisco",
        "region": "CA",
        "postal_code": "94105",
    },
}


def spa_data() -> dict:
    """Everything the SPA needs, as JSON: the countries, their fields and line templates, and one
    example per country with the lines this module formats it into (the SPA's formatter is tested
    against them, so the two cannot disagree unnoticed)."""
    countries = []
    for entry in COUNTRIES:
        example = {"full_name": "Sam Shopper", **EXAMPLES[entry.code], "country": entry.code}
        countries.append(
            {
                "code": entry.code,
                "name": entry.name,
                "city_label": entry.city_label,
                "region": None
                if entry.region is None
                else {
                    "label": entry.region.label,
                    "required": entry.region.required,
                    "hint": entry.region.hint,
                    "pattern": entry.region.pattern,
                },
                "postal_code": {
                    "label": entry.postal.label,
                    "required": entry.postal.required,
                    "pattern": entry.postal.pattern,
                    "example": entry.postal.example,
                    "space_before_last": entry.postal.space_before_last,
                },
                "lines": list(entry.lines),
                "example": {"address": example, "formatted": format_address(example)},
            }
        )
    return {"countries": countries, "phone": {"characters": PHONE_CHARACTERS, "digits": list(PHONE_DIGITS)}}
