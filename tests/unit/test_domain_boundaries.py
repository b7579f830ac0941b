"""Every domain module depends on ports only: no database driver, AWS or Stripe SDK, adapter or
local-runtime import, not even inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "layers/smartgrocer/python/smartgrocer/domain"
FORBIDDEN = ("pymongo", "bson", "boto3", "botocore", "stripe", "smartgrocer.adapters", "local")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(p.name for p in DOMAIN.glob("*.py")))
def test_domain_imports_no_driver_and_no_adapter(module):
    offending = {name for name in _imports(DOMAIN / module) if name.startswith(FORBIDDEN)}
    assert not offending, f"domain/{module} imports {sorted(offending)}"
