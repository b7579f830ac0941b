"""Rewrite the connection budget block of docs/deploy.md (the summary line and the table) from the
route table, so the guide always shows the arithmetic the stack enforces. Run after adding a function."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "smartgrocer" / "python")]

from cdk.config import StageConfig  # noqa: E402


def main() -> None:
    guide = ROOT / "docs" / "deploy.md"
    budget = StageConfig().connection_budget
    rows = "\n".join(
        f"| {name} | {count} | {count * budget.per_container} |" for name, count in budget.reserved_concurrency.items()
    )
    block = f"    {budget.summary()}\n\n| function | reserved concurrency | connections |\n|---|---|---|\n{rows}\n"
    text = guide.read_text()
    header = r"\| function \| reserved concurrency \| connections \|\n"
    pattern = re.compile(r"    \d+ functions, .*?\n\n" + header + r"(?:\|.*\|\n)+")
    new, count = pattern.subn(lambda _: block, text)
    if count != 1:
        raise SystemExit("docs/deploy.md: the connection budget block was not found exactly once")
    guide.write_text(new)


if __name__ == "__main__":
    main()
