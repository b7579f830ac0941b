"""An in-memory ProductRepository with the port's semantics (see domain/catalog_ports.py), for unit tests
of the catalog without a database."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime

from smartgrocer.domain.catalog_ports import ProductFilter, revision
from smartgrocer.domain.search_text import trigrams


class FakeProducts:
    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.writes = 0
        # Runs inside `update`, before the compare: plays a writer that lands between the domain's read
        # and its write (a checkout taking stock, another tab saving).
        self.before_update: Callable[[dict], None] | None = None

    # -- the port -------------------------------------------------------------------------------
    def insert(self, doc: dict) -> None:
        assert doc["_id"] not in self.docs
        self.docs[doc["_id"]] = copy.deepcopy(doc)
        self.writes += 1

    def _live(self, product_id: str, owner: str | None) -> dict | None:
        doc = self.docs.get(product_id)
        if doc is None or not doc["is_active"] or (owner is not None and doc["seller_id"] != owner):
            return None
        return doc

    @staticmethod
    def _out(doc: dict) -> dict:
        return {k: copy.deepcopy(v) for k, v in doc.items() if k not in ("terms", "posted")}

    def get(self, product_id: str, *, owner: str | None = None, payable_only: bool = False) -> dict | None:
        doc = self._live(product_id, owner)
        if doc is not None and payable_only and doc.get("seller_payable") is not True:
            return None
        return self._out(doc) if doc else None

    @staticmethod
    def _matches(doc: dict, where: ProductFilter) -> bool:
        return (
            doc["is_active"]
            and (not where.payable_only or doc.get("seller_payable") is True)
            and (where.category is None or doc["category"] == where.category)
            and (where.seller_id is None or doc["seller_id"] == where.seller_id)
            and (where.min_price_cents is None or doc["price_cents"] >= where.min_price_cents)
            and (where.max_price_cents is None or doc["price_cents"] <= where.max_price_cents)
            and all(set(group) & set(doc["terms"]) for group in where.term_groups)
        )

    def page(self, where: ProductFilter, key_field: str, descending: bool, after: str | None, limit: int) -> list[dict]:
        def matches(doc: dict) -> bool:
            return self._matches(doc, where) and (
                after is None or (doc[key_field] < after if descending else doc[key_field] > after)
            )

        found = sorted((d for d in self.docs.values() if matches(d)), key=lambda d: d[key_field], reverse=descending)
        return [self._out(d) for d in found[:limit]]

    def candidates(self, where: ProductFilter, limit: int) -> list[dict]:
        found = sorted(
            (d for d in self.docs.values() if self._matches(d, where)), key=lambda d: d["k_newest"], reverse=True
        )
        ranked = ("_id", "name", "category", "description", "k_newest")
        return [{k: d[k] for k in ranked if k in d} for d in found[:limit]]

    def by_ids(self, product_ids: list[str]) -> list[dict]:
        return [self._out(self.docs[i]) for i in product_ids if i in self.docs and self.docs[i]["is_active"]]

    def post_search(self, product_ids: list[str]) -> int:
        # Matching reads the stored terms themselves: posting only clears the token.
        marked = [i for i in product_ids if self.docs.get(i, {}).pop("search_pending", None) is not None]
        return len(marked)

    def pending_search(self, limit: int) -> list[str]:
        return [i for i, d in self.docs.items() if d.get("search_pending")][:limit]

    def update(
        self, product_id: str, *, owner: str | None, changes: dict, increments: dict, expect: dict | None = None
    ) -> dict | None:
        if self.before_update:
            hook, self.before_update = self.before_update, None
            hook(self.docs[product_id])
        doc = self._live(product_id, owner)
        if doc is None:
            return None
        for field, value in (expect or {}).items():
            if (revision(doc) if field == "rev" else doc.get(field)) != value:
                return None
        doc.update(copy.deepcopy(changes))
        for field, amount in increments.items():
            doc[field] = doc.get(field, 0) + amount
        doc["updated_at"] = datetime.now(UTC)
        self.writes += 1
        return self._out(doc)

    def category_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for doc in self.docs.values():
            if doc["is_active"] and doc.get("seller_payable") is True:
                counts[doc["category"]] = counts.get(doc["category"], 0) + 1
        return counts

    def set_seller_payable(self, seller_id: str, payable: bool) -> int:
        changed = 0
        for doc in self.docs.values():
            if doc["seller_id"] == seller_id and doc.get("seller_payable") is not payable:
                doc["seller_payable"] = payable
                changed += 1
        return changed

    def low_stock(self, seller_id: str, threshold: int, limit: int) -> list[dict]:
        low = [
            d for d in self.docs.values() if d["seller_id"] == seller_id and d["is_active"] and d["stock"] <= threshold
        ]
        return [
            {"_id": d["_id"], "name": d["name"], "stock": d["stock"]}
            for d in sorted(low, key=lambda d: d["stock"])[:limit]
        ]

    # -- what other writers do (checkout's stock operations) ------------------------------------
    def take_stock(self, product_id: str, quantity: int, *, bump_rev: bool) -> None:
        doc = self.docs[product_id]
        doc["stock"] -= quantity
        if bump_rev:
            doc["rev"] = revision(doc) + 1


class FakeSearchWords:
    """An in-memory SearchWords (domain/catalog_ports.py)."""

    def __init__(self) -> None:
        self.words: dict[str, int] = {}

    def add(self, words: dict[str, int]) -> None:
        for word, rank in words.items():
            self.words[word] = max(rank, self.words.get(word, 0))

    def known(self, words: list[str]) -> set[str]:
        return {w for w in words if w in self.words}

    def near(self, grams: list[str], min_length: int, max_length: int, limit: int) -> dict[str, int]:
        found = [
            (w, r)
            for w, r in sorted(self.words.items())
            if min_length <= len(w) <= max_length and set(trigrams(w)) & set(grams)
        ]
        return dict(found[:limit])


class FakeSellers:
    """An in-memory SellerRepository (domain/checkout_ports.py). `everyone_active`: any seller not stored
    reads as one with an active account (catalog tests about something else than payouts)."""

    def __init__(self, everyone_active: bool = False) -> None:
        self.docs: dict[str, dict] = {}
        self.everyone_active = everyone_active

    def _default(self, seller_id: str) -> dict | None:
        if not self.everyone_active:
            return None
        at = datetime.now(UTC)
        payouts = {"account_id": f"acct_{seller_id}", "status": "active", "updated_at": at}
        return {"_id": seller_id, "name": seller_id, "email": "", "payouts": payouts, "commission_bps": None}

    def get(self, seller_id: str) -> dict | None:
        doc = self.docs.get(seller_id) or self._default(seller_id)
        return copy.deepcopy(doc) if doc else None

    def many(self, seller_ids: list[str]) -> dict[str, dict]:
        return {i: doc for i in seller_ids if (doc := self.get(i)) is not None}

    def ensure(self, seller_id: str, name: str, email: str, at: datetime) -> dict:
        if seller_id not in self.docs:
            self.docs[seller_id] = {
                "_id": seller_id,
                "name": name,
                "email": email,
                "payouts": {"account_id": None, "status": "none", "updated_at": at},
                "commission_bps": None,
                "created_at": at,
                "updated_at": at,
            }
        return copy.deepcopy(self.docs[seller_id])

    def set_account(self, seller_id: str, account_id: str, status: str, at: datetime) -> dict | None:
        doc = self.docs.get(seller_id)
        if doc is None or doc["payouts"]["account_id"] not in (None, account_id):
            return None
        if not (status != "active" and doc["payouts"]["status"] == "active"):
            doc["payouts"] = {"account_id": account_id, "status": status, "updated_at": at}
            doc["updated_at"] = at
        return copy.deepcopy(doc)

    def set_status_by_account(self, account_id: str, status: str, at: datetime) -> dict | None:
        for doc in self.docs.values():
            if doc["payouts"]["account_id"] == account_id:
                doc["payouts"] = {**doc["payouts"], "status": status, "updated_at": at}
                doc["updated_at"] = at
                return copy.deepcopy(doc)
        return None

    def get_fulfilment(self, seller_id: str) -> dict | None:
        return copy.deepcopy((self.docs.get(seller_id) or {}).get("fulfilment")) or None

    def set_fulfilment(self, seller_id: str, settings: dict, at: datetime) -> dict | None:
        doc = self.docs.get(seller_id)
        if doc is None:
            return None
        doc["fulfilment"] = copy.deepcopy(settings)
        doc["updated_at"] = at
        return copy.deepcopy(settings)

    def set_commission(self, seller_id: str, commission_bps: int | None, at: datetime) -> dict | None:
        doc = self.docs.get(seller_id)
        if doc is None:
            return None
        doc["commission_bps"], doc["updated_at"] = commission_bps, at
        return copy.deepcopy(doc)
