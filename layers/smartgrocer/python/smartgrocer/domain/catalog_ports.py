"""What the catalog needs from the outside: a repository of product documents, the vocabulary search
corrects typos against and, for photos, object storage that can hand out presigned uploads.

Products are plain dicts in the stored shape (`_id`, `price_cents`, the sort keys `k_*`, `terms`,
`rev`, `seller_payable`, ...; `terms` holds the tagged search terms of `domain/search_text.py`, and
`search_pending` a token while the search postings derived from them may lag behind;
`seller_payable` says whether the seller's payout account is active: shoppers see only those). Only active products
are ever read or written through it: a soft-deleted product is gone as far as the catalog is concerned.

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
    # Search: a product matches when, for every group, it has at least one of the group's terms (one
    # group per query word, holding every stored term that word may match).
    term_groups: tuple[tuple[str, ...], ...] = ()
    # Only products of sellers who can be paid (`seller_payable`): what shoppers see. Off only for what a
    # seller reads of their own products.
    payable_only: bool = True


class ProductRepository(Protocol):
    """`owner`: a seller's id restricts the call to that seller's products; None reaches any product
    (admins). A product that is not active, or not the owner's, behaves exactly like a missing one."""

    def insert(self, doc: dict) -> None: ...

    def get(self, product_id: str, *, owner: str | None = None, payable_only: bool = False) -> dict | None:
        """`payable_only`: a product of a seller who cannot be paid behaves like a missing one (the public read)."""
        ...

    def page(self, where: ProductFilter, key_field: str, descending: bool, after: str | None, limit: int) -> list[dict]:
        """At most `limit` matching products ordered by the unique stored key `key_field`, starting
        strictly after the key `after` (keyset pagination: never an offset)."""
        ...

    def candidates(self, where: ProductFilter, limit: int) -> list[dict]:
        """At most `limit` matching products, newest first, as `_id`, `name`, `category`, `description` and
        `k_newest` only: what a search ranks before it reads the page it shows. May stop after examining a
        bounded number of posted products when filters other than the category turn most of them away."""
        ...

    def by_ids(self, product_ids: list[str]) -> list[dict]:
        """The active products among `product_ids`, in any order."""
        ...

    def post_search(self, product_ids: list[str]) -> int:
        """Bring the search postings of these products in line with the terms they store, and mark each one
        posted (clearing its `search_pending` token) unless another write changed it meanwhile; how many
        were marked. Idempotent: a crash part way is finished by calling it again."""
        ...

    def pending_search(self, limit: int) -> list[str]:
        """Products whose postings may not match what they store (a write stopped before `post_search`)."""
        ...

    def update(
        self, product_id: str, *, owner: str | None, changes: dict, increments: dict, expect: dict | None = None
    ) -> dict | None:
        """One atomic write: if the product exists (and still has the `expect`ed field values), set
        `changes`, add `increments`, stamp `updated_at`; the product as written, else None."""
        ...

    def category_counts(self) -> dict[str, int]:
        """Active products of payable sellers, by category."""
        ...

    def set_seller_payable(self, seller_id: str, payable: bool) -> int:
        """Set `seller_payable` on every product of the seller (one multi-document update); how many changed."""
        ...

    def low_stock(self, seller_id: str, threshold: int, limit: int, sold_by: str = "unit") -> list[dict]:
        """The seller's products sold this way with at most `threshold` in stock (items, or grams when
        sold by weight), lowest first."""
        ...


class SearchWords(Protocol):
    """The vocabulary of the catalog: every word products have used (singular, `search_text.vocabulary`),
    with a rank (2: seen in a name, 1: only in descriptions). Typos are corrected against it and "did you
    mean" picks from it. Words are only ever added: a word no product uses any more costs nothing, since
    what it suggests is checked against the products before it is shown."""

    def add(self, words: dict[str, int]) -> None:
        """Record the words (idempotent; a word keeps the highest rank it was given)."""
        ...

    def known(self, words: list[str]) -> set[str]:
        """Those of `words` in the vocabulary."""
        ...

    def near(self, grams: list[str], min_length: int, max_length: int, limit: int) -> dict[str, int]:
        """At most `limit` words (-> rank) sharing a trigram with `grams`, of a length in the range."""
        ...


@dataclass(frozen=True)
class StoredObject:
    """The start of an uploaded object, as a ranged read returns it."""

    first_bytes: bytes  # at most the length asked for (fewer when the object is shorter)
    size: int  # the whole object's size in bytes
    content_type: str  # as stored with the upload (the presigned POST pins the declared one)


class ImageStorage(Protocol):
    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int = 300) -> dict:
        """A browser-usable POST (`url`, `fields`) that can only store `key`, of that type and size."""
        ...

    def read_start(self, key: str, length: int) -> StoredObject | None:
        """The first `length` bytes of `key` (one ranged read), its size and type; None when nothing is stored there."""
        ...

    def delete(self, key: str) -> None:
        """Remove `key` (nothing happens when it is not there)."""
        ...
