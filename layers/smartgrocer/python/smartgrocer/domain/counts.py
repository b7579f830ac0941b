"""How many things an order or basket holds, said the same way everywhere (the SPA's `lib/counts.ts`
follows the same rule): a line sold by the unit counts its quantity, a weighed line counts as one item
(2 kg of apples is one bag of apples, shown with its weight)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def item_count(lines: Iterable[Mapping[str, Any]]) -> int:
    """Items in these lines (order lines or basket lines: `sold_by`, `quantity`, `weight_g`)."""
    return sum(1 if _weighed(line) else int(line.get("quantity") or 0) for line in lines)


def _weighed(line: Mapping[str, Any]) -> bool:
    return line.get("sold_by") == "weight" or (line.get("quantity") is None and line.get("weight_g") is not None)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 item", "2 items", "0 items"; "1 box", "3 boxes" with the plural given."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def items_label(lines: Iterable[Mapping[str, Any]]) -> str:
    return plural(item_count(lines), "item")
