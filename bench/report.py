"""Render bench/results/*.json into the "Latest figures" section of bench/README.md.

    python -m bench.report          # rewrite README.md between the markers
    python -m bench.report --print  # print the section instead
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.common import RESULTS

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- figures:begin (python -m bench.report) -->", "<!-- figures:end -->"


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def render() -> str:
    parts = []
    cold = _load("cold_start")
    if cold:
        env = cold["environment"]
        parts.append(f"### Cold start ({env['when']}, Python {env['python']}, {env['processor_count']} CPUs)\n")
        parts.append(f"Floor `{cold['floor']['command']}`: median **{cold['floor']['median_ms']:.0f} ms**; "
                     f"{cold['runs']} fresh interpreters per function, interleaved with the floor. Target for "
                     f"{', '.join(cold['read_only_catalog'])}: <= {cold['target_ratio_read_only']}x.")
        if cold.get("framework_floor"):
            fw = cold["framework_floor"]
            parts.append(f"Framework floor `{fw['command']}` (informational): {fw['median_ms']:.0f} ms = "
                         f"{fw['ratio_to_floor']:.2f}x the floor; \"x framework\" is each function against it.\n")
        else:
            parts.append("")
        parts.append(cold["markdown"] + "\n")
        if cold.get("offenders"):
            parts.append("Biggest imports where a target was missed (cumulative ms, `python -X importtime`):\n")
            for name, top in cold["offenders"].items():
                parts.append(f"- `{name}`: " + ", ".join(f"{m} {ms:.0f}" for m, ms in top))
            parts.append("")
        if cold.get("missing"):
            parts.append(f"Not measured (no handler yet): {', '.join(cold['missing'])}\n")
    catalog = _load("catalog")
    if catalog:
        env = catalog["environment"]
        parts.append(f"### Catalog listing ({env['when']}, {catalog['engine']}, {catalog['products']} products, "
                     f"page size {catalog['page_size']})\n")
        parts.append(f"Bulk insert {catalog['insert_seconds']} s, indexes {catalog['index_seconds']} s. Handler = "
                     "warm `products_list` lambda_handler in-process; raw = pymongo `find()` with the same "
                     "filter/sort/limit (the floor).\n")
        parts.append(catalog["markdown"] + "\n")
    if not parts:
        return "No results yet: run `make bench`.\n"
    return "\n".join(parts)


def main() -> None:
    section = render()
    if "--print" in sys.argv:
        print(section)
        return
    text = README.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"markers missing in {README}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}")
    print(f"updated {README}")


if __name__ == "__main__":
    main()
