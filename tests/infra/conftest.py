"""Synthesize the stack once per session and share the template with every infra test."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import cdk  # noqa: E402  (route table on sys.path, jsii warnings silenced)
from aws_cdk import App, Annotations  # noqa: E402
from aws_cdk.assertions import Annotations as AnnotationsAssertions, Template  # noqa: E402
from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES  # noqa: E402

from cdk.config import StageConfig  # noqa: E402
from cdk.nag import apply_nag  # noqa: E402
from cdk.stack import SmartGrocerStack  # noqa: E402

ALL_ENTRIES = (*ROUTES, *BACKGROUND_FUNCTIONS)
STUB_HANDLER = "def lambda_handler(event, context):\n    raise NotImplementedError\n"


def build_layer(*extra: str) -> Path:
    """scripts/build_layer.py (cached under build/), the same command a developer runs."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_layer.py"), *extra], check=True, cwd=ROOT)
    return ROOT / "build" / ("layer-host" if "--host" in extra else "layer")


@pytest.fixture(scope="session")
def layer_dir() -> Path:
    return build_layer()


@pytest.fixture(scope="session")
def functions_dir(tmp_path_factory) -> Path:
    """functions/ itself once every handler exists. Until then the template is still checked with
    placeholders for the missing folders (the packaging test skips those by name)."""
    real = cdk.FUNCTIONS_DIR
    missing = [e.name for e in ALL_ENTRIES if not (real / e.name / "handler.py").is_file()]
    if not missing:
        return real
    warnings.warn(f"infra tests use placeholder handlers for: {', '.join(missing)}", stacklevel=1)
    staged = tmp_path_factory.mktemp("functions")
    for entry in ALL_ENTRIES:
        target = staged / entry.name
        if entry.name in missing:
            target.mkdir()
            (target / "handler.py").write_text(STUB_HANDLER)
        else:
            target.symlink_to(real / entry.name, target_is_directory=True)
    return staged


def synth(context: dict, functions_dir: Path, layer_dir: Path, web_dist: Path | None = None):
    app = App(context=context, outdir=None)
    config = StageConfig.from_context(app.node)
    stack = SmartGrocerStack(app, f"SmartGrocer-{config.stage}", config=config, functions_dir=functions_dir,
                             layer_dir=layer_dir, **({"web_dist": web_dist} if web_dist else {}))
    apply_nag(stack)
    template = Template.from_stack(stack)  # synthesizes, which runs the nag aspect
    return stack, template


@pytest.fixture(scope="session")
def dev(functions_dir, layer_dir):
    return synth({"stage": "dev"}, functions_dir, layer_dir)


@pytest.fixture(scope="session")
def stack(dev):
    return dev[0]


@pytest.fixture(scope="session")
def template(dev) -> Template:
    return dev[1]


@pytest.fixture(scope="session")
def prod(functions_dir, layer_dir, tmp_path_factory):
    """A prod synth with a custom domain and a built SPA: the other branches of the stack."""
    web_dist = tmp_path_factory.mktemp("dist")
    (web_dist / "index.html").write_text("<!doctype html><title>SmartGrocer</title>")
    return synth({"stage": "prod", "domain_name": "shop.example.com",
                  "certificate_arn": "arn:aws:acm:us-east-1:111111111111:certificate/abc",
                  "mail_from_domain": "example.com", "alarm_email": "ops@example.com"},
                 functions_dir, layer_dir, web_dist)
