"""Concurrent edits of one product: with the same If-Match exactly one wins, and the winner's sort keys
and search terms stay true to its fields."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from smartgrocer.domain.catalog import sort_keys


def test_concurrent_edits_with_the_same_etag_exactly_one_wins(api, seller):
    from smartgrocer.adapters.mongo import db

    product = api.create_product(seller, name="Plum Jam", price="3.00")
    path, etag = f"/api/products/{product['id']}", product["etag"]
    edits = [{"name": f"Plum Jam {i}"} if i % 2 else {"price": f"{3 + i}.00", "stock": 100 + i} for i in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda body: api.put(path, seller, json=body, headers={"If-Match": etag}), edits))
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] + [412] * 15, statuses
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 412} == {"stale_product"}
    (winner,) = [r.json() for r in responses if r.status_code == 200]

    stored = db().products.find_one({"_id": product["id"]})
    assert stored["rev"] == 2  # one write, not sixteen
    assert stored["received"] == stored["stock"]  # only the winner's stock edit (if any) was counted
    expected = sort_keys(stored)
    assert {k: stored[k] for k in ("k_price", "k_name", "k_newest")} == {
        k: expected[k] for k in ("k_price", "k_name", "k_newest")
    }
    assert stored["terms"] == expected["terms"]
    assert api.get(path).json() == winner
    listed = api.get("/api/products", params={"seller_id": seller.user_id, "sort": "price"}).json()["items"]
    assert [p["name"] for p in listed] == [stored["name"]]
