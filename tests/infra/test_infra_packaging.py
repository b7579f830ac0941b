"""Packaging smoke test: the layer that scripts/build_layer.py produces, plus one function folder,
is all a handler needs to import (as on Lambda, where boto3 comes from the runtime), and both ship the
bytecode Lambda's python3.12 will use.

The deployable layer is built for arm64/cp312 and its compiled wheels cannot load on this host, so
handlers are imported against a `--host` build made by the same code path (same requirements,
same exclusions, same package copy); the deployable build is checked file by file. The bytecode is
checked for real with `--runtime-host` (Lambda's CPython on this platform, same .pyc byte for byte):
packed the way the CDK CLI packs assets, unpacked read-only, imported without compiling or writing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access
from tests.infra.conftest import ROOT, build_layer
from tests.infra.helpers import app_functions

ENTRIES = {e.name: e for e in (*ROUTES, *BACKGROUND_FUNCTIONS)}
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "dateutil", "six")  # in Lambda's /var/runtime
EM_AARCH64 = 183
LAYER_LIMIT = 250 * 1024 * 1024

IMPORT_CHECK = """
import importlib, json, sys
function_dir, layer_dir, runtime_dir = sys.argv[1:4]
sys.path[:0] = [function_dir, layer_dir]   # Lambda: the function's own code first, then /opt/python
sys.path.append(runtime_dir)               # then the runtime's boto3
module = importlib.import_module("handler")
import smartgrocer
print(json.dumps({
    "handler_callable": callable(getattr(module, "lambda_handler", None)),
    "smartgrocer_from": smartgrocer.__file__,
    "modules": sorted({name.split(".")[0] for name in sys.modules}),
}))
"""


def _dist_name(requirement: str) -> str:
    name = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "_", name).lower()


def _requirements() -> set[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return {_dist_name(line) for line in lines if line.strip() and not line.lstrip().startswith(("#", "-"))}


def _installed(site: Path) -> set[str]:
    return {_dist_name(p.name.split("-")[0]) for p in site.glob("*.dist-info")}


@pytest.fixture(scope="module")
def lambda_site(layer_dir) -> Path:
    return layer_dir / "python"


@pytest.fixture(scope="module")
def host_site() -> Path:
    return build_layer("--host") / "python"


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory) -> Path:
    """Stand-in for Lambda's /var/runtime: only the packages the runtime provides, from this host."""
    target = tmp_path_factory.mktemp("var-runtime")
    for name in RUNTIME_PROVIDED:
        spec = importlib.util.find_spec(name)
        assert spec and spec.origin, f"{name} is needed on the host to stand in for the Lambda runtime"
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        (target / source.name).symlink_to(source)
    return target


@pytest.mark.parametrize("site_fixture", ["lambda_site", "host_site"])
def test_layer_ships_requirements_and_the_package_but_not_boto3(request, site_fixture):
    site = request.getfixturevalue(site_fixture)
    assert _requirements() <= _installed(site)
    assert (site / "smartgrocer" / "routes.py").is_file()
    assert (site / "smartgrocer" / "__init__.py").is_file()
    for excluded in ("boto3", "botocore", "s3transfer"):
        assert not (site / excluded).exists(), excluded
    assert not (site / "bin").exists()


def test_host_and_lambda_builds_have_the_same_layout(lambda_site, host_site):
    assert _installed(lambda_site) == _installed(host_site)

    def top_level(site):
        return {p.name for p in site.iterdir() if not p.name.endswith(".dist-info")}

    assert top_level(lambda_site) == top_level(host_site)
    lambda_pkg = sorted(p.relative_to(lambda_site).as_posix() for p in (lambda_site / "smartgrocer").rglob("*.py"))
    host_pkg = sorted(p.relative_to(host_site).as_posix() for p in (host_site / "smartgrocer").rglob("*.py"))
    assert lambda_pkg == host_pkg


def test_the_copied_package_matches_the_source(lambda_site):
    build_layer()  # the copy is refreshed on every build; rebuild so a concurrent edit cannot race
    source = ROOT / "layers" / "smartgrocer" / "python" / "smartgrocer"
    for path in source.rglob("*.py"):
        copied = lambda_site / "smartgrocer" / path.relative_to(source)
        assert copied.read_bytes() == path.read_bytes(), path


def test_deployable_layer_has_only_arm64_cp312_binaries(lambda_site):
    shared_objects = list(lambda_site.rglob("*.so"))
    assert shared_objects, "expected compiled wheels (pydantic-core, bcrypt, pymongo)"
    for so in shared_objects:
        assert "x86_64" not in so.name and "cpython-311" not in so.name, so.name
        header = so.read_bytes()[:20]
        assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == EM_AARCH64, so.name


# -- bytecode ----------------------------------------------------------------------------------------------

BUILD = ROOT / "build"
CDK_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the CDK CLI zips every asset file with this date (reproducible hashes)
HASH_BASED, CHECK_SOURCE = 0b01, 0b10  # PEP 552 flags in the .pyc header


def _bytecode_info(layer: Path) -> dict:
    """What scripts/build_layer.py recorded about the interpreter that compiled `layer`."""
    return json.loads(layer.with_name(layer.name + ".bytecode.json").read_text())


@pytest.fixture(scope="module")
def runtime(layer_dir) -> dict:
    info = _bytecode_info(layer_dir)
    assert info["version"] == _build_script().LAMBDA_PYTHON_VERSION
    return info


@pytest.fixture(scope="module")
def runtime_host_site(layer_dir) -> Path:
    return build_layer("--runtime-host") / "python"


def _build_script():
    spec = importlib.util.spec_from_file_location("build_layer", ROOT / "scripts" / "build_layer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VERIFY_PYC = """
import importlib.util, json, sys
from pathlib import Path
problems, checked = [], 0
for root in sys.argv[1:]:
    for py in sorted(Path(root).rglob("*.py")):
        pyc = Path(importlib.util.cache_from_source(str(py)))
        if not pyc.is_file():
            problems.append(f"no bytecode: {py}")
            continue
        header = pyc.read_bytes()[:16]
        flags = int.from_bytes(header[4:8], "little")
        if header[:4] != importlib.util.MAGIC_NUMBER:
            problems.append(f"magic {header[:4].hex()}: {pyc}")
        elif flags != 1:  # hash-based, unchecked
            problems.append(f"flags {flags}: {pyc}")
        elif header[8:16] != importlib.util.source_hash(py.read_bytes()):
            problems.append(f"compiled from other source: {pyc}")
        checked += 1
    for pyc in Path(root).rglob("*.pyc"):
        if pyc.parent.name != "__pycache__" or not pyc.name.endswith(f".{sys.implementation.cache_tag}.pyc"):
            problems.append(f"not for this runtime: {pyc}")
print(json.dumps({"checked": checked, "problems": problems[:20], "count": len(problems)}))
"""


@pytest.mark.parametrize("tree", ["layer", "functions"])
def test_every_module_ships_bytecode_for_the_runtime(tree, runtime, layer_dir, functions_dir):
    """Every .py of the deployable layer and of every function asset has its __pycache__/<name>.cpython-312.pyc:
    the runtime's magic number, unchecked-hash (loaded without looking at the source, whatever the file
    dates after unzipping) and compiled from exactly the shipped source (the hash the runtime would compute)."""
    root = layer_dir / "python" if tree == "layer" else functions_dir
    done = subprocess.run(
        [runtime["executable"], "-I", "-c", VERIFY_PYC, str(root)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["checked"] > (1000 if tree == "layer" else 20)
    assert report["count"] == 0, report["problems"]


def test_runtime_in_the_template_is_the_one_that_compiled_the_bytecode(dev, runtime, layer_dir, functions_dir):
    assert runtime["cache_tag"] == f"cpython-{runtime['version'].replace('.', '')}"
    assert _bytecode_info(functions_dir) == runtime
    expected = f"python{runtime['version']}"
    (layer,) = dev.of_type("AWS::Lambda::LayerVersion").values()
    assert layer["Properties"]["CompatibleRuntimes"] == [expected]
    for name, (_, fn) in app_functions(dev).items():
        assert fn["Properties"]["Runtime"] == expected, name


def test_bench_layer_ships_the_same_bytecode_as_the_deployable_one(lambda_site, runtime_host_site):
    """The cold-start bench runs build/layer-runtime-host: same interpreter, same baked paths, same .pyc."""
    ours = sorted((lambda_site / "smartgrocer").rglob("*.pyc"))
    assert ours
    for pyc in ours:
        assert (runtime_host_site / pyc.relative_to(lambda_site)).read_bytes() == pyc.read_bytes(), pyc
    pure = lambda_site / "pydantic" / "__pycache__" / f"main.{_bytecode_info(lambda_site.parent)['cache_tag']}.pyc"
    assert (runtime_host_site / pure.relative_to(lambda_site)).read_bytes() == pure.read_bytes()


def _cdk_zip(source: Path, archive: Path) -> None:
    """Pack a folder as the CDK CLI packs an asset: every entry dated 1980-01-01, file modes kept."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=CDK_ZIP_DATE)
                info.external_attr = (path.stat().st_mode & 0xFFFF) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())


def _unpack_read_only(archive: Path, target: Path) -> Path:
    """Unpack with the dates the zip carries (as unzip does) and make everything read-only, like /opt and
    /var/task."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, target))
            stamp = __import__("time").mktime((*info.date_time, 0, 0, -1))
            os.utime(path, (stamp, stamp))
    for path in sorted(target.rglob("*"), reverse=True):
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    target.chmod(target.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return target


def _make_writable(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


# Records every module compiled from source and every attempt to write bytecode, then imports what it is told.
SPY_IMPORT = """
import importlib.util, json, os, sys
import importlib._bootstrap_external as external
watched = [os.path.realpath(p) for p in json.loads(sys.argv[1])]
compiled, writes = [], []
source_to_code = external.SourceLoader.source_to_code
def spy_source_to_code(self, data, path, *args, **kwargs):
    compiled.append(path)
    return source_to_code(self, data, path, *args, **kwargs)
external.SourceLoader.source_to_code = spy_source_to_code
set_data = external.SourceFileLoader.set_data
def spy_set_data(self, path, data, *args, **kwargs):
    writes.append(path)
    return set_data(self, path, data, *args, **kwargs)
external.SourceFileLoader.set_data = spy_set_data
layer, runtime_dir, handlers, modules = sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5])
sys.path[:0] = [layer]
sys.path.append(runtime_dir)
for path in handlers:  # each function's handler.py, under its own name, from its own read-only folder
    name = "handler_" + os.path.basename(os.path.dirname(path))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
for name in modules:
    importlib.import_module(name)
ours = lambda paths: sorted(p for p in paths if any(os.path.realpath(p).startswith(w) for w in watched))
print(json.dumps({"compiled": ours(compiled), "writes": ours(writes), "dont_write_bytecode": sys.dont_write_bytecode,
                  "modules": len(sys.modules)}))
"""


def _smartgrocer_modules(package: Path) -> list[str]:
    names = []
    for py in sorted(package.rglob("*.py")):
        parts = py.relative_to(package.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _spy_import(python: str, layer: Path, functions: Path, runtime_dir: Path, modules: list[str]) -> dict:
    handlers = sorted(str(p) for p in functions.glob("*/handler.py"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "smartgrocer",
        "MONGODB_DB": "smartgrocer",
        "LOG_LEVEL": "INFO",
    }
    # -I: no PYTHON* variables, so nothing sets PYTHONDONTWRITEBYTECODE: a compile would try to write.
    done = subprocess.run(
        [
            python,
            "-I",
            "-X",
            "frozen_modules=on",
            "-c",
            SPY_IMPORT,
            json.dumps([str(layer), str(functions)]),
            str(layer),
            str(runtime_dir),
            json.dumps(handlers),
            json.dumps(modules),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=str(functions),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_read_only_unzipped_assets_import_without_compiling_or_writing(
    runtime, runtime_host_site, functions_dir, runtime_dir, tmp_path
):
    """The layer and the function folders, zipped as the CDK CLI zips them and unpacked read-only: every
    handler and every module of the package imports from the shipped bytecode; nothing is compiled from
    source and nothing tries to write a .pyc (even without PYTHONDONTWRITEBYTECODE)."""
    _cdk_zip(runtime_host_site.parent, tmp_path / "layer.zip")
    _cdk_zip(functions_dir, tmp_path / "functions.zip")
    opt = _unpack_read_only(tmp_path / "layer.zip", tmp_path / "opt")
    task = _unpack_read_only(tmp_path / "functions.zip", tmp_path / "task")
    try:
        modules = [
            *_smartgrocer_modules(opt / "python" / "smartgrocer"),
            "stripe",
            "bcrypt",
            "jwt",
            "email_validator",
            "aws_lambda_powertools.event_handler",
        ]
        report = _spy_import(runtime["executable"], opt / "python", task, runtime_dir, modules)
    finally:
        _make_writable(opt)
        _make_writable(task)
    assert report["dont_write_bytecode"] is False
    assert report["modules"] > 500  # the handlers, the package, stripe and their dependencies were imported
    assert report["compiled"] == []
    assert report["writes"] == []


def test_timestamp_bytecode_would_not_survive_cdk_packaging(runtime, tmp_path):
    """Why the build uses unchecked-hash: a timestamp .pyc records its source's mtime, and the CDK CLI's zip
    resets every date, so after unpacking the runtime finds it stale and compiles the module again."""
    package = tmp_path / "src" / "python" / "timestamped"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 42\n")
    subprocess.run(
        [runtime["executable"], "-I", "-m", "compileall", "-q", "--invalidation-mode", "timestamp", str(package)],
        check=True,
    )
    _cdk_zip(tmp_path / "src", tmp_path / "layer.zip")
    opt = _unpack_read_only(tmp_path / "layer.zip", tmp_path / "opt")
    empty = tmp_path / "no-functions"
    empty.mkdir()
    try:
        report = _spy_import(runtime["executable"], opt / "python", empty, empty, ["timestamped"])
    finally:
        _make_writable(opt)
    assert report["compiled"] == [str(opt / "python" / "timestamped" / "__init__.py")]
    assert len(report["writes"]) == 1  # and it tries (and fails) to cache the result on a read-only disk


def test_deployable_layer_fits_lambda_limits(lambda_site):
    size = sum(p.stat().st_size for p in lambda_site.rglob("*") if p.is_file())
    assert size < LAYER_LIMIT / 2, f"layer is {size / 2**20:.0f} MiB unzipped; leave room for functions"


@pytest.fixture(scope="module")
def imports(host_site, runtime_dir, tmp_path_factory) -> dict[str, dict]:
    """Import every existing handler in its own fresh interpreter, in parallel."""
    workdir = tmp_path_factory.mktemp("import-check")
    pycache = ROOT / "build" / "pycache-host"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "smartgrocer",
        "POWERTOOLS_METRICS_NAMESPACE": "SmartGrocer",
        "LOG_LEVEL": "INFO",
        "MONGODB_DB": "smartgrocer",
    }

    def check(name: str) -> tuple[str, dict]:
        function_dir = ROOT / "functions" / name
        # -I: ignore PYTHONPATH and user site; -S: no site-packages. Only the paths given above.
        # Bytecode goes to a cache beside the build (not into the layer), so reruns are fast.
        proc = subprocess.run(
            [
                sys.executable,
                "-I",
                "-S",
                "-X",
                f"pycache_prefix={pycache}",
                "-c",
                IMPORT_CHECK,
                str(function_dir),
                str(host_site),
                str(runtime_dir),
            ],
            cwd=workdir,
            env={**env, "AWS_LAMBDA_FUNCTION_NAME": name},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if proc.returncode:
            return name, {"error": proc.stderr[-3000:]}
        return name, json.loads(proc.stdout.strip().splitlines()[-1])

    names = [n for n in ENTRIES if (ROOT / "functions" / n / "handler.py").is_file()]
    if not names:
        return {}
    results = dict([check(names[0])])  # compiles the shared layer once, before the parallel runs
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        results.update(pool.map(check, names[1:]))
    return results


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_handler_imports_from_layer_alone(imports, host_site, name):
    if not (ROOT / "functions" / name / "handler.py").is_file():
        pytest.skip(f"functions/{name}/handler.py does not exist yet")
    result = imports[name]
    assert "error" not in result, result.get("error")
    assert result["handler_callable"]
    assert result["smartgrocer_from"].startswith(str(host_site))


NON_PAYMENT = sorted(n for n, e in ENTRIES.items() if not e.access & {Access.PAYMENTS, Access.PAYMENT_WEBHOOK})


@pytest.mark.parametrize("name", NON_PAYMENT)
def test_stripe_is_imported_only_by_payment_functions(imports, name):
    """Cold start is the product: stripe loads only where payments happen."""
    if name not in imports or "error" in imports[name]:
        pytest.skip("handler not importable (see test_handler_imports_from_layer_alone)")
    assert "stripe" not in imports[name]["modules"]
