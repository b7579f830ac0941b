"""Shared helpers for the benchmarks: paths, statistics, tables, result files."""

from __future__ import annotations

import json
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "smartgrocer" / "python"
FUNCTIONS = ROOT / "functions"
RESULTS = Path(__file__).resolve().parent / "results"

for _path in (str(ROOT), str(LAYER)):
    if _path not in sys.path:
        sys.path.insert(0, _path)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p50 = median of the sample, p99 = the slowest 1 %)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def series_stats(latencies_ms: list[float], wall_s: float) -> dict:
    """Latency and throughput of one series of calls."""
    return {
        "n": len(latencies_ms),
        "p50_ms": round(percentile(latencies_ms, 50), 2),
        "p99_ms": round(percentile(latencies_ms, 99), 2),
        "mean_ms": round(statistics.fmean(latencies_ms), 2) if latencies_ms else None,
        "throughput_rps": round(len(latencies_ms) / wall_s, 1) if wall_s > 0 else None,
        "wall_s": round(wall_s, 2),
    }


def run_series(work, count: int, concurrency: int, budget_s: float) -> tuple[dict, list[int], list[float]]:
    """work(i) for i in range(count) on `concurrency` threads, stopping after budget_s: the series' stats,
    each call's status and each call's latency (ms)."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + budget_s
    counter = iter(range(count))

    def worker():
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            status = work(i)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return series_stats(latencies, time.perf_counter() - started), statuses, latencies


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(headers: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return "" if value is None else str(value)


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
        "processor_count": _cpu_count(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average": _load_average(),  # other work on the machine: it moves absolute times, not ratios
    }


def _load_average() -> float | None:
    import os

    return round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def write_results(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"environment": environment(), **payload}, indent=2, default=str) + "\n")
    return path


def with_database(run, options) -> None:
    """`run(options, engine)` against MONGODB_URI when set, else an nx-27017 of our own (in `--data-dir`,
    kept for the next run, or a temporary folder), with the environment the handlers read."""
    import os
    import signal
    import tempfile

    from local.services import mongo_service

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below: never orphan nx-27017
    service, workdir = None, None
    uri = os.environ.get("MONGODB_URI")
    if not uri:
        if options.data_dir:
            data = Path(options.data_dir)
        else:
            workdir = tempfile.TemporaryDirectory(prefix="smartgrocer-bench-")
            data = Path(workdir.name)
        service = mongo_service(data / "mongo").start()
        uri = f"mongodb://127.0.0.1:{service.port}/?directConnection=true"
    os.environ.update(
        {
            "MONGODB_URI": uri,
            "MONGODB_DB": "smartgrocer_bench",
            "JWT_SECRET": "bench-" + "x" * 40,
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "MONGODB_SOCKET_TIMEOUT_MS": "300000",  # nx-27017's full scans of 100k documents are slow
        }
    )
    try:
        run(options, engine="nx-27017" if service else "external MongoDB")
    finally:
        if service:
            service.stop()
        if workdir:
            workdir.cleanup()


def load_catalog(database, docs: list[dict], batch: int) -> dict:
    """The generated catalog (bench.catalog.build_products) as a restore would load it: the products in bulk,
    their search postings in bulk (as their writes would have posted them), then the declared indexes and
    the search vocabulary (the apply-indexes step). Skipped when the database already holds this catalog
    under today's search rules (a reused --data-dir). Seconds spent, per stage (0 when skipped)."""
    from smartgrocer.adapters.mongo_postings import buckets_of, documents
    from smartgrocer.domain.search_text import SEARCH_VERSION
    from smartgrocer.indexes import apply_indexes

    seconds = {"insert": 0.0, "postings": 0.0, "indexes": 0.0, "postings_documents": 0}
    marker = {"_id": "bench", "products": len(docs), "seed": 42, "ids": "seeded", "search_v": SEARCH_VERSION}
    if database.bench_meta.find_one({"_id": "bench"}) == marker:  # no count(): nx-27017 counts by scanning
        print("reusing the catalog already loaded in --data-dir")
        return seconds
    for name in ("products", "search_words", "search_postings", "bench_meta"):
        database[name].drop()
    for doc in docs:  # posted as a write posts it
        doc.pop("search_pending", None)
        doc["posted"] = buckets_of(doc)
    started = time.monotonic()
    for start in range(0, len(docs), batch):
        database.products.insert_many(docs[start : start + batch], ordered=False)
        print(f"\r  inserted {min(start + batch, len(docs)):>7}/{len(docs)} products", end="", flush=True)
    seconds["insert"] = time.monotonic() - started
    started = time.monotonic()
    buckets = documents(docs)
    for start in range(0, len(buckets), 500):
        database.search_postings.insert_many(buckets[start : start + 500], ordered=False)
        print(f"\r  inserted {min(start + 500, len(buckets)):>7}/{len(buckets)} postings buckets", end="", flush=True)
    seconds["postings"], seconds["postings_documents"] = time.monotonic() - started, len(buckets)
    started = time.monotonic()
    apply_indexes(database)  # after the bulk load, as a restore would; the step is idempotent
    seconds["indexes"] = time.monotonic() - started
    database.bench_meta.insert_one(marker)
    return seconds
