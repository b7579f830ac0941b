"""Cold start per function: a fresh interpreter imports the handler module and builds its clients.

    python -m bench.cold_start [--runs 7] [--only name,name]

For every function of the route table plus the background functions, a new `python` process puts the
layer and the function folder on sys.path (as Lambda does), imports `handler.py`, builds the MongoDB
client (pymongo connects lazily, so no network; MONGODB_URI points at a closed port anyway) and reports
which heavy modules ended up in `sys.modules`. Wall time of the whole process is measured by the parent.

Floor: `python -c "import pymongo, pydantic"` (the two imports every function needs), measured in the same
run and interleaved with the functions, so machine noise hits both. Targets (DESIGN §7):
  * read-only catalog functions (health, products_list, products_get, categories_list) <= 1.3x the floor;
  * no function without payment access imports stripe;
  * functions that never call AWS (no S3/EventBridge/SES access) do not import boto3.
Misses are investigated with `python -X importtime`, and the biggest imports are listed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench.common import FUNCTIONS, LAYER, ROOT, markdown_table, median, table, write_results
from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access  # noqa: E402  (bench.common set sys.path)

READ_ONLY_CATALOG = ("health", "products_list", "products_get", "categories_list")
TARGET_RATIO = 1.3
PAYMENT_ACCESS = {Access.PAYMENTS, Access.PAYMENT_WEBHOOK}
AWS_ACCESS = {Access.IMAGES_UPLOAD, Access.EVENTS, Access.MAIL}
WATCHED = (
    "stripe",
    "boto3",
    "botocore",
    "jwt",
    "bcrypt",
    "pymongo",
    "pydantic",
    "email_validator",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.parameters",
)

CHILD = r"""
import importlib.util, json, os, sys, time
name, function_dir, layer = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path[:0] = [function_dir, layer]
spec = importlib.util.spec_from_file_location("handler", os.path.join(function_dir, "handler.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(module.lambda_handler)
if sys.argv[4] == "1":
    from smartgrocer.adapters import mongo
    mongo.client()  # the MongoClient object: pymongo connects lazily, nothing goes over the network
ready = time.monotonic()
watched = json.loads(sys.argv[5])
print(json.dumps({"ready": ready, **{m: m in sys.modules for m in watched}}), flush=True)
os._exit(0)  # a Lambda container never exits: interpreter shutdown (pymongo joins its monitors) is not counted
"""
FLOOR = "import pymongo, pydantic"
FLOOR_CHILD = (
    f"{FLOOR}; import json, os, time; print(json.dumps({{'ready': time.monotonic()}}), flush=True); os._exit(0)"
)
# Informational second floor: what any Powertools-resolver function pays before a line of our code runs.
FRAMEWORK = "import pymongo, pydantic, aws_lambda_powertools.event_handler"
FRAMEWORK_CHILD = FLOOR_CHILD.replace(FLOOR, FRAMEWORK)


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MONGODB_", "PYTHON"))}
    env.update(
        {
            "MONGODB_URI": "mongodb://127.0.0.1:9/?directConnection=true",  # discard port: nothing listens
            "MONGODB_DB": "bench",
            "JWT_SECRET": "bench-only-" + "x" * 40,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "POWERTOOLS_SERVICE_NAME": "smartgrocer",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "IMAGES_BUCKET": "bench-images",
            "PAYMENT_PROVIDER": "local",
            "PYTHONDONTWRITEBYTECODE": "",
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE")  # keep bytecode caches: Lambda ships compiled layers
    return env


def functions() -> list[tuple[str, frozenset, str]]:
    return [(r.name, r.access, "route") for r in ROUTES] + [(b.name, b.access, b.trigger) for b in BACKGROUND_FUNCTIONS]


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, dict]:
    """Milliseconds from spawning the interpreter to the child being ready (CLOCK_MONOTONIC is system-wide)."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=str(ROOT))
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return (report.pop("ready") - started) * 1000, report


def import_offenders(name: str, env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """The biggest top-level packages by cumulative import time (`-X importtime`), in ms."""
    uses_mongo = "1"
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            CHILD,
            name,
            str(FUNCTIONS / name),
            str(LAYER),
            uses_mongo,
            json.dumps(WATCHED),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(ROOT),
    )
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        try:
            _, cumulative, package = line.split("|")
            cumulative_us = int(cumulative.strip())
        except ValueError:
            continue
        stripped = package.rstrip()
        depth = (len(stripped) - len(stripped.lstrip())) // 2
        if depth == 0:  # a module imported directly by the handler chain, counted once with its children
            root = stripped.strip()
            totals[root] = totals.get(root, 0) + cumulative_us / 1000
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated function names")
    options = parser.parse_args()
    env = child_env()
    wanted = set(filter(None, options.only.split(",")))
    present, missing = [], []
    for name, access, kind in functions():
        if wanted and name not in wanted:
            continue
        (present if (FUNCTIONS / name / "handler.py").is_file() else missing).append((name, access, kind))
    for name, *_ in missing:
        print(f"note: functions/{name}/handler.py does not exist yet; skipped")

    samples: dict[str, list[float]] = {name: [] for name, *_ in present}
    floor: list[float] = []
    modules: dict[str, dict] = {}
    run_child(["-c", FLOOR_CHILD], env)  # warm the OS file cache and bytecode once, untimed
    for name, _access, _ in present:
        run_child(["-c", CHILD, name, str(FUNCTIONS / name), str(LAYER), "1", json.dumps(WATCHED)], env)
    framework: list[float] = []
    for round_ in range(options.runs):
        floor.append(run_child(["-c", FLOOR_CHILD], env)[0])
        framework.append(run_child(["-c", FRAMEWORK_CHILD], env)[0])
        for name, access, _ in present if round_ % 2 == 0 else list(reversed(present)):
            elapsed, imported = run_child(
                [
                    "-c",
                    CHILD,
                    name,
                    str(FUNCTIONS / name),
                    str(LAYER),
                    "1" if Access.MONGO in access else "0",
                    json.dumps(WATCHED),
                ],
                env,
            )
            samples[name].append(elapsed)
            modules[name] = imported
        floor.append(run_child(["-c", FLOOR_CHILD], env)[0])

    floor_ms = median(floor)
    framework_ms = median(framework)
    rows, results, misses = [], [], []
    for name, access, kind in present:
        ms = median(samples[name])
        ratio = ms / floor_ms
        stripe, boto3 = modules[name]["stripe"], modules[name]["boto3"]
        flags = []
        if name in READ_ONLY_CATALOG and ratio > TARGET_RATIO:
            flags.append(f"ratio>{TARGET_RATIO}")
        if stripe and not access & PAYMENT_ACCESS:
            flags.append("stripe-without-payments")
        if boto3 and not access & AWS_ACCESS:
            flags.append("boto3-without-aws")
        if flags:
            misses.append(name)
        rows.append(
            [
                name,
                kind,
                round(ms, 1),
                round(ratio, 2),
                round(ms / framework_ms, 2),
                stripe,
                boto3,
                modules[name]["jwt"],
                modules[name]["bcrypt"],
                ", ".join(flags) or "ok",
            ]
        )
        results.append(
            {
                "function": name,
                "kind": kind,
                "median_ms": round(ms, 2),
                "ratio": round(ratio, 3),
                "ratio_framework": round(ms / framework_ms, 3),
                "samples_ms": [round(s, 1) for s in samples[name]],
                "imports": modules[name],
                "flags": flags,
                "access": sorted(a.value for a in access),
            }
        )
    headers = ["function", "kind", "median ms", "x floor", "x framework", "stripe", "boto3", "jwt", "bcrypt", "targets"]
    print(
        f'\nfloor `python -c "{FLOOR}"`: median {floor_ms:.1f} ms over {len(floor)} runs '
        f"(each function: {options.runs} fresh interpreters)"
    )
    print(
        f'framework floor `python -c "{FRAMEWORK}"` (informational): median {framework_ms:.1f} ms '
        f"= {framework_ms / floor_ms:.2f}x the floor\n"
    )
    print(table(headers, rows))

    offenders = {}
    for name in misses:
        offenders[name] = import_offenders(name, env)
    if offenders:
        print("\ntargets missed; biggest imports (cumulative ms, python -X importtime):")
        for name, top in offenders.items():
            print(f"  {name}: " + ", ".join(f"{module} {ms:.0f}" for module, ms in top))
    else:
        print("\nall targets met")
    path = write_results(
        "cold_start",
        {
            "floor": {
                "command": f'python -c "{FLOOR}"',
                "median_ms": round(floor_ms, 2),
                "samples_ms": [round(s, 1) for s in floor],
            },
            "framework_floor": {
                "command": f'python -c "{FRAMEWORK}"',
                "median_ms": round(framework_ms, 2),
                "ratio_to_floor": round(framework_ms / floor_ms, 3),
            },
            "runs": options.runs,
            "target_ratio_read_only": TARGET_RATIO,
            "read_only_catalog": list(READ_ONLY_CATALOG),
            "functions": results,
            "missing": [m[0] for m in missing],
            "offenders": {k: [[m, round(ms, 1)] for m, ms in v] for k, v in offenders.items()},
            "markdown": markdown_table(headers, rows),
        },
    )
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
