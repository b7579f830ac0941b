"""What the deployable layer must never carry: the local runtime (the local payment provider, its
fault injection) is test and development machinery, so it stays out of what runs in AWS."""

from __future__ import annotations

from pathlib import Path

from tests.infra.conftest import ROOT

LOCAL_ONLY_MARKERS = ("local_payment_faults", "LocalPaymentGateway", "local_payment_intents")


def _shipped_sources(layer_dir: Path) -> list[Path]:
    return [p for p in (layer_dir / "python" / "smartgrocer").rglob("*.py")]


def test_layer_has_no_local_provider_or_fault_injection(layer_dir):
    sources = _shipped_sources(layer_dir)
    assert sources, "the built layer carries the smartgrocer package"
    assert not (layer_dir / "python" / "local").exists()
    found = {
        f"{p.relative_to(layer_dir)}: {marker}"
        for p in sources
        for marker in LOCAL_ONLY_MARKERS
        if marker in p.read_text()
    }
    # the composition root may name the local provider's module (it refuses to load it in AWS) but
    # nothing shipped implements or calls it
    assert found <= {"python/smartgrocer/wiring.py: LocalPaymentGateway"}, found


def test_function_folders_carry_no_local_machinery():
    for handler in (ROOT / "functions").glob("*/handler.py"):
        text = handler.read_text()
        assert not any(marker in text for marker in LOCAL_ONLY_MARKERS), handler
        assert "from local" not in text and "import local" not in text, handler
