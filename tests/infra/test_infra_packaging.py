"""Packaging smoke test: the layer that scripts/build_layer.py produces, plus one function folder,
is all a handler needs to import (as on Lambda, where boto3 comes from the runtime).

The deployable layer is built for arm64/cp312 and its compiled wheels cannot load on this host, so
handlers are imported against a `--host` build made by the same code path (same requirements,
same exclusions, same package copy); the deployable build is checked file by file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access
from tests.infra.conftest import ROOT, build_layer

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
    assert not list(site.rglob("__pycache__"))
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
