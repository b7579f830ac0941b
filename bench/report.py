"""Render bench/results/*.json into the "Latest figures" section of bench/README.md.

    python -m bench.report          # rewrite README.md between the markers
    python -m bench.report --print  # print the section instead

Every figure comes from a result file written by a bench script (cold_start, catalog, search, checkout,
load, layer_size); nothing is typed in by hand. Each section notes the machine and time of its own run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.common import RESULTS, markdown_table

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- figures:begin (python -m bench.report) -->", "<!-- figures:end -->"
MIB = 1024 * 1024


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _machine(env: dict) -> str:
    """`2026-11-24 20:23:01 UTC, Linux x86_64, 2 CPUs, Python 3.11.7`."""
    where = " ".join(x for x in (env.get("system"), env.get("machine")) if x)
    load = f"load average {env['load_average']}" if env.get("load_average") is not None else None
    return ", ".join(
        x
        for x in (env.get("when"), where, f"{env.get('processor_count')} CPUs", f"Python {env.get('python')}", load)
        if x
    )


def _x(value: float) -> str:
    return f"{value:.2f}x"


# -- at a glance -----------------------------------------------------------------------------------


def _glance(cold, catalog, checkout, load, layer, search=None) -> list[str]:
    rows = []
    if cold and cold.get("floors"):
        judged = cold["judged_mode"]
        catalog_reads = [f for f in cold["functions"] if f["catalog_read"]]
        target, target_all = cold["target_ratio_catalog"], cold["target_ratio_all"]
        shipped = "snapstart" in cold.get("shipped_modes", ())
        what = "Cold start as shipped (SnapStart emulated for HTTP functions)" if shipped else "Cold start Lambda-true"
        rows.append(
            [
                f"{what}, catalog reads (x floor, CPU)",
                ", ".join(f"{f['function']} {f['ratio']:.2f}" for f in catalog_reads),
                f"<= {target}",
                "met" if all(f["ratio"] <= target for f in catalog_reads) else "missed",
                "cold_start",
            ]
        )
        ratios = [f["ratio"] for f in cold["functions"]]
        over = [f["function"] for f in cold["functions"] if f["ratio"] > target_all]
        floor = cold["floors"][judged]
        rows.append(
            [
                f"{what}, all functions (x floor, CPU)",
                f"{min(ratios):.2f} - {max(ratios):.2f} (floor {floor['cpu_ms']:.0f} ms CPU)",
                f"<= {target_all}",
                "met" if not over else "missed: " + ", ".join(over),
                "cold_start",
            ]
        )
        if shipped and judged in cold["modes"]:
            plain = [f["modes"][judged]["ratio_cpu"] for f in cold["functions"]]
            rows.append(
                [
                    "Cold start Lambda-true init (a SnapStart function pays it once per published version)",
                    f"{min(plain):.2f} - {max(plain):.2f}",
                    "",
                    "",
                    "cold_start",
                ]
            )
        if "lambda-source" in cold["modes"]:
            source = [f["modes"]["lambda-source"]["cpu_ms"] / f["modes"][judged]["cpu_ms"] for f in cold["functions"]]
            rows.append(
                [
                    "Cold start, no shipped bytecode / shipped bytecode (CPU)",
                    f"{min(source):.1f} - {max(source):.1f}x slower from source",
                    "",
                    "",
                    "cold_start",
                ]
            )
    if catalog and catalog.get("deep_pagination"):
        deep = catalog["deep_pagination"]
        rows.append(
            [
                f"Pagination flatness, page {catalog.get('deep_page', 500)} / page 1 p50",
                ", ".join(f"{d['sort']} {d['ratio']:.2f}" for d in deep),
                "<= 1.5",
                "met"
                if all(d["target_met"] for d in deep)
                else "missed: " + ", ".join(d["sort"] for d in deep if not d["target_met"]),
                "catalog",
            ]
        )
    if search and search.get("shapes"):
        first = [r for r in search["shapes"] if r["page"] == 1]
        rows.append(
            [
                f"Search p50 on {search['products']} products, x plain category listing (same run)",
                ", ".join(f"{r['shape'].split(':')[0]} {r['p50_ms']:.0f} ms ({r['x_floor']:.0f}x)" for r in first),
                "",
                "",
                "search",
            ]
        )
        ranked = [p for p in search.get("pages", []) if p.get("ranked", True)]
        if ranked:
            rows.append(
                [
                    "Ranked search page 2 / page 1 p50 (measured in the same rounds)",
                    ", ".join(f"{p['query'].split(':')[0]} {p['ratio']:.2f}" for p in ranked),
                    "<= 1.25 (same reads as page 1)",
                    "met" if all(p["ratio"] <= 1.25 for p in ranked) else "missed",
                    "search",
                ]
            )
    if checkout:
        series = {s["series"]: s for s in checkout["series"]}
        conc = checkout["concurrency"]
        calm, hot = series.get(f"uncontended, HTTP, c={conc}"), series.get(f"hot product, HTTP, c={conc}")
        in_proc = series.get("uncontended, in-process, c=1")
        if in_proc:
            rows.append(
                [
                    "Checkout handler, in-process c=1, x raw MongoDB floor (p50 / p99)",
                    f"{in_proc['ratio_p50']:.2f} / {in_proc['ratio_p99']:.2f} ({in_proc['p50_ms']:.0f} ms p50)",
                    "",
                    "",
                    "checkout",
                ]
            )
        if calm and hot:
            rows.append(
                [
                    f"Checkout contention, hot product / all different products (HTTP c={conc})",
                    f"p50 {hot['p50_ms'] / calm['p50_ms']:.2f}, p99 {hot['p99_ms'] / calm['p99_ms']:.2f}, "
                    f"throughput {hot['throughput_rps'] / calm['throughput_rps']:.2f}",
                    "",
                    "",
                    "checkout",
                ]
            )
        cold_fns = {r["function"]: r for r in checkout["cold_start"]["functions"]}
        picked = [cold_fns[n] for n in ("payments_webhook", "notifier") if n in cold_fns]
        if picked:
            rows.append(
                [
                    "Cold start, payment / notification (x floor)",
                    ", ".join(f"{r['function']} {r['ratio']:.2f}" for r in picked),
                    "",
                    "",
                    "checkout",
                ]
            )
    if load:
        s = load["summary"]
        worst = max(load["routes"].items(), key=lambda item: item[1]["p99_ms"])
        rows.append(
            [
                f"Load mix, {s['http_requests']} requests at concurrency {s['concurrency']}",
                f"{s['throughput_rps']:.0f} req/s, error rate {s['error_rate']:.2%}, worst p99 "
                f"{worst[1]['p99_ms']:.0f} ms ({worst[0]})",
                "0 errors, invariants hold",
                "met" if s["error_rate"] == 0 and load["invariants"]["ok"] else "missed",
                "load",
            ]
        )
    if layer:
        rows.append(
            [
                "Lambda layer size",
                f"{layer['unzipped_bytes'] / MIB:.1f} MiB unzipped, {layer['zipped_bytes'] / MIB:.1f} MiB zipped",
                f"<= {layer['unzipped_limit_bytes'] // MIB} / {layer['zipped_upload_limit_bytes'] // MIB} MiB",
                "met" if layer["within_limits"] else "missed",
                "layer",
            ]
        )
    if not rows:
        return []
    runs = {
        name: data["environment"]
        for name, data in (
            ("cold_start", cold),
            ("catalog", catalog),
            ("search", search),
            ("checkout", checkout),
            ("load", load),
            ("layer", layer),
        )
        if data
    }
    machines = {(e.get("system"), e.get("machine"), e.get("processor_count"), e.get("python")) for e in runs.values()}
    out = ["### At a glance\n"]
    if len(machines) == 1:
        system, arch, cpus, python = next(iter(machines))
        whens = sorted(e["when"] for e in runs.values())
        out.append(
            f"Machine: {system} {arch}, {cpus} CPUs, Python {python}; runs from {whens[0]} to {whens[-1]}. "
            "Ratios are against a floor measured in the same run; absolute times are this machine's.\n"
        )
    else:
        out.append("The result files come from different machines; each section below names its own.\n")
    out.append(markdown_table(["figure", "latest", "target", "status", "bench"], rows) + "\n")
    return out


# -- sections ----------------------------------------------------------------------------------------

_MODE_TEXT = {
    "today": "**today**: this interpreter, the source tree, a writable bytecode cache (warm after the first run)",
    "lambda": "**Lambda-true**: Lambda's CPython on a read-only copy of the deployable build (layer and functions "
    "with their shipped bytecode), `-X frozen_modules=on`, PYTHONDONTWRITEBYTECODE=1, no cache",
    "snapstart": "**SnapStart (emulated)**: the Lambda-true copy initialised once per function up to ready, "
    "then the before-snapshot hooks (the snapshot); each sample is a `fork()` of that process running the "
    "after-restore hooks and building its clients (CPU of the forked child, wall from fork to ready). It leaves "
    "out Firecracker restoring the snapshot's memory, which only AWS can measure: `Restore Duration` in the "
    "REPORT line of a restored container's first invocation",
    "lambda-source": "**from source**: the same read-only copy without any `.pyc`, as the layer shipped before "
    "it carried bytecode",
}


def _cold(cold: dict) -> list[str]:
    if not cold.get("floors"):
        return []
    floors = cold["floors"]
    runtime = cold.get("runtime") or {}
    parts = [
        f"### Cold start per function ({_machine(cold['environment'])})\n",
        f"{cold['runs']} fresh interpreters per function and mode, interleaved with the floors. Modes: "
        + "; ".join(_MODE_TEXT[m] for m in cold["modes"])
        + "."
        + (f" Lambda's CPython here: {runtime.get('executable')} ({runtime.get('cache_tag')})." if runtime else ""),
        "",
        "Floors, `import pymongo, pydantic` from bytecode, in the same run (CPU = user + system time of the "
        "child; wall = spawn to ready):\n",
    ]
    frows = []
    for key, floor in floors.items():
        relative = (
            f"{floor['ratio_cpu']:.2f}x / {floor['ratio_wall']:.2f}x" if "ratio_cpu" in floor else "1 (the floor)"
        )
        frows.append([key, f"`{floor['command']}`", floor["cpu_ms"], floor["wall_ms"], relative])
    parts.append(markdown_table(["floor", "command", "CPU ms", "wall ms", "x its floor (CPU / wall)"], frows) + "\n")
    judged_in = (
        "in the mode each function ships with (`shipped`: SnapStart for the HTTP functions, plain Lambda-true "
        "init for the background ones)"
        if "snapstart" in cold.get("shipped_modes", ())
        else f"in {cold['judged_mode']} mode"
    )
    parts.append(
        f"Ratios are CPU time against the floor of the same interpreter (SnapStart and from-source runs against "
        f"the Lambda-true bytecode floor). Targets, judged {judged_in} on CPU: catalog reads "
        f"({', '.join(cold['catalog_reads'])}) <= {cold['target_ratio_catalog']}x, every function <= "
        f"{cold['target_ratio_all']}x.\n"
    )
    parts.append(cold["markdown"] + "\n")
    if cold.get("instructions"):
        parts.append(
            "Where the init goes, in instructions (valgrind callgrind, Lambda-true mode; exact, so one run "
            "each and unaffected by other load). Stages are cumulative from the floor:\n"
        )
        parts.append(cold["instructions"]["markdown"] + "\n")
    if cold.get("offenders"):
        parts.append(
            "Biggest imports where a target was missed (cumulative ms, `python -X importtime`, "
            f"{cold['judged_mode']} mode):\n"
        )
        for name, top in cold["offenders"].items():
            parts.append(f"- `{name}`: " + ", ".join(f"{m} {ms:.0f}" for m, ms in top))
        parts.append("")
    if cold.get("missing"):
        parts.append(f"Not measured (no handler yet): {', '.join(cold['missing'])}\n")
    return parts


def _catalog(catalog: dict) -> list[str]:
    return [
        f"### Catalog listing and pagination flatness ({_machine(catalog['environment'])})\n",
        f"{catalog['engine']}, {catalog['products']} products, page size {catalog['page_size']}. "
        f"Bulk insert {catalog['insert_seconds']} s, indexes {catalog['index_seconds']} s. Handler = "
        "warm `products_list` lambda_handler in-process; raw = pymongo `find()` with the same "
        "filter/sort/limit (the floor). The second table is pagination flatness: page "
        f"{catalog.get('deep_page', 500)} (keyset cursor) against page 1, target <= 1.5.\n",
        catalog["markdown"] + "\n",
    ]


def _search(search: dict) -> list[str]:
    loaded = (
        f"Bulk insert {search['insert_seconds']} s, postings ({search.get('postings_buckets')} buckets) "
        f"{search.get('postings_seconds')} s; apply-indexes (indexes, terms, vocabulary) {search['index_seconds']} s"
        if search["insert_seconds"]
        else "Products, postings and indexes reused from an earlier load (`--data-dir`)"
    )
    return [
        f"### Search at scale ({_machine(search['environment'])})\n",
        f"{search['engine']}, {search['products']} products ({search['vocabulary_words']} vocabulary words), page size "
        f"{search['page_size']}. {loaded}. "
        "Warm `products_list` / `products_suggest` lambda_handlers in-process, each shape interleaved call by call "
        f"with the floor, a plain category listing ({search['floor']}); "
        '"x floor" = shape p50 / floor p50. Page 2 is read with the cursor page 1 answered, in the same rounds as '
        "page 1. A search reads its words' postings (a range on the indexed `k` of `search_postings`), then "
        "fetches its candidates by `_id`; a search sorted by price with many matches reads along the price key "
        "with the terms checked per product, which nx-27017 shows as a scan.\n",
        search["markdown"] + "\n",
    ]


def _checkout(checkout: dict) -> list[str]:
    conc = checkout["concurrency"]
    counts = checkout.get("command_counts", {})
    parts = [
        f"### Checkout under contention ({_machine(checkout['environment'])})\n",
        f"{checkout['engine']}; {checkout['requests_per_series']} warm `POST /api/orders` per series "
        f"(one line, quantity 1, own Idempotency-Key). Floor = the {sum(counts.values())} MongoDB commands one "
        "checkout issues (" + ", ".join(f"{k} x{v}" for k, v in sorted(counts.items())) + "), replayed with "
        'plain pymongo on the same server at the same concurrency; "hot product" sends every request to '
        'one product, its floor hits one document. "x floor" = checkout / floor (latency), '
        '"floor/req/s" = floor throughput / checkout throughput.\n',
        checkout["markdown"] + "\n",
    ]
    series = {s["series"]: s for s in checkout["series"]}
    calm, hot = series.get(f"uncontended, HTTP, c={conc}"), series.get(f"hot product, HTTP, c={conc}")
    if calm and hot:
        parts.append(
            f"Contention (hot product / all different products, HTTP c={conc}): p50 "
            f"{_x(hot['p50_ms'] / calm['p50_ms'])}, p99 {_x(hot['p99_ms'] / calm['p99_ms'])}, throughput "
            f"{_x(hot['throughput_rps'] / calm['throughput_rps'])}."
        )
    check = checkout.get("hot_product_check")
    if check:
        parts.append(
            f"Hot product stock: {check['stock_start'] - check['stock_end']} units taken for "
            f"{check['orders']} orders ({'consistent' if check['consistent'] else 'INCONSISTENT'}).\n"
        )
    cold = checkout.get("cold_start")
    if cold:
        parts.append(
            f"Cold start of the payment and notification functions (median of fresh interpreters, floor "
            f"`{cold['floor']['command']}` {cold['floor']['median_ms']:.0f} ms in the same run):\n"
        )
        parts.append(checkout["cold_markdown"] + "\n")
    return parts


def _load_section(load: dict) -> list[str]:
    s, inv = load["summary"], load["invariants"]
    mix = s.get("mix")
    mix_text = (
        ", ".join(f"{kind} {share:.0%}" for kind, share in mix.items())
        if mix
        else "browse/search 80 %, detail 10 %, login 5 %, checkout 5 %"
    )
    parts = [
        f"### Load mix and warm latency per route ({_machine(load['environment'])})\n",
        f"Fresh local stack (demo catalog, {s['workers']} Lambda-like workers), {s['planned']} planned requests "
        f"({mix_text}; every successful checkout is then paid) = {s['http_requests']} HTTP requests at "
        f"concurrency {s['concurrency']} in {s['wall_s']:.1f} s: **{s['throughput_rps']:.0f} req/s**, error rate "
        f"**{s['error_rate']:.2%}** (5xx or no answer). Checkouts compete for {len(s['hot_products'])} hot "
        "products, so 409 (out of stock) is an expected answer. These are warm latencies under that load (the "
        "client threads, the runner and its workers share the same CPUs), not idle single-request times.\n",
    ]
    rows = [
        [
            route,
            r["count"],
            r["p50_ms"],
            r["p95_ms"],
            r["p99_ms"],
            r["errors"],
            ", ".join(f"{k}:{v}" for k, v in r["statuses"].items()),
        ]
        for route, r in load["routes"].items()
    ]
    parts.append(markdown_table(["route", "n", "p50 ms", "p95 ms", "p99 ms", "errors", "statuses"], rows) + "\n")
    parts.append(
        f"Invariants: **{'OK' if inv['ok'] else 'BROKEN'}**. {inv['products_checked']} products: "
        f"stock + held + sold == initial ({len(inv['stock_ledger_violations'])} violations, "
        f"{inv['held_units']} units still held); {inv['paid_checkouts']} paid checkouts, "
        f"{len(inv['paid_checkouts_without_exactly_one_payment_event'])} without exactly one payment "
        f"event; {inv['units_sold']} units sold.\n"
    )
    return parts


def _layer(layer: dict) -> list[str]:
    build = layer.get("build", {})
    how = (
        "`python scripts/build_layer.py`"
        + (", pip step reused from the cache" if build.get("pip_cache_reused") else "")
        if build.get("ran")
        else "existing build, not rebuilt"
    )
    return [
        f"### Lambda layer size ({_machine(layer['environment'])})\n",
        f"`{layer['layer_dir']}` ({layer['target']}), {layer['files']} files; {how}. The zip is a real deflate "
        "archive of the layer; Lambda's limits are 250 MiB unzipped for a function and all its layers, "
        "50 MiB zipped for a direct upload.\n",
        layer["markdown"] + "\n",
        "Biggest entries (unzipped):\n",
        layer["top_markdown"] + "\n",
    ]


# The heading each bench's section starts with: a README regenerated on a machine that lacks some result files
# keeps those benches' last published section and at-a-glance rows instead of dropping them.
HEADINGS = {
    "cold_start": "### Cold start per function",
    "catalog": "### Catalog listing",
    "search": "### Search at scale",
    "checkout": "### Checkout under contention",
    "load": "### Load mix",
    "layer": "### Lambda layer size",
}
EARLIER = " (earlier run)"


def _previous(section: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(bench -> its section as last published, bench -> its at-a-glance rows) from the README's figures."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in section.splitlines():
        if line.startswith("### "):
            current = next((name for name, heading in HEADINGS.items() if line.startswith(heading)), None)
            current = current or ("glance" if line.startswith("### At a glance") else None)
        if current:
            blocks.setdefault(current, []).append(line)
    rows: dict[str, list[str]] = {}
    for line in blocks.pop("glance", []):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 5 and cells[0] != "figure":
            bench = cells[-1].removesuffix(EARLIER.strip()).replace(EARLIER, "").strip()
            rows.setdefault(bench, []).append("| " + " | ".join([*cells[:-1], bench + EARLIER]) + " |")
    return {name: "\n".join(lines).rstrip() + "\n" for name, lines in blocks.items()}, rows


def render(previous: str = "") -> str:
    results = {name: _load(name) for name in ("cold_start", "catalog", "search", "checkout", "load", "layer")}
    old_sections, old_rows = _previous(previous)
    carried = [name for name, data in results.items() if not data and name in old_sections]
    parts = _glance(
        results["cold_start"],
        results["catalog"],
        results["checkout"],
        results["load"],
        results["layer"],
        results["search"],
    )
    extra_rows = [row for name in carried for row in old_rows.get(name, [])]
    if extra_rows:
        if not parts:
            parts = ["### At a glance\n", markdown_table(["figure", "latest", "target", "status", "bench"], []) + "\n"]
        parts[-1] = parts[-1].rstrip("\n") + "\n" + "\n".join(extra_rows) + "\n"
        parts.insert(
            -1,
            f"Rows marked *{EARLIER.strip()}* and the sections they point to are carried over from the "
            "figures published before: their result files were not on the machine that ran this "
            "report.\n",
        )
    renderers = {
        "cold_start": _cold,
        "catalog": _catalog,
        "search": _search,
        "checkout": _checkout,
        "load": _load_section,
        "layer": _layer,
    }
    for name, data in results.items():
        if data:
            parts += renderers[name](data)
        elif name in carried:
            parts.append(old_sections[name])
    missing = [name for name, data in results.items() if not data and name not in carried]
    if not parts:
        return "No results yet: run `make bench` and `make load`.\n"
    if missing:
        parts.append(f"No results yet for: {', '.join(missing)} (see the table above for the commands).\n")
    return "\n".join(parts)


def main() -> None:
    text = README.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"markers missing in {README}")
    head, rest = text.split(BEGIN, 1)
    previous, tail = rest.split(END, 1)
    section = render(previous)
    if "--print" in sys.argv:
        print(section)
        return
    README.write_text(f"{head}{BEGIN}\n{section.rstrip()}\n\n{END}{tail}")
    print(f"updated {README}")


if __name__ == "__main__":
    main()
