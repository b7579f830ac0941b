"""Cold start per function: a fresh interpreter imports the handler module and builds its clients.

    python -m bench.cold_start [--runs 7] [--only name,name] [--modes today,lambda,snapstart,lambda-source] [--no-build]

For every function of the route table plus the background functions, a new interpreter puts the function
folder and the layer on sys.path (as Lambda does: /var/task, then /opt/python), imports `handler.py`, builds the
MongoDB client (pymongo connects lazily, so no network; MONGODB_URI points at a closed port anyway) and reports
which heavy modules ended up in `sys.modules`. The parent measures each child from spawn to "ready": wall time,
and the CPU time the child used (user + system, from the kernel's accounting of the child).

Four modes, interleaved sample by sample so machine noise hits them all alike:
  * today: this interpreter, the source tree, a writable bytecode cache (warm after the first run). What the
    bench measured before; flattering, because Lambda has no writable cache.
  * lambda ("Lambda-true"): the way Lambda runs the deployable build. `scripts/build_layer.py --runtime-host`
    makes the layer for Lambda's CPython (3.12) on this platform: the same requirements, the same package and
    byte-for-byte the same .pyc as the arm64 build; `build/functions` holds the handlers with theirs. Both are
    copied to a temporary folder and made read-only (chmod a-w, like /opt and /var/task); the children run
    that CPython (its stdlib with the .pyc it ships, `-X frozen_modules=on`, PYTHONDONTWRITEBYTECODE=1, no
    user site), with Lambda's variables set, so nothing can be cached between samples.
  * snapstart: an EMULATION of Lambda SnapStart on the same read-only copy, Lambda's CPython and environment.
    Per function, one interpreter runs the init up to "ready" (without building the MongoDB client) and calls
    the before-snapshot hooks (`smartgrocer.web.snapstart`): that process stands for the snapshot. Each sample
    is `os.fork()`ed from it, runs the after-restore hooks, builds the clients and reports ready; its CPU is the
    forked child's own (wait4), its wall time runs from the fork to ready. Not included: Firecracker restoring
    the microVM's memory, which no process on this machine can imitate; in AWS it is part of `Restore
    Duration` in the REPORT line of a restored container's first invocation (with the after-restore hooks;
    `Billed Restore Duration` is the hooks and runtime alone). The plain Lambda-true init beside it is what the
    snapshot itself costs, once per published version, and what a function without SnapStart pays.
  * lambda-source: the same read-only copy without any __pycache__, i.e. the layer as it shipped before it
    carried bytecode: every imported module is compiled from source on every cold start.

Floor: `import pymongo, pydantic` from bytecode, measured in the same run and interleaved with the functions:
for `today` with this interpreter, for the Lambda modes with Lambda's CPython from the read-only layer. Ratios
are against the floor of the same interpreter. The targets are judged on CPU time in the mode each function ships
with: snapstart for the functions the stack deploys with SnapStart (`cdk.runtime_env.snapstart_functions`),
Lambda-true for the others (Lambda
gives a 512 MB function a fraction of one vCPU, so its init phase is CPU-bound; CPU time is also what stays
comparable on a machine that other work shares), and wall time is reported beside it. Targets:
  * catalog reads (the routes CloudFront may cache: cache_seconds > 0) <= 1.3x the floor;
  * no function over 1.6x the floor;
  * no function without payment access imports stripe;
  * functions that never call AWS (no S3/EventBridge/SES access) do not import boto3.
Misses are investigated with `python -X importtime` in Lambda-true mode, and the biggest imports are listed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import FUNCTIONS, LAYER, ROOT, markdown_table, median, table, write_results
from cdk.runtime_env import snapstart_functions  # plain data, no aws_cdk import
from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access  # noqa: E402  (bench.common set sys.path)

CATALOG_READS = tuple(r.name for r in ROUTES if r.cache_seconds > 0)
TARGET_RATIO = 1.3  # catalog reads
TARGET_RATIO_ALL = 1.6  # every function
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
MODES = ("today", "lambda", "snapstart", "lambda-source")
SNAPSHOT_MODES = {"snapstart": "lambda"}  # mode -> the read-only tree it forks from
SHIPPED_LABELS = {"snapstart": "SnapStart", "lambda": "plain", "today": "plain", "lambda-source": "plain"}
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "dateutil", "six")  # Lambda's runtime ships these
BUILD = ROOT / "build"
RUNTIME_LAYER = BUILD / "layer-runtime-host"
BUILT_FUNCTIONS = BUILD / "functions"

CHILD = r"""
import importlib.util, json, os, sys, time
name, function_dir, layer = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path[:0] = [function_dir, layer]
if len(sys.argv) > 6:
    sys.path.append(sys.argv[6])  # the runtime's own packages (boto3), after the layer as on Lambda
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
# SnapStart emulation: init once to "ready" and run the before-snapshot hooks (the snapshot), then fork one
# child per line read from stdin (a restored container): after-restore hooks, clients, ready.
SNAPSHOT_CHILD = r"""
import importlib.util, json, os, sys, time
name, function_dir, layer = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path[:0] = [function_dir, layer]
if len(sys.argv) > 6:
    sys.path.append(sys.argv[6])
spec = importlib.util.spec_from_file_location("handler", os.path.join(function_dir, "handler.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(module.lambda_handler)
from smartgrocer.web import snapstart
snapstart.before_snapshot()  # what the runtime calls before it takes the snapshot
if sys.argv[4] == "1":
    from smartgrocer.adapters import mongo
    assert mongo._client is None, "a MongoDB client would be in the snapshot"
watched = json.loads(sys.argv[5])
imports = {m: m in sys.modules for m in watched}
print(json.dumps({"snapshot": True}), flush=True)
for _ in sys.stdin:
    started = time.monotonic()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the restored container
        os.close(reader)
        snapstart.after_restore()
        if sys.argv[4] == "1":
            mongo.client()  # rebuilt after the restore: pymongo connects lazily, nothing goes over the network
        os.write(writer, json.dumps({"ready": time.monotonic()}).encode())
        os._exit(0)  # as in the other modes: shutdown is not counted
    os.close(writer)
    report = json.loads(os.read(reader, 4096))
    os.close(reader)
    _, status, usage = os.wait4(pid, 0)
    assert status == 0, status
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    print(json.dumps({"wall_ms": (report["ready"] - started) * 1000, "cpu_ms": cpu, **imports}), flush=True)
os._exit(0)
"""
FLOOR = "import pymongo, pydantic"
FLOOR_CHILD = (
    f"{FLOOR}; import json, os, time; print(json.dumps({{'ready': time.monotonic()}}), flush=True); os._exit(0)"
)
# Informational second floor: what any Powertools-resolver function pays before a line of our code runs.
FRAMEWORK = "import pymongo, pydantic, aws_lambda_powertools.event_handler"
FRAMEWORK_CHILD = FLOOR_CHILD.replace(FLOOR, FRAMEWORK)
ON_LAYER = "import sys; sys.path[:0] = [sys.argv[1]]; "  # the floors of the Lambda modes import from the layer


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
    env.pop("PYTHONDONTWRITEBYTECODE")  # today's mode keeps a writable bytecode cache (what Lambda lacks)
    return env


def lambda_env(runtime_version: str) -> dict[str, str]:
    """What a Lambda execution environment sets, plus the stack's function environment."""
    from cdk.runtime_env import FUNCTION_ENVIRONMENT  # plain data, no aws_cdk import

    env = {k: v for k, v in child_env().items() if k not in ("PYTHONPATH",)}
    env.update(FUNCTION_ENVIRONMENT)
    env.update(
        {
            "PYTHONDONTWRITEBYTECODE": "1",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_python{runtime_version}",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
        }
    )
    return env


def functions() -> list[tuple[str, frozenset, str]]:
    return [(r.name, r.access, "route") for r in ROUTES] + [(b.name, b.access, b.trigger) for b in BACKGROUND_FUNCTIONS]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float, dict]:
    """(wall ms from spawn to ready, CPU ms the child used, its report). Children run one at a time, so the
    growth of RUSAGE_CHILDREN across one run is that child's own CPU time."""
    cpu_before = _children_cpu()
    started = time.monotonic()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=str(ROOT))
    cpu = (_children_cpu() - cpu_before) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return (report.pop("ready") - started) * 1000, cpu, report


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, dict]:
    """Milliseconds from spawning this interpreter to the child being ready (used by bench.checkout too)."""
    wall, _, report = measure([sys.executable, *args], env)
    return wall, report


class Snapshot:
    """One function's snapshot process (SNAPSHOT_CHILD); `sample()` forks and measures one restore."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in close(); a file, not a pipe: a long-lived child never blocks on it
        self.process = subprocess.Popen(
            argv, env=env, cwd=str(ROOT), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True
        )
        self._expect("snapshot")

    def _expect(self, key: str) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            self.errors.seek(0)
            raise RuntimeError(f"snapshot process failed:\n{self.errors.read()[-2000:]}")
        report = json.loads(line)
        if key not in report:
            raise RuntimeError(f"unexpected report from the snapshot process: {line!r}")
        return report

    def sample(self) -> tuple[float, float, dict]:
        assert self.process.stdin is not None
        self.process.stdin.write("restore\n")
        self.process.stdin.flush()
        report = self._expect("wall_ms")
        return report.pop("wall_ms"), report.pop("cpu_ms"), report

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)
        self.errors.close()


# -- the read-only copies ------------------------------------------------------------------------------------


def _read_only(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


class LambdaTree:
    """Read-only copies of the built layer and functions: `with_bytecode` as shipped, `source` without .pyc."""

    def __init__(self, build: bool) -> None:
        if build:
            cmd = [sys.executable, str(ROOT / "scripts" / "build_layer.py"), "--runtime-host"]
            print("+", " ".join(cmd), flush=True)
            subprocess.run(cmd, check=True, cwd=str(ROOT), stdout=subprocess.DEVNULL)
        info = RUNTIME_LAYER.with_name(RUNTIME_LAYER.name + ".bytecode.json")
        if not (RUNTIME_LAYER / "python").is_dir() or not info.is_file() or not BUILT_FUNCTIONS.is_dir():
            raise SystemExit("cold_start: run `python scripts/build_layer.py --runtime-host` first")
        self.runtime = json.loads(info.read_text())
        self.python = self.runtime["executable"]
        self.tmp = Path(tempfile.mkdtemp(prefix="cold-start-"))
        self.roots = {}
        for mode in ("lambda", "lambda-source"):
            root = self.tmp / mode
            shutil.copytree(RUNTIME_LAYER / "python", root / "opt" / "python", symlinks=True)
            shutil.copytree(BUILT_FUNCTIONS, root / "var" / "task")
            if mode == "lambda-source":
                for cache in list(root.rglob("__pycache__")):
                    shutil.rmtree(cache)
            _read_only(root)
            self.roots[mode] = root
        self.runtime_dir = self.tmp / "var-runtime"  # boto3 & co. from this host, standing in for the runtime's
        self.runtime_dir.mkdir()
        import importlib.util

        for name in RUNTIME_PROVIDED:
            spec = importlib.util.find_spec(name)
            if spec and spec.origin:
                source = Path(spec.origin)
                source = source.parent if source.name == "__init__.py" else source
                (self.runtime_dir / source.name).symlink_to(source)

    def layer(self, mode: str) -> Path:
        return self.roots[mode] / "opt" / "python"

    def function(self, mode: str, name: str) -> Path:
        return self.roots[mode] / "var" / "task" / name

    def argv(self, *args: str) -> list[str]:
        return [self.python, "-s", "-X", "frozen_modules=on", *args]

    def close(self) -> None:
        _writable(self.tmp)
        shutil.rmtree(self.tmp, ignore_errors=True)


# -- what a miss imports ---------------------------------------------------------------------------------------


def import_offenders(argv: list[str], env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """The biggest top-level imports by cumulative import time (`-X importtime`), in ms."""
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True, cwd=str(ROOT)
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


# -- instruction counts ----------------------------------------------------------------------------------------

# Cumulative stages from the floor to a function: where a handler's init goes, in instructions.
_MODEL = "from pydantic import BaseModel, Field\nclass Probe(BaseModel):\n    x: int = Field(ge=0)\n"
_STAGE_CODE = (
    FLOOR,
    _MODEL,
    "import aws_lambda_powertools.event_handler",
    "from smartgrocer.adapters import mongo; mongo.client()",
    "import smartgrocer.wiring",
    "import smartgrocer.web.app, smartgrocer.models.common",
)
STAGES = tuple(
    (label, "\n".join(_STAGE_CODE[: i + 1]))
    for i, label in enumerate(
        (
            "floor: import pymongo, pydantic",
            "+ one Pydantic model (BaseModel, Field)",
            "+ aws_lambda_powertools.event_handler",
            "+ the MongoClient",
            "+ smartgrocer.wiring (domain ports)",
            "+ smartgrocer.web.app, models.common",
        )
    )
)


def instructions(argv: list[str], env: dict[str, str]) -> int:
    """Instructions the child executes (valgrind's callgrind): unlike time, the same on a busy machine."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(ROOT),
    )
    if done.returncode != 0:
        raise RuntimeError(f"callgrind failed:\n{done.stderr[-2000:]}")
    for line in done.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split("Collected :")[1].strip())
    raise RuntimeError(f"no instruction count in callgrind's output:\n{done.stderr[-2000:]}")


def count_instructions(tree: LambdaTree, names: list[tuple[str, frozenset]]) -> dict:
    """Lambda-true mode under callgrind: the stages above, then each function (one run each: it is exact)."""
    env = lambda_env(tree.runtime["version"])
    layer = str(tree.layer("lambda"))
    end = "; import os; os._exit(0)"
    stages = []
    for label, code in STAGES:
        count = instructions(tree.argv("-c", ON_LAYER.rstrip("; ") + "\n" + code + "\n" + end.lstrip("; "), layer), env)
        stages.append({"stage": label, "instructions": count})
        print(f"  {label:45} {count / 1e6:8.0f} M", flush=True)
    floor = stages[0]["instructions"]
    for stage in stages:
        stage["ratio"] = round(stage["instructions"] / floor, 3)
    functions_ = {}
    for name, access in names:
        argv = tree.argv(
            "-c",
            CHILD,
            name,
            str(tree.function("lambda", name)),
            layer,
            "1" if Access.MONGO in access else "0",
            json.dumps(WATCHED),
            str(tree.runtime_dir),
        )
        count = instructions(argv, env)
        functions_[name] = {"instructions": count, "ratio": round(count / floor, 3)}
        print(f"  {name:45} {count / 1e6:8.0f} M  {count / floor:.2f}x", flush=True)
    rows = [[s["stage"], round(s["instructions"] / 1e6), s["ratio"]] for s in stages]
    rows += [[f"function {n}", round(v["instructions"] / 1e6), v["ratio"]] for n, v in functions_.items()]
    return {
        "stages": stages,
        "functions": functions_,
        "markdown": markdown_table(["Lambda-true, cumulative", "instructions (M)", "x floor"], rows),
    }


# -- main ------------------------------------------------------------------------------------------------------


def _stats(samples: list[tuple[float, float]], floor: dict | None = None) -> dict:
    wall, cpu = median([s[0] for s in samples]), median([s[1] for s in samples])
    out = {
        "wall_ms": round(wall, 1),
        "cpu_ms": round(cpu, 1),
        "samples_wall_ms": [round(s[0], 1) for s in samples],
        "samples_cpu_ms": [round(s[1], 1) for s in samples],
    }
    if floor:
        out["ratio_wall"] = round(wall / floor["wall_ms"], 3)
        out["ratio_cpu"] = round(cpu / floor["cpu_ms"], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated function names")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--no-build", action="store_true", help="use the existing build/layer-runtime-host")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions with valgrind (Lambda-true mode: the stages from the floor to "
        "a handler, then the catalog reads and health, or the --only functions)",
    )
    options = parser.parse_args()
    if options.instructions and not shutil.which("valgrind"):
        raise SystemExit("cold_start: --instructions needs valgrind (apt-get install valgrind)")
    modes = [m for m in MODES if m in options.modes.split(",")]
    wanted = set(filter(None, options.only.split(",")))
    present, missing = [], []
    for name, access, kind in functions():
        if wanted and name not in wanted:
            continue
        (present if (FUNCTIONS / name / "handler.py").is_file() else missing).append((name, access, kind))
    for name, *_ in missing:
        print(f"note: functions/{name}/handler.py does not exist yet; skipped")

    tree = (
        LambdaTree(build=not options.no_build)
        if {"lambda", "snapstart", "lambda-source"} & set(modes) or options.instructions
        else None
    )
    try:
        results = _run(options, modes, present, tree)
        if options.instructions:
            picked = [(n, a) for n, a, _ in present if wanted or n in (*CATALOG_READS, "health")]
            print("\ninstructions (valgrind callgrind, Lambda-true mode):", flush=True)
            results["instructions"] = count_instructions(tree, picked)
    finally:
        if tree:
            tree.close()
    results["missing"] = [m[0] for m in missing]
    path = write_results("cold_start", results)
    print(f"\nwritten to {path.relative_to(ROOT)}")


def _run(options, modes: list[str], present: list, tree: LambdaTree | None) -> dict:
    today_env = child_env()
    env_lambda = lambda_env(tree.runtime["version"]) if tree else {}
    watched = json.dumps(WATCHED)

    def function_argv(mode: str, name: str, access: frozenset) -> tuple[list[str], dict]:
        mongo = "1" if Access.MONGO in access else "0"
        if mode == "today":
            return [sys.executable, "-c", CHILD, name, str(FUNCTIONS / name), str(LAYER), mongo, watched], today_env
        tree_mode = SNAPSHOT_MODES.get(mode, mode)
        return (
            tree.argv(
                "-c",
                SNAPSHOT_CHILD if mode in SNAPSHOT_MODES else CHILD,
                name,
                str(tree.function(tree_mode, name)),
                str(tree.layer(tree_mode)),
                mongo,
                watched,
                str(tree.runtime_dir),
            ),
            env_lambda,
        )

    floors: dict[str, tuple[list[str], dict]] = {}
    if "today" in modes:
        floors["today"] = ([sys.executable, "-c", FLOOR_CHILD], today_env)
        floors["today-framework"] = ([sys.executable, "-c", FRAMEWORK_CHILD], today_env)
    for mode in ("lambda", "lambda-source"):
        if mode in modes or (mode == "lambda" and "snapstart" in modes):  # snapstart is judged on this floor too
            floors[mode] = (tree.argv("-c", ON_LAYER + FLOOR_CHILD, str(tree.layer(mode))), env_lambda)
    if "lambda" in modes:
        floors["lambda-framework"] = (
            tree.argv("-c", ON_LAYER + FRAMEWORK_CHILD, str(tree.layer("lambda"))),
            env_lambda,
        )

    # One snapshot per function (its init runs once, here, untimed), kept for every round.
    snapshots: dict[tuple[str, str], Snapshot] = {}
    for name, access, _ in present:
        for mode in modes:
            if mode in SNAPSHOT_MODES:
                snapshots[(name, mode)] = Snapshot(*function_argv(mode, name, access))

    def sample(mode: str, name: str, access: frozenset) -> tuple[float, float, dict]:
        if mode in SNAPSHOT_MODES:
            return snapshots[(name, mode)].sample()
        return measure(*function_argv(mode, name, access))

    try:
        return _rounds(options, modes, present, tree, floors, sample, function_argv)
    finally:
        for snapshot in snapshots.values():
            snapshot.close()


def _rounds(options, modes, present, tree, floors, sample, function_argv) -> dict:
    # Warm the OS file cache (and today's bytecode cache) once, untimed.
    for argv, env in floors.values():
        measure(argv, env)
    for name, access, _ in present:
        for mode in modes:
            sample(mode, name, access)

    floor_samples: dict[str, list] = {k: [] for k in floors}
    samples: dict[tuple[str, str], list] = {(name, mode): [] for name, *_ in present for mode in modes}
    imports: dict[tuple[str, str], dict] = {}
    started = time.monotonic()
    for round_ in range(options.runs):
        for key, (argv, env) in floors.items():
            floor_samples[key].append(measure(argv, env)[:2])
        for name, access, _ in present if round_ % 2 == 0 else list(reversed(present)):
            for mode in modes if round_ % 2 == 0 else list(reversed(modes)):
                wall, cpu, report = sample(mode, name, access)
                samples[(name, mode)].append((wall, cpu))
                imports[(name, mode)] = report
        for key, (argv, env) in floors.items():
            floor_samples[key].append(measure(argv, env)[:2])
        print(f"round {round_ + 1}/{options.runs} done ({time.monotonic() - started:.0f} s)", flush=True)

    floor_stats = {key: _stats(s) for key, s in floor_samples.items()}
    base = {
        "today": floor_stats.get("today"),
        "lambda": floor_stats.get("lambda"),
        "snapstart": floor_stats.get("lambda"),
        "lambda-source": floor_stats.get("lambda"),
    }  # SnapStart and from source are compared with the Lambda-true bytecode floor
    for key, reference in (("today-framework", "today"), ("lambda-framework", "lambda"), ("lambda-source", "lambda")):
        if key in floor_stats and reference in floor_stats:
            floor_stats[key] = _stats(floor_samples[key], floor_stats[reference])

    judged = "lambda" if "lambda" in modes else modes[0]
    with_snapstart = snapstart_functions()

    def shipped_mode(name: str) -> str:
        """The mode a function is judged in: how the stack deploys it, when this run measured that mode."""
        return "snapstart" if name in with_snapstart and "snapstart" in modes else judged

    rows, results, misses = [], [], []
    for name, access, kind in present:
        per_mode = {mode: _stats(samples[(name, mode)], base[mode]) for mode in modes}
        shipped = shipped_mode(name)
        imported = imports[(name, judged)]
        ratio = per_mode[shipped]["ratio_cpu"]
        flags = []
        if name in CATALOG_READS and ratio > TARGET_RATIO:
            flags.append(f"ratio>{TARGET_RATIO}")
        elif ratio > TARGET_RATIO_ALL:
            flags.append(f"ratio>{TARGET_RATIO_ALL}")
        if imported["stripe"] and not access & PAYMENT_ACCESS:
            flags.append("stripe-without-payments")
        if imported["boto3"] and not access & AWS_ACCESS:
            flags.append("boto3-without-aws")
        if flags:
            misses.append((name, access))
        row = [name, kind, SHIPPED_LABELS[shipped]]
        for mode in modes:
            row.append(round(per_mode[mode]["ratio_cpu"], 2))
        for mode in ("lambda", "snapstart"):
            if mode in modes:
                row += [round(per_mode[mode]["cpu_ms"]), round(per_mode[mode]["ratio_wall"], 2)]
        row += [imported["stripe"], imported["boto3"], ", ".join(flags) or "ok"]
        rows.append(row)
        results.append(
            {
                "function": name,
                "kind": kind,
                "modes": per_mode,
                "shipped_mode": shipped,
                "ratio": ratio,
                "catalog_read": name in CATALOG_READS,
                "imports": imported,
                "flags": flags,
                "access": sorted(a.value for a in access),
            }
        )
    labels = {
        "today": "today x floor",
        "lambda": "Lambda-true x floor",
        "snapstart": "SnapStart (emulated) x floor",
        "lambda-source": "from source x floor",
    }
    headers = ["function", "kind", "shipped", *(labels[m] for m in modes)]
    for mode in ("lambda", "snapstart"):
        if mode in modes:
            headers += [f"{labels[mode].removesuffix(' x floor')} CPU ms", f"{labels[mode]} (wall)"]
    headers += ["stripe", "boto3", "targets"]

    print()
    for key, stats in floor_stats.items():
        extra = f" = {stats['ratio_cpu']:.2f}x CPU, {stats['ratio_wall']:.2f}x wall" if "ratio_cpu" in stats else ""
        print(f"floor {key:17} CPU {stats['cpu_ms']:7.1f} ms  wall {stats['wall_ms']:7.1f} ms{extra}")
    print(
        f"\nratios: CPU time against the floor of the same interpreter; {options.runs} fresh interpreters per "
        f"function and mode\n"
    )
    print(table(headers, rows))

    offenders = {}
    for name, access in misses:
        if tree and "lambda" in modes:
            argv, env = function_argv("lambda", name, access)
        else:
            argv, env = function_argv(modes[0], name, access)
        offenders[name] = import_offenders(argv, env)
    if offenders:
        print(
            "\ntargets missed; biggest imports (cumulative ms, python -X importtime, "
            f"{'Lambda-true' if tree else modes[0]} mode):"
        )
        for name, top in offenders.items():
            print(f"  {name}: " + ", ".join(f"{module} {ms:.0f}" for module, ms in top))
    else:
        print("\nall targets met")
    commands = {"today": f'python -c "{FLOOR}"', "today-framework": f'python -c "{FRAMEWORK}"'}
    if tree:
        py = f"python{tree.runtime['version']}"
        commands.update(
            {
                "lambda": f'{py} -c "{FLOOR}" (read-only layer, shipped bytecode)',
                "lambda-source": f'{py} -c "{FLOOR}" (read-only layer, no bytecode)',
                "lambda-framework": f'{py} -c "{FRAMEWORK}" (read-only layer, shipped bytecode)',
            }
        )
    return {
        "modes": modes,
        "judged_mode": judged,
        "shipped_modes": sorted({shipped_mode(name) for name, *_ in present}),
        "judged_metric": "cpu",
        "runtime": tree.runtime if tree else None,
        "floors": {k: {"command": commands.get(k, k), **v} for k, v in floor_stats.items()},
        "runs": options.runs,
        "target_ratio_catalog": TARGET_RATIO,
        "target_ratio_all": TARGET_RATIO_ALL,
        "catalog_reads": list(CATALOG_READS),
        "functions": results,
        "offenders": {k: [[m, round(ms, 1)] for m, ms in v] for k, v in offenders.items()},
        "markdown": markdown_table(headers, rows),
    }


if __name__ == "__main__":
    main()
