"""Browser end-to-end: the built SPA in Debian's headless Chromium against a fresh, seeded local
runner. The journeys themselves live in web/e2e (playwright-core); this starts the product for them.

Opt-in with `--e2e` (make test passes it after building the SPA), because it needs `web/dist`,
`web/node_modules` and /usr/bin/chromium."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeded_runtime(tmp_path_factory, request):
    if not request.config.getoption("--e2e"):
        pytest.skip("browser e2e runs with --e2e (make test builds the SPA and passes it)")
    assert (ROOT / "web" / "dist" / "index.html").exists(), "build the SPA first: make web"
    from local.runner import LocalRuntime

    runtime = LocalRuntime(
        port=0, data_dir=tmp_path_factory.mktemp("e2e"), seed=True, expiry_interval=0, quiet=True, workers=4
    )
    runtime.start()
    yield runtime
    runtime.stop()


def test_spa_journeys_in_headless_chromium(seeded_runtime):
    env = {**os.environ, "E2E_BASE_URL": seeded_runtime.base_url}
    result = subprocess.run(
        ["npm", "run", "e2e"], cwd=ROOT / "web", env=env, capture_output=True, text=True, timeout=900
    )
    print(result.stdout[-20000:])
    print(result.stderr[-5000:])
    lines = [line.strip() for line in result.stdout.splitlines()] + [""]
    failures = [f"{line} {lines[i + 1]}" for i, line in enumerate(lines[:-1]) if line.startswith("✗")]
    # The failing journeys and their first error line go into the assertion itself, so a CI summary
    # that shows only the last lines still names them.
    assert result.returncode == 0, "browser journeys failed (see web/e2e/artifacts/): " + " | ".join(failures[:12])
