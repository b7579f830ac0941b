"""Pack-and-capture at the API, against the raw MongoDB operations it cannot avoid.

    python -m bench.pack_capture [--iterations 40] [--concurrency 4] [--budget 60]

Starts the whole local stack (LocalRuntime: nx-27017, moto, the runner with its 4 worker "containers",
no seed, no expiry schedule) in a temporary folder. Each measured request is the packing that settles a
checkout: two sellers, an authorised card, the first seller's order packed as ordered (untimed), then
POST /api/orders/{id}/pack for the second seller's order (timed), which packs one apple short with a pear
as its substitute, a weighed cheese 20 g heavier, and captures the payment:

  in-process, c=1    the orders_pack lambda_handler called directly, one request at a time
  HTTP, c=1          through the runner, like API Gateway
  HTTP, c=N          N requests at once, each on its own checkout and its own products

Floor, measured in the same run on the same server: the MongoDB commands one such packing issues,
captured with a pymongo CommandListener around one in-process packing (checkout load, order read, the
substitute's product read, holds, the checkout replaces, commit/restock updates, order projections,
effect-done unsets, settle), replayed one by one with plain pymongo as single-document operations of the
same kind on copies of the same documents (a read of the same document size and projection, a replace
with the same document, a conditional update that modifies, an upsert where the original upserts). The
local payment provider's own bookkeeping (`local_payment_*`: what Stripe does over HTTPS in production)
is counted and shown, but kept out of the floor; a second ratio includes it.

After the run every webhook is delivered and invariants are checked from the database: per product
`stock + held + sold == received`, no hold left, sold == what the live orders sold; per checkout captured
once, for the sum of its orders' final totals, one `payment_intent.succeeded`; and a reconciler run finds
nothing to repair. Exit status 1 if one breaks.

Prints a table; writes bench/results/pack_capture.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import ROOT, markdown_table, run_series, series_stats, table, write_results

ADDRESS = {
    "full_name": "Bench Shopper",
    "line1": "1 Bench Road",
    "city": "Benchville",
    "region": "NY",
    "postal_code": "10001",
    "country": "US",
}
PROVIDER_PREFIX = "local_payment"  # the local provider's collections: Stripe's side, not ours
HOUSEKEEPING = frozenset({"endSessions", "hello", "isMaster", "ismaster", "ping", "buildInfo", "getMore"})


# -- capturing the commands of one packing ---------------------------------------------------------------


def _recorder():
    """A pymongo CommandListener recording, on one thread while `active`, each command with what the floor
    needs to replay it: kind, collection, the document's _id, projection, and the document written."""
    from pymongo import monitoring

    class Recorder(monitoring.CommandListener):
        def __init__(self):
            self.active = False
            self.thread: int | None = None
            self.commands: list[dict] = []
            self._by_request: dict[int, dict] = {}

        def started(self, event):
            if not self.active or threading.get_ident() != self.thread or event.command_name in HOUSEKEEPING:
                return
            entry = _describe(event.command_name, event.command)
            self._by_request[event.request_id] = entry
            self.commands.append(entry)

        def succeeded(self, event):
            entry = self._by_request.pop(event.request_id, None)
            if entry is None:
                return
            if entry["kind"] == "find":
                entry["found"] = bool((event.reply.get("cursor") or {}).get("firstBatch"))
            elif entry["kind"] in ("update", "replace"):
                entry["found"] = bool(event.reply.get("n"))
            elif entry["kind"] == "findAndModify":
                reply = event.reply
                entry["found"] = reply.get("value") is not None or bool((reply.get("lastErrorObject") or {}).get("n"))

        def failed(self, event):
            self._by_request.pop(event.request_id, None)

    return Recorder()


def _describe(name: str, command) -> dict:
    collection = str(command.get(name))
    entry: dict = {"kind": name, "collection": collection, "id": None}
    if name == "find":
        wanted = (command.get("filter") or {}).get("_id")
        if isinstance(wanted, dict):  # {"$in": [...]}: several documents in one read
            entry.update(kind="find_many", ids=list(wanted.get("$in") or []))
            wanted = None
        entry.update(id=wanted, projection=command.get("projection"))
    elif name == "update":
        update = command["updates"][0]
        body = update["u"]
        replacement = isinstance(body, dict) and not any(str(k).startswith("$") for k in body)
        entry.update(
            kind="replace" if replacement else "update",
            id=update["q"].get("_id"),
            upsert=bool(update.get("upsert")),
            document=copy.deepcopy(body) if replacement else None,
        )
    elif name == "insert":
        entry.update(documents=copy.deepcopy(list(command.get("documents", []))))
    elif name == "findAndModify":
        entry.update(id=(command.get("query") or {}).get("_id"))
    elif name in ("count", "aggregate", "delete"):
        entry.update(id=None)
    return entry


def _is_provider(entry: dict) -> bool:
    return entry["collection"].startswith(PROVIDER_PREFIX)


def _label(entry: dict) -> str:
    return f"{entry['kind']}:{entry['collection']}"


# -- the raw floor ------------------------------------------------------------------------------------


class Floor:
    """The recorded commands replayed with plain pymongo on copies of the documents they touched: one
    set of copies per iteration, so each replay works on its own documents like each packing does.
    A command that matched nothing (a hold already gone, a fault not injected) is replayed as one that
    matches nothing; one that matched is replayed as one that matches and writes."""

    def __init__(self, database, name: str, commands: list[dict], iterations: int):
        self.database, self.name, self.commands = database, name, commands
        self.slots: dict[tuple[str, object], str] = {}
        templates: dict[tuple[str, object], dict] = {}
        for entry in commands:
            for wanted in [entry["id"], *entry.get("ids", [])]:
                key = (entry["collection"], wanted)
                if wanted is None or key in self.slots:
                    continue
                self.slots[key] = f"s{len(self.slots)}"
                original = database[entry["collection"]].find_one({"_id": wanted})
                templates[key] = {k: v for k, v in (original or {}).items() if k != "_id"}
        for key, slot in self.slots.items():
            docs = [{**copy.deepcopy(templates[key]), "_id": f"{i}-{slot}", "bench_n": 0} for i in range(iterations)]
            if docs:
                self.scratch(key[0]).insert_many(docs)

    def scratch(self, collection: str):
        return self.database[f"bench_floor_{self.name}_{collection}"]

    def run(self, i: int, timings: dict[str, list[float]] | None = None) -> int:
        for entry in self.commands:
            started = time.perf_counter()
            self.one(i, entry)
            if timings is not None:
                timings.setdefault(_label(entry), []).append((time.perf_counter() - started) * 1000)
        return 0

    def one(self, i: int, entry: dict) -> None:
        target = self.scratch(entry["collection"])
        slot = self.slots.get((entry["collection"], entry["id"]))
        doc_id = f"{i}-{slot}" if slot is not None else "missing"
        guard = {"$gte": 0} if entry.get("found", True) else {"$lt": 0}
        kind = entry["kind"]
        if kind == "find":
            target.find_one({"_id": doc_id, "bench_n": guard}, entry.get("projection"))
        elif kind == "find_many":
            ids = [f"{i}-{self.slots[(entry['collection'], wanted)]}" for wanted in entry["ids"]]
            list(target.find({"_id": {"$in": ids}}, entry.get("projection")))
        elif kind == "replace":
            document = {**entry["document"], "_id": doc_id, "bench_n": 0}
            target.replace_one({"_id": doc_id}, document, upsert=entry["upsert"])
        elif kind == "update":
            target.update_one({"_id": doc_id, "bench_n": guard}, {"$inc": {"bench_n": 1}})
        elif kind == "findAndModify":
            target.find_one_and_update({"_id": doc_id, "bench_n": guard}, {"$inc": {"bench_n": 1}})
        elif kind == "insert":
            target.insert_many([{**d, "_id": uuid.uuid4().hex} for d in entry["documents"]])
        elif kind == "count":
            target.count_documents({"_id": doc_id})
        elif kind == "delete":
            target.delete_one({"_id": "missing"})
        elif kind == "aggregate":
            list(target.aggregate([{"$match": {"_id": doc_id}}]))


# -- series ---------------------------------------------------------------------------------------------


def _interleaved(works: dict, count: int, budget_s: float) -> dict[str, tuple[dict, list[int], list[float]]]:
    """One thread: each round calls every work once, in turn; per work its stats, statuses, latencies."""
    latencies: dict[str, list[float]] = {name: [] for name in works}
    statuses: dict[str, set] = {name: set() for name in works}
    deadline = time.monotonic() + budget_s
    for _ in range(count):
        if time.monotonic() >= deadline:
            break
        for name, work in works.items():
            started = time.perf_counter()
            statuses[name].add(work())
            latencies[name].append((time.perf_counter() - started) * 1000)
    return {
        name: (series_stats(values, sum(values) / 1000), sorted(statuses[name]), values)
        for name, values in latencies.items()
    }


# -- the world: checkouts waiting for their last packing ---------------------------------------------------


class Shop:
    def __init__(self, runtime, ApiClient):
        self.runtime, self.ApiClient = runtime, ApiClient
        self.api = ApiClient(runtime.base_url)
        tag = uuid.uuid4().hex[:6]
        self.first = self.api.signup(f"bench-pack-a-{tag}@example.com", is_seller=True)
        self.last = self.api.signup(f"bench-pack-b-{tag}@example.com", is_seller=True)
        self.shoppers = [self.api.signup(f"bench-pack-shopper-{tag}-{i}@example.com") for i in range(4)]
        self.local = threading.local()
        self.checkouts: list[str] = []
        self.products: list[str] = []
        self.lock = threading.Lock()

    def client(self):
        if not hasattr(self.local, "api"):
            self.local.api = self.ApiClient(self.runtime.base_url)
        return self.local.api

    def _product(self, seller, **fields) -> str:
        payload = {"description": "", "category": "fruit-veg", "unit": "kg", "name": f"Bench {uuid.uuid4().hex[:8]}"}
        response = self.client().post("/api/products", seller, json={**payload, **fields})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def ready(self, i: int) -> dict:
        """A checkout from two sellers, authorised, the first order packed: what the timed packing needs."""
        api = self.client()
        bread = self._product(self.first, price="3.10", stock=50)
        apples = self._product(self.last, price="2.50", stock=50)
        pears = self._product(self.last, price="2.00", stock=50)
        cheese = self._product(
            self.last, price="28.50", stock=20_000, sold_by="weight", min_weight_g=50, step_g=50, unit="kg"
        )
        shopper = self.shoppers[i % len(self.shoppers)]
        body = {
            "items": [
                {"product_id": bread, "quantity": 1},
                {"product_id": apples, "quantity": 3, "substitution": "similar"},
                {"product_id": cheese, "weight_g": 400},
            ],
            "shipping_address": ADDRESS,
        }
        placed = api.post("/api/orders", shopper, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert placed.status_code == 201, placed.text
        placed = placed.json()
        paid = api.post(
            "/local/payments/confirm",
            json={"client_secret": placed["payment"]["client_secret"], "card_number": "4242424242424242"},
        )
        assert paid.status_code == 200 and paid.json()["webhook_status"] == 200, paid.text
        orders = {o["seller_id"]: o for o in placed["orders"]}
        first, last = orders[self.first.user_id], orders[self.last.user_id]
        response = api.post(
            f"/api/orders/{first['id']}/pack",
            self.first,
            json={"lines": [{"line_id": first["items"][0]["line_id"], "packed_quantity": 1}]},
        )
        assert response.status_code == 200, response.text
        lines = []
        for item in last["items"]:
            if item["product_id"] == apples:
                lines.append(
                    {
                        "line_id": item["line_id"],
                        "packed_quantity": 2,
                        "substitute": {"product_id": pears, "quantity": 1},
                    }
                )
            else:
                lines.append({"line_id": item["line_id"], "packed_weight_g": 420})
        with self.lock:
            self.checkouts.append(placed["checkout_id"])
            self.products += [bread, apples, pears, cheese]
        return {"order_id": last["id"], "body": {"lines": lines}, "checkout_id": placed["checkout_id"]}

    def prepare(self, count: int) -> list[dict]:
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(self.ready, range(count)))


# -- invariants -------------------------------------------------------------------------------------------


def _invariants(database, shop: Shop) -> dict:
    from smartgrocer.domain.checkout_machine import sold_amounts
    from smartgrocer.domain.reconciler import reconcile, stock_violations

    problems: list[str] = []
    sold: dict[str, int] = {pid: 0 for pid in shop.products}
    succeeded_events = 0
    for checkout_id in shop.checkouts:
        state = database.checkouts.find_one({"_id": checkout_id})
        intent = database.local_payment_intents.find_one({"_id": state["payment_intent_id"]})
        finals = sum(o["final_cents"] or 0 for o in state["orders"].values() if o["status"] != "cancelled")
        if state["status"] != "captured" or state.get("outbox"):
            problems.append(f"{checkout_id}: {state['status']}, outbox {sorted(state.get('outbox') or {})}")
        if intent["status"] != "succeeded" or intent.get("amount_received") != finals:
            problems.append(f"{checkout_id}: provider {intent['status']} received {intent.get('amount_received')}")
        if (state.get("capture") or {}).get("amount_cents") != finals:
            problems.append(f"{checkout_id}: capture {state.get('capture')} != final totals {finals}")
        events = database.local_payment_webhooks.count_documents(
            {"payment_intent": intent["_id"], "type": "payment_intent.succeeded"}
        )
        succeeded_events += events
        if events != 1:
            problems.append(f"{checkout_id}: {events} payment_intent.succeeded events")
        for order_id, order in state["orders"].items():
            stored = database.orders.find_one({"_id": order_id})
            if (stored["status"], stored["payment_status"]) != ("packed", "captured"):
                problems.append(f"{order_id}: shown {stored['status']}/{stored['payment_status']}")
            for pid, amount in sold_amounts(order).items():
                sold[pid] = sold.get(pid, 0) + amount
    for pid in shop.products:
        doc = database.products.find_one({"_id": pid})
        held = doc.get("reservations") or {}
        if held:
            problems.append(f"{pid}: holds left {held}")
        if doc["stock"] + sum(held.values()) + doc.get("sold", 0) != doc["received"]:
            problems.append(f"{pid}: stock {doc['stock']} + held + sold {doc.get('sold')} != {doc['received']}")
        if doc.get("sold", 0) != sold[pid]:
            problems.append(f"{pid}: product says sold {doc.get('sold', 0)}, the orders say {sold[pid]}")
    report = reconcile(outbox_grace=0)
    if report["repairs"]:
        problems.append(f"the reconciler had repairs to make: {report}")
    violations = stock_violations()
    problems += violations
    return {
        "checkouts": len(shop.checkouts),
        "products": len(shop.products),
        "succeeded_events": succeeded_events,
        "reconciler": report,
        "problems": problems,
        "ok": not problems,
    }


# -- main -----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=40, help="timed packings per series")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per series at most")
    options = parser.parse_args()
    count, conc = max(1, options.iterations), max(1, options.concurrency)

    os.environ.setdefault("BCRYPT_ROUNDS", "4")
    os.environ["MONGODB_DB"] = "bench_pack_capture"
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")
    from pymongo import monitoring

    recorder = _recorder()
    monitoring.register(recorder)  # before any MongoClient exists in this process

    from local.runner import LocalRuntime
    from tests.support import ApiClient

    data_dir = Path(tempfile.mkdtemp(prefix="bench-pack-"))
    runtime = LocalRuntime(port=0, data_dir=data_dir, seed=False, expiry_interval=0, quiet=True, workers=4)
    started = time.monotonic()
    runtime.start()
    try:
        print(f"stack up in {time.monotonic() - started:.1f} s (nx-27017, moto, runner with 4 workers)", flush=True)
        results = _measure(runtime, ApiClient, recorder, count, conc, options.budget)
    finally:
        runtime.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    _report(results, count, conc)
    if not results["invariants"]["ok"]:
        sys.exit(1)


def _measure(runtime, ApiClient, recorder, count: int, conc: int, budget: float) -> dict:
    import importlib.util

    from local.apigw import FUNCTIONS_DIR, http_event, lambda_context, match_route
    from local.payments import deliver_pending
    from smartgrocer.adapters.mongo import db

    database = db()
    shop = Shop(runtime, ApiClient)
    spec = importlib.util.spec_from_file_location("bench_orders_pack", FUNCTIONS_DIR / "orders_pack" / "handler.py")
    handler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(handler)

    def in_process(item: dict) -> int:
        path = f"/api/orders/{item['order_id']}/pack"
        route, params, _ = match_route("POST", path)
        event = http_event(
            route,
            "POST",
            path,
            params,
            "",
            {"content-type": "application/json", "authorization": f"Bearer {shop.last.access_token}"},
            json.dumps(item["body"]),
        )
        return handler.lambda_handler(event, lambda_context("orders_pack"))["statusCode"]

    def http(item: dict) -> int:
        return shop.client().post(f"/api/orders/{item['order_id']}/pack", shop.last, json=item["body"]).status_code

    print("preparing checkouts (two sellers, authorised, first order packed) ...", flush=True)
    warm = shop.prepare(3 + 2 * conc)
    captured = shop.prepare(1)[0]
    series_items = {name: shop.prepare(count) for name in ("in-process, c=1", "HTTP, c=1", f"HTTP, c={conc}")}

    with runtime.webhooks_paused():  # the provider's webhooks would race the timed requests
        for item in warm[:3]:
            assert in_process(item) == 200
        with ThreadPoolExecutor(conc) as pool:
            assert set(pool.map(http, warm[3:])) == {200}

        # one packing's MongoDB commands
        recorder.commands.clear()
        recorder.thread = threading.get_ident()
        recorder.active = True
        status = in_process(captured)
        recorder.active = False
        commands = list(recorder.commands)
        assert status == 200, status
        assert database.checkouts.find_one({"_id": captured["checkout_id"]})["status"] == "captured"

        # The floors, built on copies of the documents this packing touched.
        ours = [c for c in commands if not _is_provider(c)]
        per_series = 3 * count + 10
        floors = {
            "ours": Floor(database, "ours", ours, per_series),
            "with provider": Floor(database, "with_provider", commands, per_series),
        }
        slots = {name: iter(range(per_series)) for name in floors}
        slot_lock = threading.Lock()

        def floor_run(name: str, timings: dict | None = None) -> int:
            with slot_lock:
                i = next(slots[name])
            return floors[name].run(i, timings)

        for _ in range(5):  # warm, untimed
            for name in floors:
                floor_run(name)

        series, statuses, raw = {}, {}, {}
        timings: dict[str, list[float]] = {}
        # c=1: each packing is followed by one replay of each floor, so load on the machine hits all alike.
        for name, work in (("in-process, c=1", in_process), ("HTTP, c=1", http)):
            items = iter(series_items[name])
            measured = _interleaved(
                {
                    name: lambda w=work, it=items: w(next(it)),
                    "ours": lambda t=timings: floor_run("ours", t),
                    "with provider": lambda: floor_run("with provider"),
                },
                count,
                budget,
            )
            series[name], statuses[name] = measured[name][0], measured[name][1]
            raw[name] = {label: measured[label][0] for label in floors}
        # c=N: the floors at the same concurrency, half just before and half just after the packings.
        name = f"HTTP, c={conc}"
        before = {label: run_series(lambda i, n=label: floor_run(n), count // 2, conc, budget) for label in floors}
        items = series_items[name]
        series[name], st = run_series(lambda i: http(items[i]), count, conc, budget)[:2]
        statuses[name] = sorted(set(st))
        after = {
            label: run_series(lambda i, n=label: floor_run(n), count - count // 2, conc, budget) for label in floors
        }
        raw[name] = {
            label: series_stats(
                before[label][2] + after[label][2], before[label][0]["wall_s"] + after[label][0]["wall_s"]
            )
            for label in floors
        }
        per_kind = {k: statistics.median(v) * sum(1 for c in ours if _label(c) == k) for k, v in timings.items()}
        floor_per_kind = {k: round(v, 2) for k, v in sorted(per_kind.items())}

    # Everything the provider queued goes out now; duplicates and late events must change nothing.
    delivered, pending = 0, None
    for _ in range(5):  # bounded: each round delivers every event still queued
        sent, pending = deliver_pending(
            database,
            url=runtime.env["LOCAL_PAYMENTS_WEBHOOK_URL"],
            secret=runtime.env["STRIPE_WEBHOOK_SECRET"],
            limit=1000,
            force=True,
        )
        delivered += sent
        if not pending:
            break
    invariants = _invariants(database, shop)
    invariants["webhooks"] = {"delivered": delivered, "pending": pending}
    if pending:
        invariants["problems"].append(f"{pending} provider webhooks could not be delivered")
        invariants["ok"] = False
    return {
        "series": series,
        "statuses": statuses,
        "raw": raw,
        "floor_per_kind": floor_per_kind,
        "commands": commands,
        "invariants": invariants,
    }


def _report(results: dict, count: int, conc: int) -> None:
    commands = results["commands"]
    ours = [c for c in commands if not _is_provider(c)]
    provider = [c for c in commands if _is_provider(c)]
    kinds: dict[str, int] = {}
    for entry in ours:
        kinds[_label(entry)] = kinds.get(_label(entry), 0) + 1
    provider_kinds: dict[str, int] = {}
    for entry in provider:
        provider_kinds[_label(entry)] = provider_kinds.get(_label(entry), 0) + 1
    print(
        f"\none pack-and-capture = {len(ours)} MongoDB commands of ours ("
        + ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items()))
        + f") + {len(provider)} of the local payment provider ("
        + ", ".join(f"{k} x{v}" for k, v in sorted(provider_kinds.items()))
        + ")"
    )
    print("  " + " -> ".join(_label(c) + ("" if c.get("found", True) else "(none)") for c in commands))

    headers = [
        "series",
        "n",
        "p50 ms",
        "p99 ms",
        "req/s",
        "floor p50",
        "floor p99",
        "x floor p50",
        "x floor p99",
        "x floor+provider p50",
        "statuses",
    ]
    rows, out_rows = [], []
    for name, stats in results["series"].items():
        floor = results["raw"][name]["ours"]
        floor_all = results["raw"][name]["with provider"]
        row = [
            name,
            stats["n"],
            stats["p50_ms"],
            stats["p99_ms"],
            stats["throughput_rps"],
            floor["p50_ms"],
            floor["p99_ms"],
            round(stats["p50_ms"] / floor["p50_ms"], 2),
            round(stats["p99_ms"] / floor["p99_ms"], 2),
            round(stats["p50_ms"] / floor_all["p50_ms"], 2),
            ",".join(map(str, results["statuses"][name])),
        ]
        rows.append(row)
        out_rows.append(
            {
                "series": name,
                **stats,
                "floor_stats": floor,
                "floor_with_provider_stats": floor_all,
                "ratio_p50": row[7],
                "ratio_p99": row[8],
                "ratio_p50_with_provider": row[9],
                "statuses": results["statuses"][name],
            }
        )
    print(
        f"\nPOST /api/orders/{{id}}/pack on the last order of a checkout (short pick + substitute, weighed line "
        f"heavier, capture) vs raw pymongo floor ({count} packings per series):\n"
    )
    print(table(headers, rows))
    per_kind = results["floor_per_kind"]
    print(
        "\nfloor (ours, c=1), per kind of command, median x count: "
        + ", ".join(f"{k} {v}" for k, v in sorted(per_kind.items(), key=lambda kv: -kv[1]))
    )
    inv = results["invariants"]
    print(
        f"\ninvariants: {'OK' if inv['ok'] else 'BROKEN'} ({inv['checkouts']} checkouts, {inv['products']} products, "
        f"{inv['succeeded_events']} payment_intent.succeeded events, webhooks {inv['webhooks']})"
    )
    for problem in inv["problems"][:20]:
        print(f"  - {problem}")
    path = write_results(
        "pack_capture",
        {
            "iterations": count,
            "concurrency": conc,
            "engine": "nx-27017 via LocalRuntime (4 workers)",
            "commands": [_label(c) for c in commands],
            "command_counts": kinds,
            "provider_command_counts": provider_kinds,
            "series": out_rows,
            "raw_floor": results["raw"],
            "floor_per_kind_ms": per_kind,
            "invariants": inv,
            "markdown": markdown_table(headers, rows),
        },
    )
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
