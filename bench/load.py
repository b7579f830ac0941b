"""Load: a fixed number of requests with a realistic mix against a fresh local stack, then invariants.

    python -m bench.load [--requests 2000] [--concurrency 16] [--workers 4] [--seed 7] [--hot 3] [--pack 0.5]

A fresh LocalRuntime (own temporary data folder, the demo catalog from `local.seed`, loopback only) and
a bounded thread pool of HTTP clients. The mix: browse/search GET /api/products 80 %, product detail
10 %, login 5 %, checkout 5 % on a few hot products, each successful checkout's card then authorised
through the local provider (`POST /local/payments/confirm`, which delivers the signed webhook; nothing
is captured before the sellers pack). For a share of those (`--pack`), the demo sellers then pack
every order of the checkout (`POST /api/orders/{id}/pack`, some one item short), and the last packing
captures the payment. Reported per route: count, p50/p95/p99, errors (5xx or no answer); overall
throughput and error rate. Afterwards, from the database: for every product
`stock + held + sold == initial` (held: live reservations, expected 0 once every card is authorised
and every packing done; sold: the orders whose card is authorised or captured, as packed once packed);
every authorised checkout has exactly one recorded authorisation event; every checkout whose orders
are all packed is captured, for the sum of its orders' final totals, exactly what the provider took,
with exactly one recorded capture event; and none is left half-captured.

Not a test: nothing here asserts wall-clock figures. Exit status 1 if an invariant is broken.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import markdown_table, percentile, write_results

ADDRESS = {
    "full_name": "Load Tester",
    "line1": "1 Bench Road",
    "city": "Loadville",
    "postal_code": "LD1 1AA",
    "country": "GB",
}
MIX = (("browse", 0.80), ("detail", 0.10), ("login", 0.05), ("checkout", 0.05))
SEARCH_TERMS = ["apple", "milk", "bread", "cheese", "tea", "choc", "org", "rice", "ban", "sal", "cof", "pot"]
CATEGORIES = ["fruit-veg", "dairy-eggs", "bakery", "meat-fish", "pantry", "drinks", "frozen", "snacks", "household"]
SORTS = ["newest", "price", "-price", "name"]


def _plan(total: int, rng: random.Random) -> list[str]:
    """Exactly the mix's proportions, shuffled: a fixed, reproducible request list."""
    plan: list[str] = []
    for kind, share in MIX:
        plan += [kind] * round(total * share)
    plan = plan[:total] + ["browse"] * max(0, total - len(plan))
    rng.shuffle(plan)
    return plan


class Load:
    def __init__(
        self,
        base_url: str,
        shoppers: list[dict],
        product_ids: list[str],
        hot: list[str],
        seed: int,
        sellers: dict[str, str] | None = None,
        pack_share: float = 0.0,
    ):
        import requests

        self.base_url, self.shoppers, self.product_ids, self.hot = base_url, shoppers, product_ids, hot
        self.sellers, self.pack_share = sellers or {}, pack_share  # seller id -> access token
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int | str, int]] = defaultdict(lambda: defaultdict(int))
        self.lock = threading.Lock()
        self.local = threading.local()
        self.seed = seed
        self._requests = requests

    def _session(self):
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = self._requests.Session()
        return session

    def _call(self, route: str, method: str, path: str, **kwargs):
        started = time.perf_counter()
        try:
            response = self._session().request(method, self.base_url + path, timeout=60, **kwargs)
            status: int | str = response.status_code
        except self._requests.RequestException as error:
            response, status = None, type(error).__name__
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.samples[route].append(elapsed)
            self.statuses[route][status] += 1
        return response

    def run_one(self, index: int, kind: str) -> None:
        rng = random.Random(self.seed * 1_000_003 + index)
        if kind == "browse":
            params: dict = {"limit": rng.choice([12, 24, 48]), "sort": rng.choice(SORTS)}
            roll = rng.random()
            if roll < 0.4:
                params["q"] = rng.choice(SEARCH_TERMS)
            elif roll < 0.7:
                params["category"] = rng.choice(CATEGORIES)
            page = self._call("GET /api/products", "GET", "/api/products", params=params)
            if page is not None and page.status_code == 200 and page.json().get("next_cursor") and rng.random() < 0.3:
                self._call(
                    "GET /api/products", "GET", "/api/products", params={**params, "cursor": page.json()["next_cursor"]}
                )
        elif kind == "detail":
            self._call("GET /api/products/{id}", "GET", f"/api/products/{rng.choice(self.product_ids)}")
        elif kind == "login":
            shopper = rng.choice(self.shoppers)
            self._call(
                "POST /api/auth/login",
                "POST",
                "/api/auth/login",
                json={"email": shopper["email"], "password": shopper["password"]},
            )
        else:
            shopper = rng.choice(self.shoppers)
            lines = rng.sample(self.hot, k=rng.randint(1, len(self.hot)))
            body = {
                "items": [{"product_id": pid, "quantity": rng.randint(1, 3)} for pid in lines],
                "shipping_address": ADDRESS,
            }
            placed = self._call(
                "POST /api/orders",
                "POST",
                "/api/orders",
                json=body,
                headers={"Authorization": f"Bearer {shopper['token']}", "Idempotency-Key": f"load-{self.seed}-{index}"},
            )
            if placed is None or placed.status_code != 201:
                return
            confirmed = self._call(
                "POST /local/payments/confirm (authorise)",
                "POST",
                "/local/payments/confirm",
                json={"client_secret": placed.json()["payment"]["client_secret"], "card_number": "4242424242424242"},
            )
            if confirmed is None or confirmed.status_code != 200 or confirmed.json().get("status") != "authorized":
                return
            if rng.random() < self.pack_share:  # the sellers pack every order: the last packing captures
                for order in placed.json()["orders"]:
                    self.pack(order, short=rng.random() < 0.3)

    def pack(self, order: dict, short: bool) -> None:
        """The seller packs the order as ordered, or with its first line one item short."""
        lines = []
        for index, item in enumerate(order["items"]):
            if item["sold_by"] == "weight":
                lines.append({"line_id": item["line_id"], "packed_weight_g": item["weight_g"]})
            else:
                quantity = item["quantity"] - (1 if short and index == 0 else 0)
                lines.append({"line_id": item["line_id"], "packed_quantity": quantity})
        self._call(
            "POST /api/orders/{id}/pack",
            "POST",
            f"/api/orders/{order['id']}/pack",
            json={"lines": lines},
            headers={"Authorization": f"Bearer {self.sellers[order['seller_id']]}"},
        )


AUTHORISED_EVENT = "payment_intent.amount_capturable_updated"
CAPTURED_EVENT = "payment_intent.succeeded"
SOLD = {"authorized", "captured"}  # an order's payment_status once its card holds (or has paid) for it
# A checkout's status once its card was authorised (voided: nothing left to capture, the hold released).
AUTHORISED_CHECKOUTS = {"authorized", "capturing", "captured", "voided"}


def _stock_amount(line: dict, sold_by: str | None) -> int:
    return (line.get("weight_g") if sold_by == "weight" else line.get("quantity")) or 0


def _sold_by_order(order: dict) -> dict[str, int]:
    """Stock an order holds as sold, per product: as ordered until packed, then as packed (substitutes too)."""
    sold: dict[str, int] = defaultdict(int)
    for item in order["items"]:
        packed = item.get("packed")
        sold[item["product_id"]] += _stock_amount(item if packed is None else packed, item.get("sold_by"))
        substitute = item.get("substitute")
        if substitute:
            sold[substitute["product_id"]] += _stock_amount(substitute, item.get("sold_by"))
    return sold


def _invariants(initial: dict[str, int]) -> dict:
    """Read back from the database (the runner's own, through the layer)."""
    from smartgrocer.adapters.mongo import db

    sold: dict[str, int] = defaultdict(int)
    for order in db().orders.find({}, {"items": 1, "status": 1, "payment_status": 1}):
        if order["payment_status"] in SOLD and order["status"] != "cancelled":
            for product_id, amount in _sold_by_order(order).items():
                sold[product_id] += amount
    broken_stock, held_total = [], 0
    for product in db().products.find({}, {"stock": 1, "reservations": 1}):
        held = sum((product.get("reservations") or {}).values())
        held_total += held
        start = initial.get(product["_id"])
        if start is not None and product["stock"] + held + sold[product["_id"]] != start:
            broken_stock.append(
                {
                    "product_id": product["_id"],
                    "initial": start,
                    "stock": product["stock"],
                    "held": held,
                    "sold": sold[product["_id"]],
                }
            )
        if product["stock"] < 0:
            broken_stock.append({"product_id": product["_id"], "negative_stock": product["stock"]})
    authorised = {c["_id"] for c in db().checkouts.find({"status": {"$in": sorted(AUTHORISED_CHECKOUTS)}}, {"_id": 1})}
    authorisations: dict[str, int] = defaultdict(int)
    for event in db().payment_events.find({}, {"checkout_id": 1, "type": 1}):
        if event.get("checkout_id") and event.get("type") == AUTHORISED_EVENT:
            authorisations[event["checkout_id"]] += 1
    not_exactly_one = {cid: authorisations.get(cid, 0) for cid in authorised if authorisations.get(cid, 0) != 1}
    captures = _capture_invariants()
    return {
        "products_checked": len(initial),
        "stock_ledger_violations": broken_stock,
        "held_units": held_total,
        "units_sold": sum(sold.values()),
        "authorised_checkouts": len(authorised),
        "authorised_checkouts_without_exactly_one_authorisation_event": not_exactly_one,
        **captures,
        "ok": not broken_stock
        and not not_exactly_one
        and held_total == 0
        and not captures["capture_violations"]
        and not captures["packed_but_not_captured"],
    }


def _capture_invariants() -> dict:
    """Every checkout whose orders are all packed (or cancelled) is captured, once, for the sum of its
    orders' final totals: as the checkout records it, as its orders show it, as the provider took it."""
    from smartgrocer.adapters.mongo import db

    projected: dict[str, int] = defaultdict(int)
    for order in db().orders.find({}, {"checkout_id": 1, "status": 1, "final_cents": 1}):
        if order["status"] != "cancelled":
            projected[order["checkout_id"]] += order.get("final_cents") or 0
    capture_events: dict[str, int] = defaultdict(int)
    for event in db().payment_events.find({}, {"checkout_id": 1, "type": 1}):
        if event.get("checkout_id") and event.get("type") == CAPTURED_EVENT:
            capture_events[event["checkout_id"]] += 1
    violations, packed_not_captured, captured, captured_cents = [], [], 0, 0
    for checkout in db().checkouts.find({"status": {"$in": sorted(AUTHORISED_CHECKOUTS)}}):
        live = [o for o in checkout["orders"].values() if o["status"] not in ("cancelled", "payment_failed")]
        all_packed = all(o["status"] in ("packed", "out_for_delivery", "delivered") for o in live)
        final = sum(o["final_cents"] or 0 for o in live)
        intent = db().local_payment_intents.find_one({"_id": checkout["payment_intent_id"]}) or {}
        if checkout["status"] == "voided":  # everything packed short to nothing, or cancelled: nothing taken
            if final or intent.get("status") != "canceled" or intent.get("amount_received"):
                violations.append({"checkout_id": checkout["_id"], "voided_but": [final, intent.get("status")]})
            continue
        if checkout["status"] != "captured":
            if all_packed:
                packed_not_captured.append({"checkout_id": checkout["_id"], "status": checkout["status"]})
            continue
        seen = {
            "capture": (checkout.get("capture") or {}).get("amount_cents"),
            "orders": projected[checkout["_id"]],
            "provider": intent.get("amount_received"),
            "capture_events": capture_events[checkout["_id"]],
        }
        if seen != {"capture": final, "orders": final, "provider": final, "capture_events": 1}:
            violations.append({"checkout_id": checkout["_id"], "final_total": final, **seen})
        captured, captured_cents = captured + 1, captured_cents + final
    return {
        "captured_checkouts": captured,
        "captured_cents": captured_cents,
        "capture_violations": violations,
        "packed_but_not_captured": packed_not_captured,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="Lambda-like worker processes in the runner")
    parser.add_argument("--shoppers", type=int, default=20)
    parser.add_argument("--hot", type=int, default=3, help="products all checkouts compete for")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pack", type=float, default=0.5, help="share of authorised checkouts the sellers pack")
    args = parser.parse_args(argv)

    import os

    os.environ.setdefault("BCRYPT_ROUNDS", "10")  # production is 12; keeps setup short, login still does real work
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    from local.runner import LocalRuntime
    from tests.support import ApiClient

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="smartgrocer-load-") as data_dir:
        runtime = LocalRuntime(
            port=0, data_dir=Path(data_dir), seed=True, expiry_interval=0, quiet=True, workers=args.workers
        )
        runtime.start()
        try:
            from smartgrocer.adapters.mongo import db

            api = ApiClient(runtime.base_url)
            shoppers = []
            for i in range(args.shoppers):
                email, password = f"load-{i}-{uuid.uuid4().hex[:6]}@example.com", "load-password-1"
                account = api.signup(email, password=password)
                shoppers.append({"email": email, "password": password, "token": account.access_token})
            from local.seed import CATALOG, DEMO_PASSWORDS

            sellers = {}
            for email in CATALOG:
                login = api.login(email, DEMO_PASSWORDS["seller"])
                assert login.status_code == 200, login.text
                sellers[login.json()["user"]["id"]] = login.json()["access_token"]
            products = {p["_id"]: p["stock"] for p in db().products.find({"is_active": True}, {"stock": 1})}
            product_ids = sorted(products)
            hot = rng.sample(product_ids, k=args.hot)
            plan = _plan(args.requests, rng)
            load = Load(runtime.base_url, shoppers, product_ids, hot, args.seed, sellers, args.pack)
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(lambda item: load.run_one(*item), enumerate(plan)))
            wall = time.perf_counter() - started
            # The provider's capture events still queued (the runner's loop delivers them in the background).
            flushed = api.post("/local/payments/deliver")
            assert flushed.status_code == 200 and flushed.json()["pending"] == 0, flushed.text
            invariants = _invariants(products)
        finally:
            runtime.stop()

    rows, per_route, total, errors = [], {}, 0, 0
    for route in sorted(load.samples):
        samples, statuses = load.samples[route], dict(load.statuses[route])
        failed = sum(n for s, n in statuses.items() if not isinstance(s, int) or s >= 500)
        total, errors = total + len(samples), errors + failed
        per_route[route] = {
            "count": len(samples),
            "p50_ms": percentile(samples, 50),
            "p95_ms": percentile(samples, 95),
            "p99_ms": percentile(samples, 99),
            "errors": failed,
            "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        }
        rows.append(
            [
                route,
                len(samples),
                percentile(samples, 50),
                percentile(samples, 95),
                percentile(samples, 99),
                failed,
                ", ".join(f"{k}:{v}" for k, v in sorted(statuses.items(), key=str)),
            ]
        )
    summary = {
        "planned": args.requests,
        "http_requests": total,
        "wall_s": round(wall, 2),
        "throughput_rps": round(total / wall, 1),
        "error_rate": round(errors / total, 4) if total else 0.0,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "hot_products": hot,
        "seed": args.seed,
        "mix": dict(MIX),
        "shoppers": args.shoppers,
        "pack_share": args.pack,
        "bcrypt_rounds": int(os.environ["BCRYPT_ROUNDS"]),
    }
    path = write_results("load", {"summary": summary, "routes": per_route, "invariants": invariants})

    print(
        f"\n## Load: {total} requests ({args.requests} planned + payments and next pages) in {wall:.1f} s "
        f"= {summary['throughput_rps']} req/s, concurrency {args.concurrency}, {args.workers} workers, "
        f"error rate {summary['error_rate']:.2%}\n"
    )
    print(markdown_table(["route", "n", "p50 ms", "p95 ms", "p99 ms", "errors", "statuses"], rows))
    print(
        f"\nInvariants: {'OK' if invariants['ok'] else 'BROKEN'}: "
        f"{invariants['products_checked']} products, stock + held + sold == initial "
        f"({len(invariants['stock_ledger_violations'])} violations, {invariants['held_units']} units still held); "
        f"{invariants['authorised_checkouts']} authorised checkouts, "
        f"{len(invariants['authorised_checkouts_without_exactly_one_authorisation_event'])} without exactly one "
        "authorisation event; "
        f"{invariants['captured_checkouts']} captured checkouts "
        f"({invariants['captured_cents']} cents), {len(invariants['capture_violations'])} whose capture is not "
        f"the sum of final totals once, {len(invariants['packed_but_not_captured'])} packed but not captured; "
        f"{invariants['units_sold']} units sold"
    )
    print(f"Saved {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0 if invariants["ok"] and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
