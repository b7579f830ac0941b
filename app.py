#!/usr/bin/env python3
"""CDK entry point: `python app.py` (or `cdk synth`) writes the cloud assembly to cdk.out.

Context: -c stage=dev|prod, domain_name + certificate_arn, mail_from / mail_from_domain,
alarm_email, web_acl_arn, stripe_publishable_key (see docs/deploy.md). Synth makes no AWS calls.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

# `cdk` first: it puts the route table (layers/smartgrocer/python) on sys.path.
from cdk.config import StageConfig  # noqa: E402, I001
from cdk.nag import apply_nag  # noqa: E402
from cdk.stack import SmartGrocerStack  # noqa: E402
import aws_cdk  # noqa: E402


def main() -> None:
    # The CLI passes CDK_OUTDIR; plain `python app.py` writes to ./cdk.out like `cdk synth` would.
    app = aws_cdk.App(outdir=os.environ.get("CDK_OUTDIR", str(ROOT / "cdk.out")))
    config = StageConfig.from_context(app.node)
    env = None
    if os.environ.get("CDK_DEFAULT_ACCOUNT"):  # set by the CDK CLI when credentials exist
        env = aws_cdk.Environment(
            account=os.environ["CDK_DEFAULT_ACCOUNT"], region=os.environ.get("CDK_DEFAULT_REGION")
        )
    stack = SmartGrocerStack(
        app, f"SmartGrocer-{config.stage}", config=config, env=env, description=f"SmartGrocer Cloud ({config.stage})"
    )
    apply_nag(stack)
    app.synth()


if __name__ == "__main__":
    main()
