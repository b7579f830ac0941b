#!/usr/bin/env python3
"""Build the shared Lambda layer and the function assets, with the bytecode Lambda will use. No Docker.

    python scripts/build_layer.py                 # build/layer/python + build/functions  (Lambda: arm64, CPython 3.12)
    python scripts/build_layer.py --host          # build/layer-host/python  (this interpreter: import checks)
    python scripts/build_layer.py --runtime-host  # build/layer-runtime-host/python + build/functions
                                                  #   (Lambda's CPython, this machine's platform: cold-start bench)

Every build takes the same path: pip installs exactly `requirements.txt` into `<out>/python`, boto3/botocore
are dropped (the Lambda runtime provides them), the `smartgrocer` package is copied in, and every `.py` is
compiled to `__pycache__/<name>.<cache tag>.pyc` by the interpreter the code will run on. The Lambda build
asks pip for manylinux aarch64 / cp312 wheels only, so no compiler or container is needed.

Why bytecode, and why this kind: Lambda mounts the layer at /opt and the function at /var/task, both
read-only, so a module without usable bytecode is compiled from source on *every* cold start (the result
cannot be cached). The bytecode must come from the runtime's own CPython minor version (its magic number
is checked on import), which is why the compile step runs a CPython 3.12 interpreter (`--python`,
$LAMBDA_BUILD_PYTHON, `python3.12` on PATH or a pyenv install) and refuses to build without one. The .pyc
are "unchecked-hash": the runtime loads them without comparing them with the source. Timestamp .pyc would
be useless there: the CDK CLI zips every asset with all file dates set to 1980-01-01, so after Lambda
unpacks it no source file has the mtime recorded in its .pyc, and every module would be recompiled.
Unchecked-hash .pyc are safe because this script always recompiles what it copies (they cannot go stale
inside one build), and they are byte-for-byte reproducible: the path baked into them is the one Lambda
uses (/opt/python, /var/task), not this machine's.

The pip step and the compile of what pip installed are cached: they rerun only when the requirements, the
target platform or the compiling interpreter change (or with --force); the package copy and the
functions are always fresh.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_SRC = ROOT / "layers" / "smartgrocer" / "python" / "smartgrocer"
FUNCTIONS_SRC = ROOT / "functions"
FUNCTIONS_OUT = ROOT / "build" / "functions"

# The one place the Lambda Python version is chosen; cdk/constructs/functions.py must say the same
# (tests/infra check that the template's runtime and the shipped bytecode agree).
LAMBDA_PYTHON_VERSION = "3.12"
LAMBDA_MACHINE = "aarch64"  # Architecture.ARM_64 in the stack
# Lambda python3.12 runs on Amazon Linux 2023 (glibc 2.34); manylinux2014 covers most wheels and
# manylinux_2_28 picks up packages that stopped publishing 2014 wheels.
PLATFORM_TAGS = ("manylinux2014_{machine}", "manylinux_2_28_{machine}")
LAMBDA_PLATFORMS = tuple(tag.format(machine=LAMBDA_MACHINE) for tag in PLATFORM_TAGS)

BYTECODE_MODE = "unchecked-hash"
LAYER_MOUNT = "/opt/python"  # where Lambda puts a layer's python/ folder
TASK_ROOT = "/var/task"  # where Lambda unpacks a function's code

# Present in the Lambda runtime; shipping them would only bloat the layer and shadow the runtime's.
EXCLUDED_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer")
FUNCTION_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", ".pytest_cache")

LAYER_UNZIPPED_LIMIT = 250 * 1024 * 1024  # Lambda's limit for function + all layers, unzipped

PROBE = (
    "import importlib.util, json, sys; print(json.dumps({'version': '%d.%d' % sys.version_info[:2], "
    "'implementation': sys.implementation.name, 'cache_tag': sys.implementation.cache_tag, "
    "'magic': importlib.util.MAGIC_NUMBER.hex(), 'executable': sys.executable}))"
)


class Interpreter(dict):
    """What `PROBE` printed: version, implementation, cache_tag, magic (hex), executable."""

    @property
    def executable(self) -> str:
        return self["executable"]


def probe(python: str) -> Interpreter | None:
    try:
        done = subprocess.run([python, "-I", "-c", PROBE], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:  # e.g. a pyenv shim for a version that is not selected
        return None
    return Interpreter(json.loads(done.stdout.strip().splitlines()[-1]))


def _version_key(path: str) -> tuple:
    name = Path(path).parents[1].name  # <pyenv root>/versions/<3.12.x>/bin/python3.12
    return tuple(int(p) if p.isdigit() else 0 for p in name.replace("-", ".").split("."))


def find_runtime_python(version: str = LAMBDA_PYTHON_VERSION, explicit: str | None = None) -> Interpreter:
    """A CPython `version` interpreter to compile the bytecode Lambda's python<version> will load."""
    candidates = [explicit] if explicit else []
    if not explicit:
        if os.environ.get("LAMBDA_BUILD_PYTHON"):
            candidates.append(os.environ["LAMBDA_BUILD_PYTHON"])
        if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
            candidates.append(sys.executable)
        if shutil.which(f"python{version}"):
            candidates.append(shutil.which(f"python{version}"))
        pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
        found = glob.glob(os.path.join(pyenv_root, "versions", f"{version}.*", "bin", f"python{version}"))
        candidates += sorted(found, key=_version_key, reverse=True)
    for candidate in candidates:
        info = probe(candidate)
        if info and info["version"] == version and info["implementation"] == "cpython":
            return info
    raise SystemExit(
        f"build_layer: no CPython {version} interpreter found (tried: {', '.join(candidates) or 'nothing'}).\n"
        f"The Lambda runtime is python{version}; its bytecode can only be compiled by CPython {version}. "
        f"Install one and pass --python /path/to/python{version} or set LAMBDA_BUILD_PYTHON."
    )


def host_platforms() -> tuple[str, ...]:
    return tuple(tag.format(machine=platform.machine()) for tag in PLATFORM_TAGS)


def pip_platform_args(platforms: tuple[str, ...] | None, version: str | None) -> list[str]:
    if not platforms:
        return []
    args = []
    for tag in platforms:
        args += ["--platform", tag]
    return args + ["--implementation", "cp", "--python-version", version, "--only-binary=:all:"]


def install_requirements(requirements: Path, site: Path, pip_args: list[str]) -> None:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-compile",
        "--quiet",
        *pip_args,
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


def copy_package(site: Path) -> Path:
    target = site / PACKAGE_SRC.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(PACKAGE_SRC, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def remove_bytecode(tree: Path) -> None:
    for cache in list(tree.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    for stray in tree.rglob("*.py[co]"):
        stray.unlink()


def remove_foreign_bytecode(tree: Path, cache_tag: str) -> None:
    """Drop .pyc some other interpreter may have written since the last build (only ours are shipped)."""
    for pyc in tree.rglob("__pycache__/*.pyc"):
        if not pyc.name.endswith(f".{cache_tag}.pyc"):
            pyc.unlink()


def compile_tree(interpreter: Interpreter, tree: Path, baked_path: str | None) -> None:
    """Compile every .py below `tree` with the target interpreter (unchecked-hash, optimisation level 0,
    which is what a plain `python` loads). `baked_path` replaces `tree` in the paths stored in the .pyc."""
    # One process, files in compileall's sorted order: the same source then gives the same bytes. With
    # parallel workers, marshal's reference flags depend on what else a worker compiled before (seen as one
    # flipped byte between two builds), so each deploy would ship a "changed" layer and re-snapshot every
    # function. Serial costs ~1.3 s more on the whole layer.
    cmd = [interpreter.executable, "-I", "-m", "compileall", "-q", "-j", "1", "--invalidation-mode", BYTECODE_MODE]
    if baked_path:
        cmd += ["-s", str(tree), "-p", baked_path]
    done = subprocess.run([*cmd, str(tree)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build_layer: compiling {tree} failed:\n{(done.stdout + done.stderr)[-3000:]}")


def missing_bytecode(tree: Path, cache_tag: str) -> list[Path]:
    return [py for py in tree.rglob("*.py") if not (py.parent / "__pycache__" / f"{py.stem}.{cache_tag}.pyc").is_file()]


def build_functions(interpreter: Interpreter, out: Path = FUNCTIONS_OUT) -> Path:
    """build/functions/<name>/: each function's folder as Lambda unpacks it at /var/task, with its bytecode."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for folder in sorted(FUNCTIONS_SRC.iterdir()):
        if (folder / "handler.py").is_file():
            target = out / folder.name
            shutil.copytree(folder, target, ignore=FUNCTION_IGNORE)
            compile_tree(interpreter, target, TASK_ROOT)
    (out.parent / f"{out.name}.bytecode.json").write_text(json.dumps(dict(interpreter), indent=2) + "\n")
    return out


def layer_size(out: Path) -> tuple[int, int]:
    """(unzipped bytes, estimated zipped bytes: per-file deflate, as a zip archive stores them)."""
    unzipped = zipped = 0
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            unzipped += len(data)
            zipped += len(zlib.compress(data, 6)) + 100  # + local/central directory headers
    return unzipped, zipped


def cache_key(requirements: Path, pip_args: list[str], interpreter: Interpreter, baked_path: str | None) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(
        json.dumps([pip_args, interpreter["cache_tag"], interpreter["magic"], BYTECODE_MODE, baked_path]).encode()
    )
    if not pip_args:  # host build: the wheels depend on this machine too
        digest.update(f"{sys.implementation.cache_tag}-{sys.platform}-{platform.machine()}".encode())
    return digest.hexdigest()


def build(
    requirements: Path,
    out: Path,
    *,
    pip_args: list[str],
    interpreter: Interpreter,
    baked_path: str | None,
    force: bool = False,
) -> Path:
    if not requirements.is_file():
        raise SystemExit(f"build_layer: {requirements} not found (the layer ships exactly that file)")
    site = out / "python"
    stamp = out.with_name(out.name + ".stamp")  # beside the layer, so it is not shipped in it
    key = cache_key(requirements, pip_args, interpreter, baked_path)
    if force or not site.is_dir() or not stamp.is_file() or stamp.read_text().strip() != key:
        shutil.rmtree(out, ignore_errors=True)
        stamp.unlink(missing_ok=True)
        site.mkdir(parents=True)
        install_requirements(requirements, site, pip_args)
        dropped = drop_excluded(site)
        if dropped:
            print(f"dropped (provided by the Lambda runtime): {', '.join(sorted(dropped))}")
        remove_bytecode(site)
        compile_tree(interpreter, site, baked_path)
        stamp.write_text(key + "\n")
    else:
        print(f"requirements unchanged: reusing {site.relative_to(ROOT) if site.is_relative_to(ROOT) else site}")
    package = copy_package(site)
    compile_tree(interpreter, package, f"{baked_path}/{package.name}" if baked_path else None)
    remove_foreign_bytecode(site, interpreter["cache_tag"])
    missing = missing_bytecode(site, interpreter["cache_tag"])
    if missing:  # e.g. files deleted from __pycache__ by hand: recompile rather than ship source only
        compile_tree(interpreter, site, baked_path)
    # Beside the layer folder (never inside it: the whole folder is the CDK asset).
    out.with_name(out.name + ".bytecode.json").write_text(json.dumps(dict(interpreter), indent=2) + "\n")
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--host", action="store_true", help="build for this interpreter/platform into build/layer-host (import checks)"
    )
    target.add_argument(
        "--runtime-host",
        action="store_true",
        help="Lambda's Python version on this machine's platform into build/layer-runtime-host "
        "(what bench.cold_start runs), plus build/functions",
    )
    parser.add_argument(
        "--python",
        help=f"the CPython {LAMBDA_PYTHON_VERSION} that compiles the bytecode "
        "(default: $LAMBDA_BUILD_PYTHON, python3.12 on PATH, pyenv)",
    )
    parser.add_argument("--force", action="store_true", help="reinstall even if requirements are unchanged")
    parser.add_argument("-r", "--requirements", type=Path, default=ROOT / "requirements.txt")
    parser.add_argument(
        "--out", type=Path, help="output directory (default build/layer, build/layer-host or build/layer-runtime-host)"
    )
    args = parser.parse_args(argv)

    if args.host:
        name, interpreter = "layer-host", probe(sys.executable)
        pip_args, baked_path = [], None
    else:
        interpreter = find_runtime_python(LAMBDA_PYTHON_VERSION, args.python)
        platforms = host_platforms() if args.runtime_host else LAMBDA_PLATFORMS
        name = "layer-runtime-host" if args.runtime_host else "layer"
        pip_args, baked_path = pip_platform_args(platforms, LAMBDA_PYTHON_VERSION), LAYER_MOUNT
    out = (args.out or ROOT / "build" / name).resolve()
    build(
        args.requirements.resolve(),
        out,
        pip_args=pip_args,
        interpreter=interpreter,
        baked_path=baked_path,
        force=args.force,
    )
    if not args.host:
        build_functions(interpreter)
    print(
        f"bytecode: {interpreter['cache_tag']} (magic {interpreter['magic']}, {BYTECODE_MODE}) "
        f"from {interpreter.executable}"
    )

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
