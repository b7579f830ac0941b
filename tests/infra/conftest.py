"""Synthesize the stack once per session (dev, and a prod variant) and share the results."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cdk  # noqa: E402, I001  (first: route table on sys.path, jsii Node banner silenced)
from aws_cdk import App, NestedStack, Stack  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402
from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES  # noqa: E402

from cdk.config import StageConfig  # noqa: E402
from cdk.nag import apply_nag  # noqa: E402
from cdk.stack import SmartGrocerStack  # noqa: E402

ALL_ENTRIES = (*ROUTES, *BACKGROUND_FUNCTIONS)
PROD_CONTEXT = {
    "stage": "prod",
    "domain_name": "shop.example.com",
    "certificate_arn": "arn:aws:acm:us-east-1:111111111111:certificate/abc",
    "mail_from_domain": "example.com",
    "alarm_email": "ops@example.com",
    "stripe_publishable_key": "pk_test_123",
}


def build_layer(*extra: str) -> Path:
    """scripts/build_layer.py, exactly as a developer runs it (pip step cached under build/)."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_layer.py"), *extra],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    name = "layer-host" if "--host" in extra else "layer-runtime-host" if "--runtime-host" in extra else "layer"
    return ROOT / "build" / name


@dataclass
class Synth:
    stack: SmartGrocerStack
    template: Template

    @cached_property
    def resources(self) -> dict:
        """The stack's resources and its nested stacks' (the API routes), as one template would hold them:
        a nested template's parameters are replaced by what the parent passes, so references still name
        the parent's logical ids."""
        merged = dict(self.template.to_json()["Resources"])
        for nested in self.stack.node.find_all():
            if not isinstance(nested, NestedStack):
                continue
            passed = merged[self.stack.get_logical_id(nested.nested_stack_resource)]["Properties"].get("Parameters", {})
            for logical_id, resource in Template.from_stack(nested).to_json()["Resources"].items():
                merged[logical_id] = _with_parameters(resource, passed)
        return merged

    def of_type(self, cfn_type: str) -> dict[str, dict]:
        return {k: r for k, r in self.resources.items() if r["Type"] == cfn_type}

    def logical_id(self, construct) -> str:
        return Stack.of(construct).get_logical_id(construct.node.default_child)


def _with_parameters(value, passed: dict):
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in passed:
            return passed[value["Ref"]]
        return {k: _with_parameters(v, passed) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_parameters(v, passed) for v in value]
    return value


def synth(context: dict, functions_dir: Path, layer_dir: Path, web_dist: Path) -> Synth:
    app = App(context=context)
    config = StageConfig.from_context(app.node)
    stack = SmartGrocerStack(
        app,
        f"SmartGrocer-{config.stage}",
        config=config,
        functions_dir=functions_dir,
        layer_dir=layer_dir,
        web_dist=web_dist,
    )
    apply_nag(stack)
    return Synth(stack, Template.from_stack(stack))  # synthesis runs the cdk-nag aspect


@pytest.fixture(scope="session")
def layer_dir() -> Path:
    return build_layer()


@pytest.fixture(scope="session")
def functions_dir(layer_dir) -> Path:
    """build/functions: what the function assets ship (handler.py and its bytecode), made by the same
    scripts/build_layer.py run as the layer."""
    return cdk.FUNCTIONS_BUILD_DIR


@pytest.fixture(scope="session")
def dev(functions_dir, layer_dir, tmp_path_factory) -> Synth:
    """Default context (plain `python app.py`), without a built SPA."""
    return synth({}, functions_dir, layer_dir, web_dist=tmp_path_factory.mktemp("no-dist"))


@pytest.fixture(scope="session")
def prod(functions_dir, layer_dir, tmp_path_factory) -> Synth:
    """prod with a custom domain, a domain mail identity and a built SPA: the other branches."""
    web_dist = tmp_path_factory.mktemp("dist")
    (web_dist / "index.html").write_text("<!doctype html><title>SmartGrocer</title>")
    return synth(PROD_CONTEXT, functions_dir, layer_dir, web_dist)


@pytest.fixture(scope="session")
def template(dev) -> Template:
    return dev.template
