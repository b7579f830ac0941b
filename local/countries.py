"""Write the SPA's copy of the countries and address formats (`make countries`).

The rules live in `smartgrocer.domain.addresses`; the SPA imports the JSON written here
(`web/src/lib/countries.gen.json`), and a test fails when the committed copy is not what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from local.apigw import LAYER_PATH  # noqa: F401  (puts the layer on sys.path)
from smartgrocer.domain.addresses import spa_data

TARGET = Path(__file__).resolve().parent.parent / "web" / "src" / "lib" / "countries.gen.json"


def render() -> str:
    return json.dumps(spa_data(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    if "--stdout" in sys.argv:
        sys.stdout.write(render())
    else:
        TARGET.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
