"""Entity tags: the version token a client reads (`ETag`) and sends back on a write (`If-Match`).

Only the header syntax lives here (RFC 9110 §8.8.3, §13.1.1); what a tag means is up to the
resource that issues it.
"""

from __future__ import annotations

import re

MAX_IF_MATCH_LENGTH = 1024  # a few tags; anything longer is not a client sending back what it read
_ENTITY_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e]*)"[ \t]*')
_EMPTY_ELEMENT = re.compile(r"[ \t]*,")


def quote(opaque: str) -> str:
    """The strong entity-tag for `opaque` (which must not contain a double quote)."""
    return f'"{opaque}"'


def parse_if_match(header: str) -> list[str] | None:
    """The opaque tags an If-Match header lists; None for `*` (any version).

    The weak form `W/"x"` names the same tag as `"x"`: CloudFront turns a strong ETag into a weak one
    when it compresses a cached response, and the tags we issue name a version of the resource, not a
    byte sequence, so a client that read the compressed copy still names the version it saw.
    Raises ValueError when the header is not `*` or a comma-separated list of quoted tags.
    """
    if len(header) > MAX_IF_MATCH_LENGTH:
        raise ValueError("If-Match is too long")
    if header.strip() == "*":
        return None
    tags: list[str] = []
    position = 0
    while position < len(header):
        empty = _EMPTY_ELEMENT.match(header, position)
        if empty:  # "a, , b": recipients accept empty list elements
            position = empty.end()
            continue
        match = _ENTITY_TAG.match(header, position)
        if not match:
            raise ValueError("If-Match is not a list of quoted entity tags")
        tags.append(match.group(2))
        position = match.end()
        if position < len(header):
            if header[position] != ",":
                raise ValueError("If-Match entity tags must be separated by commas")
            position += 1
    if not tags:
        raise ValueError("If-Match lists no entity tag")
    return tags
