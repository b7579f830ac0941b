"""The composition root: which adapter implements each domain port.

Imported by the function wrapper (`web.app`), the background functions and the local runtime.
Registering is cheap: each factory imports its adapter only when the port is first used, so a
function pays only for the adapters its route touches.
"""

from __future__ import annotations

from smartgrocer.domain import ports  # noqa: F401  (used by the registrations below)


# -- accounts (auth) --

# -- catalog (products) --

# -- money core (checkouts, orders, stock, payments) --
