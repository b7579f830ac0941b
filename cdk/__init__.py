"""The SmartGrocer Cloud CDK app: one stack (`stack.py`) wiring one construct per capability."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER_SOURCE = ROOT / "layers" / "smartgrocer" / "python"
FUNCTIONS_DIR = ROOT / "functions"  # the handlers' source
FUNCTIONS_BUILD_DIR = ROOT / "build" / "functions"  # what ships: the same files plus their bytecode
LAYER_BUILD_DIR = ROOT / "build" / "layer"
WEB_DIST_DIR = ROOT / "web" / "dist"

# The route table lives in the layer and imports nothing third-party, so the CDK app reads it
# straight from the source tree: the stack can never disagree with the handlers about routes.
if str(LAYER_SOURCE) not in sys.path:
    sys.path.insert(0, str(LAYER_SOURCE))

# jsii prints a banner on every start while Node 20 is the only Node here; it is noise in CI.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
