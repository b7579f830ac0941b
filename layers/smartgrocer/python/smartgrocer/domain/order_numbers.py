"""Order numbers: short, human and unique, e.g. `SG-7K3F-92`.

Six symbols of Crockford's base32 (digits and letters without I, L, O and U, so nothing reads as
another symbol or spells a word by accident), drawn from `secrets`: about a billion numbers, so two
orders rarely draw the same one, and the registry (`OrderNumberRegistry`, a unique key per number)
makes the second draw again. People type them back in any case, with or without dashes, and
Crockford's reading of the look-alikes (O as 0, I and L as 1) is accepted too.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
PREFIX = "SG"
SYMBOLS = 6
CLAIM_ATTEMPTS = 8  # a collision is about one in a billion per order already placed: 8 draws never all collide
EXAMPLE = "SG-7K3F-92"
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_number() -> str:
    """A fresh random number, formatted `SG-XXXX-XX`."""
    return _format("".join(secrets.choice(ALPHABET) for _ in range(SYMBOLS)))


def _format(symbols: str) -> str:
    return f"{PREFIX}-{symbols[:4]}-{symbols[4:]}"


def parse(text: str) -> str | None:
    """The canonical number a person typed, or None if it cannot be one: case and dashes do not matter,
    the `SG` prefix may be left out, `#` in front is ignored."""
    compact = _SEPARATORS.sub("", text.strip().lstrip("#")).upper()
    if len(compact) == SYMBOLS + len(PREFIX) and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    compact = compact.translate(_LOOK_ALIKES)
    if len(compact) != SYMBOLS or any(symbol not in ALPHABET for symbol in compact):
        return None
    return _format(compact)


def is_number(text: str) -> bool:
    """Whether `text` is a number exactly as we write it."""
    return parse(text) == text
