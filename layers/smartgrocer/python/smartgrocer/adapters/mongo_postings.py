"""Search postings: the products' search terms as an inverted index (`search_postings`), so that a search
reads a few index ranges instead of testing every product's `terms` array (docs/architecture.md, "Search").

One document per (term, day, category), bucketing the postings of that term: `_id` and `k` are
"<term> <yyyymmdd> <category>" and `ids` holds the sort keys (`k_newest`: creation time, then id) of the
active products that store the term, were created that day and are in that category. Reads are ranges
on `k` (indexed), newest day first: on nx-27017 a range on an indexed field is an index range, while
a range on `_id` or membership in an array is a scan of the collection. Buckets rather than one document
per (term, product): a product has up to 120 terms, and nx-27017 inserts a couple of thousand documents a
second, so a posting per term and product would take an hour to load at 100 000 products.

Postings are derived data. The product documents stay authoritative: every candidate read here is
fetched again from `products` with the search's terms and filters, so a stale posting can hide a
product until it is repaired, never show a wrong one. A write stores the product (terms, and a new
`search_pending` token), then `post` brings the buckets in line (pulls the key from the buckets the
product was posted in, `posted`, that it no longer belongs to; adds it to the new ones), then marks the
product posted if its token is still the one it read. Every step is idempotent; a crash in between
leaves the token, and the apply-indexes step (`indexes.backfill_search`) posts every product still
holding one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from pymongo import UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError

DAY = 8  # leading characters of `k_newest` naming a bucket's day
PAGE, PAGE_MAX = 12, 96  # buckets per read, first and most: the first holds a day of every category
_STATE = {"terms": 1, "category": 1, "k_newest": 1, "is_active": 1, "posted": 1, "search_pending": 1}


def bucket(term: str, day: str, category: str) -> str:
    return f"{term} {day} {category}"


def buckets_of(doc: dict) -> list[str]:
    """The buckets an (active) product's key belongs in, from its stored terms."""
    if not doc.get("is_active") or not isinstance(doc.get("k_newest"), str):
        return []
    day, category = doc["k_newest"][:DAY], doc.get("category") or ""
    return sorted({bucket(term, day, category) for term in doc.get("terms") or []})


def documents(products: Iterable[dict]) -> list[dict]:
    """The bucket documents of these products, as a bulk load writes them (bench, tests)."""
    found: dict[str, list[str]] = {}
    for doc in products:
        for name in buckets_of(doc):
            found.setdefault(name, []).append(doc["k_newest"])
    return [{"_id": name, "k": name, "c": name.rsplit(" ", 1)[1], "ids": sorted(keys)} for name, keys in found.items()]


def intersect(streams: list[Iterator[str]]) -> Iterator[str]:
    """Keys present in every stream; each stream (strictly descending) and the result descending."""
    heads: list[str] = []
    for stream in streams:
        head = next(stream, None)
        if head is None:
            return
        heads.append(head)
    while heads:
        low = min(heads)
        matched = all(h == low for h in heads)
        if matched:
            yield low
        for i, stream in enumerate(streams):
            if matched or heads[i] > low:
                head = next(stream, None)
                while head is not None and head > low:
                    head = next(stream, None)
                if head is None:
                    return
                heads[i] = head


def union(streams: list[Iterator[str]]) -> Iterator[str]:
    """Keys present in any stream, once each; descending."""
    previous = None
    for key in heapq.merge(*streams, reverse=True):
        if key != previous:
            yield key
            previous = key


class MongoPostings:
    def __init__(self, database: Callable[[], Database]):
        self._db = database

    @property
    def _buckets(self):
        return self._db().search_postings

    # -- reading ------------------------------------------------------------------------------------

    def newest(self, term: str, category: str | None) -> Iterator[str]:
        """The keys posted under `term` (in `category`), newest first: a page of buckets at a time, each
        page twice the last (up to PAGE_MAX), so the newest few cost one small read however many are older."""
        below, limit = f"{term}!", PAGE  # "!" sorts right after the separator: every bucket of the term is below
        while True:
            where: dict = {"k": {"$gte": f"{term} ", "$lt": below}}
            if category:
                where["c"] = category
            docs = list(self._buckets.find(where, {"ids": 1, "k": 1}).sort("k", -1).limit(limit))
            if not docs:
                return
            days = [doc["k"].split(" ")[1] for doc in docs]
            full = len(docs) == limit
            if full and days[0] == days[-1]:  # one day's buckets fill the page: read the day whole
                limit *= 2
                continue
            keep = [d for d, day in zip(docs, days, strict=True) if day != days[-1]] if full else docs
            yield from sorted((key for doc in keep for key in doc.get("ids") or []), reverse=True)
            if not full:
                return
            below, limit = f"{term} {days[-1]}!", min(limit * 2, PAGE_MAX)

    def matching(self, term_groups: tuple[tuple[str, ...], ...], category: str | None) -> Iterator[str]:
        """The keys of the products posted under a term of every group, newest first."""
        streams = [union([self.newest(term, category) for term in sorted(set(group))]) for group in term_groups]
        return intersect(streams)

    def first(self, term_groups: tuple[tuple[str, ...], ...], category: str | None, count: int) -> list[str]:
        return list(islice(self.matching(term_groups, category), count))

    # -- writing ------------------------------------------------------------------------------------

    def post(self, products, product_ids: list[str]) -> int:
        """Bring the buckets of these products in line with their stored terms and mark each one posted
        if its `search_pending` token is still the one read. How many were marked. A product whose token
        changed meanwhile (another write) is posted again from what it stores now, in full."""
        marked, full = 0, False
        for _attempt in range(3):
            docs = list(products.find({"_id": {"$in": product_ids}, "search_pending": {"$gt": ""}}, _STATE))
            if not docs:
                return marked
            pulls: dict[str, set[str]] = {}
            adds: dict[str, set[str]] = {}
            wanted: dict[str, list[str]] = {}
            for doc in docs:
                new, old = buckets_of(doc), doc.get("posted") or []
                wanted[doc["_id"]] = new
                for name in set(old) - set(new):
                    pulls.setdefault(name, set()).add(doc["k_newest"])
                for name in set(new) if full else set(new) - set(old):
                    adds.setdefault(name, set()).add(doc["k_newest"])
            writes = [UpdateOne({"_id": n}, {"$pull": {"ids": {"$in": sorted(keys)}}}) for n, keys in pulls.items()]
            writes += [
                UpdateOne(
                    {"_id": n},
                    {"$addToSet": {"ids": {"$each": sorted(keys)}}, "$setOnInsert": {"k": n, "c": n.rsplit(" ", 1)[1]}},
                    upsert=True,
                )
                for n, keys in adds.items()
            ]
            self._write(writes)
            done = [
                UpdateOne(
                    {"_id": doc["_id"], "search_pending": doc["search_pending"]},
                    {"$set": {"posted": wanted[doc["_id"]]}, "$unset": {"search_pending": ""}},
                )
                for doc in docs
            ]
            marked += products.bulk_write(done, ordered=False).modified_count
            full = True  # what is left changed while we wrote: post it again from scratch
        return marked

    def _write(self, writes: list[UpdateOne]) -> None:
        for start in range(0, len(writes), 1000):
            chunk = writes[start : start + 1000]
            try:
                self._buckets.bulk_write(chunk, ordered=False)
            except BulkWriteError as error:  # two writers creating the same bucket: the loser adds again
                if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
                    raise
                self._buckets.bulk_write(chunk, ordered=False)
