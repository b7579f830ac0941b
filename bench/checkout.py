"""Checkout under load, against the cost of the database work a checkout cannot avoid.

    python -m bench.checkout [--requests 200] [--concurrency 8] [--budget 60] [--cold-runs 7] [--windows]

Starts the whole local stack (LocalRuntime: nx-27017, moto, the runner with its 4 worker "containers",
no seed, no expiry schedule) on a temporary folder, signs up a seller and a few shoppers, then measures
warm POST /api/orders (each with its own Idempotency-Key, one line, quantity 1):

  uncontended   every request on a different product
                  - in-process: the orders_checkout lambda_handler called directly, one at a time
                  - HTTP, concurrency 1 and --concurrency (through the runner, like API Gateway)
  hot product   every request on one product (plenty of stock), HTTP at --concurrency

Floor, measured in the same run on the same server: the MongoDB commands one checkout issues, captured
with a pymongo CommandListener around one in-process checkout (auth lookup, idempotency record, product
read, checkout/order/intent inserts, conditional stock update, status updates...), replayed with plain
pymongo calls of the same kind (find -> find_one, conditional update -> update_one with a `$gte` guard,
insert -> insert_one/insert_many, findAndModify -> find_one_and_update, delete -> delete_one). The
uncontended floor touches a different document each time; the hot floor runs the same sequence at the
same concurrency on one document. Ratios = checkout / floor (p50, p99) and floor / checkout throughput.

With --windows the seller offers delivery windows (three a day, 500 places each) and every checkout
chooses one, round robin: the window's place is taken with the stock, so the captured commands (and
so the floor) include that conditional update too. Writes bench/results/checkout-windows.json.

Then the cold start of the payment and notification functions, measured like bench/cold_start.py (its
helpers are reused): a fresh interpreter imports the handler and builds its clients, median of N, against
the floor `python -c "import pymongo, pydantic"` interleaved in the same run.

Prints a table; writes bench/results/checkout.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
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

from bench.common import FUNCTIONS, LAYER, ROOT, markdown_table, run_series, table, write_results

COLD_FUNCTIONS = ("orders_checkout", "payments_webhook", "orders_update_status", "orders_expire", "notifier")
ADDRESS = {
    "full_name": "Bench Shopper",
    "line1": "1 Bench Road",
    "city": "Benchville",
    "region": "NY",
    "postal_code": "10001",
    "country": "US",
}


# -- capturing the commands of one checkout -------------------------------------------------------------


def _record(recorder, event) -> None:
    if not recorder.active:
        return
    name = event.command_name
    collection = str(event.command.get(name))
    if name == "insert":
        kind = "insert_many" if len(event.command.get("documents", [])) > 1 else "insert"
    else:
        kind = name
    with recorder.lock:
        recorder.commands.append((kind, collection))


def _recorder():
    """A pymongo CommandListener that records (command, collection) while `active` is set."""
    from pymongo import monitoring

    class Recorder(monitoring.CommandListener):
        def __init__(self):
            self.active = False
            self.commands: list[tuple[str, str]] = []
            self.lock = threading.Lock()

        def started(self, event):
            _record(self, event)

        def succeeded(self, event):
            pass

        def failed(self, event):
            pass

    return Recorder()


# -- the raw floor ------------------------------------------------------------------------------------


def _raw_checkout(database, commands: list[tuple[str, str]], target: str) -> None:
    """The same kinds and number of MongoDB calls as one checkout, done directly with pymongo."""
    scratch = database.bench_raw_docs
    hot = database.bench_raw_products
    for kind, _ in commands:
        if kind == "find":
            hot.find_one({"_id": target})
        elif kind == "update":
            hot.update_one({"_id": target, "stock": {"$gte": 1}}, {"$inc": {"stock": -1}})
        elif kind == "insert":
            scratch.insert_one({"_id": uuid.uuid4().hex, "target": target, "status": "x", "n": 1})
        elif kind == "insert_many":
            scratch.insert_many(
                [
                    {"_id": uuid.uuid4().hex, "target": target, "items": [{"q": 1}]},
                    {"_id": uuid.uuid4().hex, "target": target, "items": [{"q": 1}]},
                ]
            )
        elif kind == "findAndModify":
            hot.find_one_and_update({"_id": target, "stock": {"$gte": 0}}, {"$set": {"touched": 1}})
        elif kind == "delete":
            scratch.delete_one({"_id": "missing-" + target})
        elif kind in {"aggregate", "count"}:
            hot.count_documents({"_id": target})
        # other commands (e.g. endSessions, hello) are driver housekeeping, not part of the floor


# -- cold start -------------------------------------------------------------------------------------


def _cold_starts(runs: int) -> tuple[dict, list[dict]]:
    try:
        from bench import cold_start as cs
    except ImportError:  # pragma: no cover - the helper is written by another bench; fall back to our own
        cs = None
    from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access

    access = {r.name: r.access for r in ROUTES} | {b.name: b.access for b in BACKGROUND_FUNCTIONS}
    if cs is not None:
        env, child, floor_child, run_child, watched = (
            cs.child_env(),
            cs.CHILD,
            cs.FLOOR_CHILD,
            cs.run_child,
            cs.WATCHED,
        )
    else:
        import subprocess

        watched = ("stripe", "boto3", "jwt", "bcrypt")
        env = {
            **os.environ,
            "MONGODB_URI": "mongodb://127.0.0.1:9/?directConnection=true",
            "JWT_SECRET": "bench-" + "x" * 40,
            "PAYMENT_PROVIDER": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        child = (
            "import importlib.util, json, os, sys, time\nname, d, layer = sys.argv[1:4]\n"
            "sys.path[:0] = [d, layer]\n"
            "spec = importlib.util.spec_from_file_location('handler', os.path.join(d, 'handler.py'))\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "from smartgrocer.adapters import mongo; mongo.client()\n"
            "w = json.loads(sys.argv[5])\n"
            "print(json.dumps({'ready': time.monotonic(), **{x: x in sys.modules for x in w}}), flush=True)\n"
            "os._exit(0)\n"
        )
        floor_child = (
            "import pymongo, pydantic, json, os, time; print(json.dumps({'ready': time.monotonic()}), "
            "flush=True); os._exit(0)"
        )

        def run_child(args, env):
            started = time.monotonic()
            done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=str(ROOT))
            report = json.loads(done.stdout.strip().splitlines()[-1])
            return (report.pop("ready") - started) * 1000, report

    def one(name):
        return run_child(
            [
                "-c",
                child,
                name,
                str(FUNCTIONS / name),
                str(LAYER),
                "1" if Access.MONGO in access[name] else "0",
                json.dumps(list(watched)),
            ],
            env,
        )

    run_child(["-c", floor_child], env)  # warm caches, untimed
    for name in COLD_FUNCTIONS:
        one(name)
    floor, samples, imports = [], {n: [] for n in COLD_FUNCTIONS}, {}
    for round_ in range(runs):
        floor.append(run_child(["-c", floor_child], env)[0])
        for name in COLD_FUNCTIONS if round_ % 2 == 0 else tuple(reversed(COLD_FUNCTIONS)):
            ms, imported = one(name)
            samples[name].append(ms)
            imports[name] = imported
        floor.append(run_child(["-c", floor_child], env)[0])
    floor_ms = statistics.median(floor)
    rows = []
    for name in COLD_FUNCTIONS:
        ms = statistics.median(samples[name])
        rows.append(
            {
                "function": name,
                "median_ms": round(ms, 1),
                "ratio": round(ms / floor_ms, 2),
                "stripe": bool(imports[name].get("stripe")),
                "boto3": bool(imports[name].get("boto3")),
                "samples_ms": [round(s, 1) for s in samples[name]],
            }
        )
    return {
        "command": 'python -c "import pymongo, pydantic"',
        "median_ms": round(floor_ms, 1),
        "samples_ms": [round(s, 1) for s in floor],
        "helper": "bench.cold_start" if cs else "own",
    }, rows


# -- main -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per measured series")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per series at most")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--windows", action="store_true", help="every checkout chooses a delivery window")
    options = parser.parse_args()
    count, conc = options.requests, options.concurrency

    os.environ.setdefault("BCRYPT_ROUNDS", "4")
    os.environ["MONGODB_DB"] = "bench_checkout"
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")
    from pymongo import monitoring

    recorder = _recorder()
    monitoring.register(recorder)  # before any MongoClient exists in this process

    from local.runner import LocalRuntime
    from tests.support import ApiClient

    data_dir = Path(tempfile.mkdtemp(prefix="bench-checkout-"))
    runtime = LocalRuntime(port=0, data_dir=data_dir, seed=False, expiry_interval=0, quiet=True, workers=4)
    started = time.monotonic()
    runtime.start()
    try:
        print(f"stack up in {time.monotonic() - started:.1f} s (nx-27017, moto, runner with 4 workers)", flush=True)
        results = _measure(runtime, ApiClient, recorder, count, conc, options.budget, options.windows)
    finally:
        runtime.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    print("\nmeasuring cold starts ...", flush=True)
    cold_floor, cold_rows = _cold_starts(options.cold_runs)
    _report(results, cold_floor, cold_rows, count, conc, options)


WINDOW_SETTINGS = {
    "timezone": "UTC",
    "delivery": {
        "enabled": True,
        "fee": "3.00",
        "free_over": None,
        "min_order": "0",
        "cutoff_hours": 0,
        "slots": [
            {"weekday": day, "start": start, "end": end, "capacity": 500}
            for day in range(7)
            for start, end in (("00:00", "07:59"), ("08:00", "15:59"), ("16:00", "23:59"))
        ],
    },
    "pickup": {"enabled": False, "address": None, "cutoff_hours": 0, "slots": []},
}


def _windows_for(api, seller) -> list[str]:
    response = api.put("/api/seller/fulfilment", seller, json=WINDOW_SETTINGS)
    assert response.status_code == 200, response.text
    slots = api.get(f"/api/sellers/{seller.user_id}/slots?days=6").json()["items"]
    return [w["slot_id"] for w in slots if w["remaining"] > 0][1:]  # the first may close during the run


def _measure(runtime, ApiClient, recorder, count: int, conc: int, budget: float, windows: bool = False) -> dict:
    from local.apigw import FUNCTIONS_DIR, http_event, lambda_context, match_route
    from smartgrocer.adapters.mongo import db

    api = ApiClient(runtime.base_url)
    tag = uuid.uuid4().hex[:6]
    seller = api.signup(f"bench-seller-{tag}@example.com", is_seller=True)
    shoppers = [api.signup(f"bench-shopper-{tag}-{i}@example.com") for i in range(max(conc, 4))]
    needed = 4 * count + 50  # one product per uncontended request (three series + warm-up)
    database = db()
    from smartgrocer.domain import catalog
    from smartgrocer.domain.ids import new_id
    from smartgrocer.domain.orders import now

    docs = []
    for i in range(needed + 1):
        created = now()
        doc = {
            "_id": new_id(),
            "seller_id": seller.user_id,
            "seller_name": "Bench Seller",
            "name": f"Bench item {i}",
            "description": "",
            "price_cents": 199,
            "currency": "usd",
            "category": "pantry",
            "stock": 1_000_000 if i == needed else 10,
            "unit": "each",
            "images": [],
            "is_active": True,
            "seller_payable": True,  # the bench seller onboarded at signup (tests.support)
            "created_at": created,
            "updated_at": created,
        }
        doc.update(catalog.sort_keys(doc))
        docs.append(doc)
    database.products.insert_many(docs)
    cold_ids = [d["_id"] for d in docs[:needed]]
    hot_id = docs[needed]["_id"]
    next_product = iter(cold_ids)
    product_lock = threading.Lock()

    def take_product() -> str:
        with product_lock:
            return next(next_product)

    slot_ids = _windows_for(api, seller) if windows else []
    turn = iter(range(10**9))

    def body(product_id: str) -> dict:
        request = {"items": [{"product_id": product_id, "quantity": 1}], "shipping_address": ADDRESS}
        if slot_ids:
            slot_id = slot_ids[next(turn) % len(slot_ids)]
            request["fulfilment"] = {seller.user_id: {"method": "delivery", "slot_id": slot_id}}
        return request

    # in-process handler (the Lambda code path without the runner)
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_orders_checkout", FUNCTIONS_DIR / "orders_checkout" / "handler.py"
    )
    handler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(handler)
    route, params, _ = match_route("POST", "/api/orders")

    def in_process(product_id: str, account) -> int:
        event = http_event(
            route,
            "POST",
            "/api/orders",
            params,
            "",
            {
                "content-type": "application/json",
                "authorization": f"Bearer {account.access_token}",
                "idempotency-key": uuid.uuid4().hex,
            },
            json.dumps(body(product_id)),
        )
        return handler.lambda_handler(event, lambda_context("orders_checkout"))["statusCode"]

    clients = threading.local()

    def http(product_id: str, account) -> int:
        if not hasattr(clients, "api"):
            clients.api = ApiClient(runtime.base_url)
        return clients.api.post(
            "/api/orders", account, json=body(product_id), headers={"Idempotency-Key": uuid.uuid4().hex}
        ).status_code

    # warm every worker and the in-process handler
    for _ in range(12):
        in_process(take_product(), shoppers[0])
    with ThreadPoolExecutor(conc) as pool:
        list(pool.map(lambda i: http(take_product(), shoppers[i % len(shoppers)]), range(3 * conc)))

    # capture one checkout's MongoDB commands
    recorder.commands.clear()
    recorder.active = True
    status = in_process(take_product(), shoppers[0])
    recorder.active = False
    commands = list(recorder.commands)
    assert status == 201, status

    series = {}
    series["uncontended, in-process, c=1"], st1, _ = run_series(
        lambda i: in_process(take_product(), shoppers[0]), count, 1, budget
    )
    series["uncontended, HTTP, c=1"], st2, _ = run_series(lambda i: http(take_product(), shoppers[0]), count, 1, budget)
    series[f"uncontended, HTTP, c={conc}"], st3, _ = run_series(
        lambda i: http(take_product(), shoppers[i % len(shoppers)]), count, conc, budget
    )
    series[f"hot product, HTTP, c={conc}"], st4, _ = run_series(
        lambda i: http(hot_id, shoppers[i % len(shoppers)]), count, conc, budget
    )
    statuses = {name: sorted(set(s)) for name, s in zip(series, (st1, st2, st3, st4), strict=True)}

    # the raw floor: same commands with plain pymongo, same server
    raw_targets = [f"raw-{i}" for i in range(count + 1)]
    database.bench_raw_products.insert_many([{"_id": t, "stock": 1_000_000} for t in raw_targets])
    for i in range(10):
        _raw_checkout(database, commands, raw_targets[i])
    raw = {}
    raw["uncontended, c=1"], _, _ = run_series(
        lambda i: _raw_checkout(database, commands, raw_targets[i]) or 0, count, 1, budget
    )
    raw[f"uncontended, c={conc}"], _, _ = run_series(
        lambda i: _raw_checkout(database, commands, raw_targets[i]) or 0, count, conc, budget
    )
    raw[f"hot, c={conc}"], _, _ = run_series(
        lambda i: _raw_checkout(database, commands, raw_targets[-1]) or 0, count, conc, budget
    )
    stock_left = database.products.find_one({"_id": hot_id}, {"stock": 1})["stock"]
    hot_sold = database.orders.count_documents({"items.product_id": hot_id})
    return {
        "series": series,
        "statuses": statuses,
        "raw": raw,
        "commands": commands,
        "hot_check": {
            "stock_start": 1_000_000,
            "stock_end": stock_left,
            "orders": hot_sold,
            "consistent": 1_000_000 - stock_left == hot_sold,
        },
    }


def _report(results: dict, cold_floor: dict, cold_rows: list[dict], count: int, conc: int, options) -> None:
    series, raw = results["series"], results["raw"]
    floors = {
        "uncontended, in-process, c=1": "uncontended, c=1",
        "uncontended, HTTP, c=1": "uncontended, c=1",
        f"uncontended, HTTP, c={conc}": f"uncontended, c={conc}",
        f"hot product, HTTP, c={conc}": f"hot, c={conc}",
    }
    kinds: dict[str, int] = {}
    for kind, _ in results["commands"]:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(
        f"\none checkout = {len(results['commands'])} MongoDB commands: "
        + ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items()))
    )
    print("  " + " -> ".join(f"{k}:{c}" for k, c in results["commands"]))

    headers = [
        "series",
        "n",
        "p50 ms",
        "p99 ms",
        "req/s",
        "floor p50",
        "floor p99",
        "floor req/s",
        "x floor p50",
        "x floor p99",
        "floor/req/s",
    ]
    rows, out_rows = [], []
    for name, stats in series.items():
        floor = raw[floors[name]]
        row = [
            name,
            stats["n"],
            stats["p50_ms"],
            stats["p99_ms"],
            stats["throughput_rps"],
            floor["p50_ms"],
            floor["p99_ms"],
            floor["throughput_rps"],
            round(stats["p50_ms"] / floor["p50_ms"], 2),
            round(stats["p99_ms"] / floor["p99_ms"], 2),
            round(floor["throughput_rps"] / stats["throughput_rps"], 2),
        ]
        rows.append(row)
        out_rows.append(
            {
                "series": name,
                **stats,
                "floor": floors[name],
                "floor_stats": floor,
                "ratio_p50": row[8],
                "ratio_p99": row[9],
                "throughput_ratio_floor_over_checkout": row[10],
                "statuses": results["statuses"][name],
            }
        )
    print(
        f"\nwarm checkout (POST /api/orders, 1 line, own Idempotency-Key) vs raw pymongo floor "
        f"({count} requests per series):\n"
    )
    print(table(headers, rows))
    print(f"\nhot product consistency: {results['hot_check']}")

    cold_headers = ["function", "median ms", "x floor", "stripe", "boto3"]
    cold_table = [[r["function"], r["median_ms"], r["ratio"], r["stripe"], r["boto3"]] for r in cold_rows]
    print(
        f"\ncold start (median of {options.cold_runs} fresh interpreters; floor {cold_floor['command']}: "
        f"{cold_floor['median_ms']} ms, via {cold_floor['helper']}):\n"
    )
    print(table(cold_headers, cold_table))
    path = write_results(
        "checkout-windows" if options.windows else "checkout",
        {
            "windows": options.windows,
            "requests_per_series": count,
            "concurrency": conc,
            "engine": "nx-27017 via LocalRuntime (4 workers)",
            "checkout_commands": [list(c) for c in results["commands"]],
            "command_counts": kinds,
            "series": out_rows,
            "raw_floor": raw,
            "hot_product_check": results["hot_check"],
            "cold_start": {"floor": cold_floor, "functions": cold_rows},
            "markdown": markdown_table(headers, rows),
            "cold_markdown": markdown_table(cold_headers, cold_table),
        },
    )
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
