"""Size of the shared Lambda layer, as `scripts/build_layer.py` builds it.

    python -m bench.layer_size [--host] [--no-build]

Runs `python scripts/build_layer.py` (the pip step is cached: it reruns only when requirements.txt or the
target platform change, so this is quick after the first build), then measures `build/layer/python`
(`build/layer-host/python` with --host): unzipped bytes, the build script's own zipped estimate, and the
real size of a zip archive of the layer (deflate, written to a temporary file, entries under `python/` as
Lambda expects), plus the biggest top-level entries. `--no-build` measures what is already there.

Against Lambda's limits: 250 MiB unzipped for a function and all its layers, 50 MiB zipped for a direct
upload. Writes bench/results/layer.json. Not a test: exit status 1 only if the build fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.common import ROOT, markdown_table, write_results

SCRIPT = ROOT / "scripts" / "build_layer.py"
MIB = 1024 * 1024
UNZIPPED_LIMIT = 250 * MIB
ZIPPED_UPLOAD_LIMIT = 50 * MIB


def _build_layer_module():
    spec = importlib.util.spec_from_file_location("build_layer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _zip_size(out: Path) -> int:
    """Bytes of a real deflate zip of `out` (the folder holding `python/`), as a layer upload would be."""
    with tempfile.TemporaryDirectory(prefix="layer-size-") as tmp:
        archive = Path(tmp) / "layer.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(out).as_posix())
        return archive.stat().st_size


def _top_entries(site: Path, count: int = 8) -> list[dict]:
    """Biggest top-level packages of the layer (a distribution's .dist-info folded into its package)."""
    sizes: dict[str, int] = {}
    for entry in site.iterdir():
        name = entry.name.split("-")[0].lower() if entry.name.endswith(".dist-info") else entry.name
        name = name.removesuffix(".py")
        size = (
            entry.stat().st_size if entry.is_file() else sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
        )
        sizes[name] = sizes.get(name, 0) + size
    # dist-info names use the distribution name (pyjwt, dnspython); fold the leftovers we can recognise
    for dist, package in (("pyjwt", "jwt"), ("dnspython", "dns")):
        if dist in sizes and package in sizes:
            sizes[package] += sizes.pop(dist)
    ordered = sorted(sizes.items(), key=lambda item: item[1], reverse=True)
    return [{"entry": name, "bytes": size} for name, size in ordered[:count]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", action="store_true", help="the host build (build/layer-host) instead of Lambda's")
    parser.add_argument("--no-build", action="store_true", help="measure the existing build, do not run the script")
    args = parser.parse_args(argv)

    out = ROOT / "build" / ("layer-host" if args.host else "layer")
    build_output, build_seconds = "", None
    if not args.no_build:
        cmd = [sys.executable, str(SCRIPT), *(["--host"] if args.host else [])]
        print("+", " ".join(cmd), flush=True)
        started = time.monotonic()
        done = subprocess.run(cmd, cwd=str(ROOT), capture_output=True, text=True)
        build_seconds = round(time.monotonic() - started, 1)
        build_output = (done.stdout + done.stderr).strip()
        print(build_output)
        if done.returncode != 0 and not (out / "python").is_dir():
            print(f"layer_size: build failed (exit {done.returncode})", file=sys.stderr)
            return 1
    site = out / "python"
    if not site.is_dir():
        raise SystemExit(f"layer_size: {site} not found; run `python scripts/build_layer.py`")

    build_layer = _build_layer_module()
    unzipped, estimated_zip = build_layer.layer_size(out)
    zipped = _zip_size(out)
    files = sum(1 for p in site.rglob("*") if p.is_file())
    top = _top_entries(site)
    target = (
        "host (this interpreter)"
        if args.host
        else f"Lambda: CPython {build_layer.LAMBDA_PYTHON_VERSION}, {', '.join(build_layer.LAMBDA_PLATFORMS)}"
    )
    reused = "requirements unchanged" in build_output

    rows = [
        [
            "unzipped",
            f"{unzipped:,}",
            f"{unzipped / MIB:.1f}",
            f"{UNZIPPED_LIMIT // MIB} (function + layers)",
            f"{unzipped / UNZIPPED_LIMIT:.0%}",
        ],
        [
            "zipped (zip archive)",
            f"{zipped:,}",
            f"{zipped / MIB:.1f}",
            f"{ZIPPED_UPLOAD_LIMIT // MIB} (direct upload)",
            f"{zipped / ZIPPED_UPLOAD_LIMIT:.0%}",
        ],
        ["zipped (build_layer.py estimate)", f"{estimated_zip:,}", f"{estimated_zip / MIB:.1f}", "", ""],
    ]
    markdown = markdown_table(["layer", "bytes", "MiB", "Lambda limit MiB", "of limit"], rows)
    top_markdown = markdown_table(
        ["entry", "MiB", "share"],
        [[t["entry"], f"{t['bytes'] / MIB:.1f}", f"{t['bytes'] / unzipped:.0%}"] for t in top],
    )
    path = write_results(
        "layer",
        {
            "layer_dir": str(site.relative_to(ROOT)),
            "target": target,
            "files": files,
            "unzipped_bytes": unzipped,
            "zipped_bytes": zipped,
            "zipped_estimate_bytes": estimated_zip,
            "unzipped_limit_bytes": UNZIPPED_LIMIT,
            "zipped_upload_limit_bytes": ZIPPED_UPLOAD_LIMIT,
            "within_limits": unzipped <= UNZIPPED_LIMIT and zipped <= ZIPPED_UPLOAD_LIMIT,
            "build": {
                "ran": not args.no_build,
                "seconds": build_seconds,
                "pip_cache_reused": reused,
                "output": build_output.splitlines()[-3:],
            },
            "top_entries": top,
            "markdown": markdown,
            "top_markdown": top_markdown,
        },
    )
    print(f"\n{site.relative_to(ROOT)} ({target}), {files} files\n")
    print(markdown)
    print("\nbiggest entries:\n")
    print(top_markdown)
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
