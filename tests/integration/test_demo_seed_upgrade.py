"""`make dev` on a data folder seeded by an earlier version: the demo sellers there had no payout accounts
and no delivery settings, so the catalog they stock looked empty. Starting the runner again brings them up
to date, as a first run would have set them up; it never seeds twice.

Runs its own LocalRuntime on its own data folder, started twice (a restart of `make dev`)."""

from __future__ import annotations

import requests


def _listed(runtime) -> int:
    answer = requests.get(f"{runtime.base_url}/api/products", params={"limit": 100}, timeout=30)
    assert answer.status_code == 200, answer.text
    return len(answer.json()["items"])


def _start(data_dir):
    from local.runner import LocalRuntime

    runtime = LocalRuntime(port=0, data_dir=data_dir, seed=True, expiry_interval=0, quiet=True, workers=2)
    runtime.start()
    return runtime


def test_restarting_on_a_folder_from_before_payouts_lists_the_demo_catalog_again(tmp_path):
    from smartgrocer.adapters.mongo import db

    runtime = _start(tmp_path)
    try:
        seeded = _listed(runtime)
        assert seeded > 20
        # What a folder seeded before payouts and delivery windows looks like.
        db().sellers.update_many(
            {}, {"$set": {"payouts": {"account_id": None, "status": "none"}}, "$unset": {"fulfilment": ""}}
        )
        db().products.update_many({}, {"$set": {"seller_payable": False}})
        assert _listed(runtime) == 0  # the empty catalog a returning developer saw
    finally:
        runtime.stop()

    runtime = _start(tmp_path)
    try:
        assert _listed(runtime) == seeded  # the start brought the demo sellers up to date before serving
        assert db().sellers.count_documents({"payouts.status": "active"}) == db().sellers.count_documents({})
        assert db().sellers.count_documents({"fulfilment": {"$exists": True}}) >= 1
        assert db().users.count_documents({"email": {"$regex": "^admin@"}}) == 1  # not seeded twice
    finally:
        runtime.stop()
