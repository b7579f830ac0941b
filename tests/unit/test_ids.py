"""Identifiers, time sort keys and opaque cursors."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from smartgrocer.domain.ids import decode_cursor, encode_cursor, keyset_page, new_id, sort_key_time
from smartgrocer.errors import BadRequest


def test_new_id_is_24_hex_and_unique():
    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)


def test_sort_key_time_orders_like_time():
    base = datetime(2024, 1, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    moments = [base + timedelta(microseconds=m) for m in (0, 1, 2, 10, 999_999, 10**6, 10**9)]
    keys = [sort_key_time(m) for m in moments]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert len({len(k) for k in keys}) == 1  # fixed width, so string order == time order


def test_sort_key_time_tie_breaker():
    moment = datetime(2024, 5, 1, tzinfo=UTC)
    assert sort_key_time(moment, "b") > sort_key_time(moment, "a") > sort_key_time(moment)
    assert sort_key_time(moment, "abc").endswith("|abc")


@pytest.mark.parametrize("kind", ["price", "-price", "newest", "name"])
def test_cursor_roundtrip(kind):
    key = "0000000349|" + new_id()
    cursor = encode_cursor({"s": kind, "k": key})
    assert "=" not in cursor and re.fullmatch(r"[A-Za-z0-9_\-]+", cursor)  # URL-safe, no padding
    assert decode_cursor(cursor, kind) == key


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "not-a-cursor",
        "a",
        "abc$",
        _b64(b"\xff\xfe\x00"),
        _b64(b"[1,2]"),
        _b64(b'"str"'),
        _b64(b"null"),
        _b64(b"{}"),
        _b64(json.dumps({"s": "price"}).encode()),
        _b64(json.dumps({"s": "price", "k": 5}).encode()),
        _b64(json.dumps({"k": "x"}).encode()),
    ],
)
def test_decode_cursor_rejects_garbage(cursor):
    with pytest.raises(BadRequest) as info:
        decode_cursor(cursor, "price")
    assert info.value.status == 400 and info.value.code == "invalid_cursor"


def test_decode_cursor_rejects_cursor_from_another_sort():
    cursor = encode_cursor({"s": "price", "k": "0000000100|abc"})
    for other in ("-price", "newest", "name", "orders"):
        with pytest.raises(BadRequest):
            decode_cursor(cursor, other)


class _FakeCursor:
    def __init__(self, docs):
        self.docs = docs

    def sort(self, field, direction):
        self.docs = sorted(self.docs, key=lambda d: d[field], reverse=direction == -1)
        return self

    def limit(self, n):
        self.docs = self.docs[:n]
        return self

    def __iter__(self):
        return iter(self.docs)


class _FakeCollection:
    """Just enough of a collection to check keyset_page's query and paging logic without a server."""

    def __init__(self, docs):
        self.docs = docs
        self.queries = []

    def find(self, query, projection=None):
        self.queries.append(query)

        def ok(doc):
            for field, cond in query.items():
                if isinstance(cond, dict):
                    if "$gt" in cond and not doc[field] > cond["$gt"]:
                        return False
                    if "$lt" in cond and not doc[field] < cond["$lt"]:
                        return False
                elif doc.get(field) != cond:
                    return False
            return True

        return _FakeCursor([d for d in self.docs if ok(d)])


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("limit", [1, 3, 7, 10, 11])
def test_keyset_page_walks_every_document_once(descending, limit):
    docs = [{"_id": i, "k": f"{i % 4:03d}|{i:04d}", "active": True} for i in range(10)]
    collection = _FakeCollection(docs)
    seen, after, pages = [], None, 0
    while True:
        page, cursor = keyset_page(collection, {"active": True}, "k", descending, limit, after, kind="t")
        seen += [d["k"] for d in page]
        pages += 1
        assert len(page) <= limit
        if cursor is None:
            break
        after = decode_cursor(cursor, "t")
        assert after == page[-1]["k"]
    assert seen == sorted((d["k"] for d in docs), reverse=descending)
    assert pages == -(-len(docs) // limit)  # limit+1 look-ahead: never an empty trailing page
    # the caller's filter is kept and the keyset bound is added, never skip()
    assert all(q["active"] is True for q in collection.queries)
    if len(collection.queries) > 1:
        assert ("$lt" if descending else "$gt") in collection.queries[1]["k"]


def test_keyset_page_no_next_cursor_on_exact_last_page():
    docs = [{"k": f"{i:02d}"} for i in range(4)]
    page, cursor = keyset_page(_FakeCollection(docs), {}, "k", False, 4, None, kind="t")
    assert len(page) == 4 and cursor is None
