"""Concurrent partial edits of one product keep its sort keys and search terms true to its fields."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from smartgrocer.domain.catalog import sort_keys


def test_concurrent_name_and_price_edits_leave_consistent_sort_keys(api, seller):
    from smartgrocer.adapters.mongo import db

    product = api.create_product(seller, name="Plum Jam", price="3.00")
    edits = [{"name": f"Plum Jam {i}"} if i % 2 else {"price": f"{3 + i}.00"} for i in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda body: api.put(f"/api/products/{product['id']}", seller, json=body)
                                 .status_code, edits))
    assert set(statuses) <= {200, 409}, statuses  # 409 only if it lost the compare-and-set three times running
    assert statuses.count(200) >= 1
    stored = db().products.find_one({"_id": product["id"]})
    expected = sort_keys(stored)
    assert {k: stored[k] for k in ("k_price", "k_name", "k_newest")} == {k: expected[k] for k in
                                                                         ("k_price", "k_name", "k_newest")}
    assert stored["terms"] == expected["terms"]
    listed = api.get("/api/products", params={"seller_id": seller.user_id, "sort": "price"}).json()["items"]
    assert [p["name"] for p in listed] == [stored["name"]]
