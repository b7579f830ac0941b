"""The composition root: which adapter implements each domain port.

Imported by the function wrapper (`web.app`), the background functions and the local runtime.
Registering is cheap: each factory imports its adapter only when the port is first used, so a
function pays only for the adapters its route touches.
"""

from __future__ import annotations

from smartgrocer.domain import ports


def _install() -> None:
    pass  # each area adds `ports.register(Port, factory)` here


_install()
