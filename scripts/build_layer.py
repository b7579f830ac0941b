#!/usr/bin/env python3
"""Build the shared Lambda layer without Docker.

    python scripts/build_layer.py            # build/layer/python       (Lambda: arm64, CPython 3.12)
    python scripts/build_layer.py --host     # build/layer-host/python  (this machine: for import checks)

Both builds take the same path: pip installs exactly `requirements.txt` into `<out>/python`,
boto3/botocore are dropped (the Lambda runtime ships them), the `smartgrocer` package is copied
in, and the size is printed. The Lambda build asks pip for manylinux aarch64 / cp312 wheels only,
so no compiler or container is needed. The pip step is cached: it reruns only when the
requirements or the target platform change (or with --force); the package copy is always fresh.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_SRC = ROOT / "layers" / "smartgrocer" / "python" / "smartgrocer"

LAMBDA_PYTHON_VERSION = "3.12"
# Lambda python3.12 runs on Amazon Linux 2023 (glibc 2.34); manylinux2014 covers most wheels and
# manylinux_2_28 picks up packages that stopped publishing 2014 wheels.
LAMBDA_PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")

# Present in the Lambda runtime; shipping them would only bloat the layer and shadow the runtime's.
EXCLUDED_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer")

LAYER_UNZIPPED_LIMIT = 250 * 1024 * 1024  # Lambda's limit for function + all layers, unzipped


def pip_platform_args(host: bool) -> list[str]:
    if host:
        return []
    args = []
    for platform in LAMBDA_PLATFORMS:
        args += ["--platform", platform]
    return args + ["--implementation", "cp", "--python-version", LAMBDA_PYTHON_VERSION, "--only-binary=:all:"]


def install_requirements(requirements: Path, site: Path, host: bool) -> None:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-compile",
        "--quiet",
        *pip_platform_args(host),
        "--target",
        str(site),
        "-r",
        str(requirements),
    ]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def drop_excluded(site: Path) -> list[str]:
    dropped = []
    for dist in EXCLUDED_DISTRIBUTIONS:
        for path in [site / dist, *site.glob(f"{dist}-*.dist-info")]:
            if path.exists():
                shutil.rmtree(path)
                dropped.append(path.name)
    # Console scripts are useless in a layer and carry the build machine's interpreter path.
    shutil.rmtree(site / "bin", ignore_errors=True)
    return dropped


def copy_package(site: Path) -> None:
    target = site / PACKAGE_SRC.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(PACKAGE_SRC, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def remove_bytecode(site: Path) -> None:
    for cache in list(site.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)


def layer_size(out: Path) -> tuple[int, int]:
    """(unzipped bytes, estimated zipped bytes: per-file deflate, as a zip archive stores them)."""
    unzipped = zipped = 0
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            unzipped += len(data)
            zipped += len(zlib.compress(data, 6)) + 100  # + local/central directory headers
    return unzipped, zipped


def cache_key(requirements: Path, host: bool) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(json.dumps(pip_platform_args(host)).encode())
    if host:
        digest.update(f"{sys.implementation.cache_tag}-{sys.platform}".encode())
    return digest.hexdigest()


def build(requirements: Path, out: Path, host: bool, force: bool = False) -> Path:
    if not requirements.is_file():
        raise SystemExit(f"build_layer: {requirements} not found (the layer ships exactly that file)")
    site = out / "python"
    stamp = out.with_name(out.name + ".stamp")  # beside the layer, so it is not shipped in it
    key = cache_key(requirements, host)
    if force or not site.is_dir() or not stamp.is_file() or stamp.read_text().strip() != key:
        shutil.rmtree(out, ignore_errors=True)
        stamp.unlink(missing_ok=True)
        site.mkdir(parents=True)
        install_requirements(requirements, site, host)
        dropped = drop_excluded(site)
        if dropped:
            print(f"dropped (provided by the Lambda runtime): {', '.join(sorted(dropped))}")
        stamp.write_text(key + "\n")
    else:
        print(f"requirements unchanged: reusing {site.relative_to(ROOT) if site.is_relative_to(ROOT) else site}")
    copy_package(site)
    remove_bytecode(site)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--host", action="store_true", help="build for this interpreter/platform into build/layer-host (import checks)"
    )
    parser.add_argument("--force", action="store_true", help="reinstall even if requirements are unchanged")
    parser.add_argument("-r", "--requirements", type=Path, default=ROOT / "requirements.txt")
    parser.add_argument("--out", type=Path, help="output directory (default build/layer or build/layer-host)")
    args = parser.parse_args(argv)

    out = (args.out or ROOT / "build" / ("layer-host" if args.host else "layer")).resolve()
    build(args.requirements.resolve(), out, host=args.host, force=args.force)

    unzipped, zipped = layer_size(out)
    mib = 1024 * 1024
    print(
        f"layer {out}: {unzipped:,} bytes unzipped ({unzipped / mib:.1f} MiB), "
        f"~{zipped:,} bytes zipped ({zipped / mib:.1f} MiB)"
    )
    if unzipped > LAYER_UNZIPPED_LIMIT:
        print(f"build_layer: layer exceeds Lambda's {LAYER_UNZIPPED_LIMIT // mib} MiB unzipped limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
