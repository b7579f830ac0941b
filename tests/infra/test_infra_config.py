"""Context handling and the clear failures a developer meets before a broken deploy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from aws_cdk import App

from cdk.config import StageConfig
from cdk.stack import SmartGrocerStack
from tests.infra.conftest import ROOT


def test_defaults_synth_a_dev_stack():
    config = StageConfig.from_context(App().node)
    assert config.stage == "dev" and config.mail_from == "no-reply@example.com"
    assert not config.is_prod and config.domain_name is None


@pytest.mark.parametrize(
    "context, message",
    [
        ({"stage": "staging"}, "stage"),
        ({"domain_name": "shop.example.com"}, "certificate_arn"),
        ({"mail_from": "not-an-address"}, "mail_from"),
    ],
)
def test_bad_context_is_rejected(context, message):
    with pytest.raises(ValueError, match=message):
        StageConfig.from_context(App(context=context).node)


def test_mail_from_domain_defaults_the_sender():
    config = StageConfig.from_context(App(context={"mail_from_domain": "shop.example.com"}).node)
    assert config.mail_from == "no-reply@shop.example.com"


def test_missing_layer_build_says_how_to_build_it(tmp_path, functions_dir):
    with pytest.raises(FileNotFoundError, match="scripts/build_layer.py"):
        SmartGrocerStack(
            App(),
            "Missing",
            config=StageConfig(),
            functions_dir=functions_dir,
            layer_dir=tmp_path / "nowhere",
            web_dist=tmp_path,
        )


def test_stale_layer_build_is_refused(tmp_path, functions_dir, layer_dir):
    stale = tmp_path / "layer"
    shutil.copytree(layer_dir / "python" / "smartgrocer", stale / "python" / "smartgrocer")
    (stale / "python" / "smartgrocer" / "routes.py").write_text("# an older build\n")
    with pytest.raises(RuntimeError, match="stale.*routes.py"):
        SmartGrocerStack(
            App(), "Stale", config=StageConfig(), functions_dir=functions_dir, layer_dir=stale, web_dist=tmp_path
        )


def test_missing_handler_folder_is_named(tmp_path, layer_dir):
    with pytest.raises(FileNotFoundError, match="health"):
        SmartGrocerStack(
            App(), "Missing", config=StageConfig(), functions_dir=tmp_path, layer_dir=layer_dir, web_dist=tmp_path
        )


def test_plain_python_app_synthesizes_offline(tmp_path, layer_dir, functions_dir):
    """`python app.py` without the CDK CLI or AWS credentials: what `make synth` runs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(CDK_OUTDIR=str(tmp_path / "cdk.out"), AWS_EC2_METADATA_DISABLED="true")
    subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)
    templates = [json.loads(path.read_text()) for path in (tmp_path / "cdk.out").glob("*.template.json")]
    assert any(path.name == "SmartGrocer-dev.template.json" for path in (tmp_path / "cdk.out").glob("*.json"))
    # The routes live in the API's nested stack (its own template file beside the main one).
    assert sum(r["Type"] == "AWS::ApiGatewayV2::Route" for t in templates for r in t["Resources"].values()) > 0
