"""What the catalog needs from the outside: a repository of product documents and, for photos,
object storage that can hand out presigned uploads.

Products are plain dicts in the stored shape (`_id`, `price_cents`, the sort keys `k_*`, `terms`,
`rev`, ...). Only active products are ever read or written through it: a soft-deleted product is
gone as far as the catalog is concerned.

Revisions: `rev` counts the writes to a product (1 on create). A product stored before revisions
existed has no `rev`; it is at revision 0, both when read (`revision`) and when an update expects a
revision (`expect={"rev": 0}` matches a product without the field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


def revision(doc: dict) -> int:
    return doc.get("rev") or 0


@dataclass(frozen=True)
class ProductFilter:
    """Which active products a listing shows (every criterion given must hold)."""

    category: str | None = None
    seller_id: str | None = None
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    terms: tuple[str, ...] = ()  # search terms; a product matches when it has all of them


class ProductRepository(Protocol):
    """`owner`: a seller's id restricts the call to that seller's products; None reaches any product
    (admins). A product that is not active, or not the owner's, behaves exactly like a missing one."""

    def insert(self, doc: dict) -> None: ...

    def get(self, product_id: str, *, owner: str | None = None) -> dict | None: ...

    def page(self, where: ProductFilter, key_field: str, descending: bool, after: str | None, limit: int) -> list[dict]:
        """At most `limit` matching products ordered by the unique stored key `key_field`, starting
        strictly after the key `after` (keyset pagination: never an offset)."""
        ...

    def update(
        self, product_id: str, *, owner: str | None, changes: dict, increments: dict, expect: dict | None = None
    ) -> dict | None:
        """One atomic write: if the product exists (and still has the `expect`ed field values), set
        `changes`, add `increments`, stamp `updated_at`; the product as written, else None."""
        ...

    def category_counts(self) -> dict[str, int]: ...

    def low_stock(self, seller_id: str, threshold: int, limit: int, sold_by: str = "unit") -> list[dict]:
        """The seller's products sold this way with at most `threshold` in stock (items, or grams when
        sold by weight), lowest first."""
        ...


class ImageStorage(Protocol):
    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int = 300) -> dict:
        """A browser-usable POST (`url`, `fields`) that can only store `key`, of that type and size."""
        ...
