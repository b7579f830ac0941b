"""The composition root: which adapter implements each domain port.

Imported by the function wrapper (`web.app`), the background functions and the local runtime.
Registering is cheap: each factory imports its adapter only when the port is first used, so a
function pays only for the adapters its route touches.
"""

from __future__ import annotations

from smartgrocer.domain import ports  # noqa: F401  (used by the registrations below)


# -- accounts (auth) --
from smartgrocer.domain.accounts import RefreshTokenRepository, UserRepository  # noqa: E402
from smartgrocer.domain.rate_limit import RateLimitRepository  # noqa: E402


def _mongo_accounts():
    from smartgrocer.adapters import mongo_accounts  # pymongo loads only when an accounts port is used

    return mongo_accounts


ports.register(UserRepository, lambda: _mongo_accounts().MongoUsers())
ports.register(RefreshTokenRepository, lambda: _mongo_accounts().MongoRefreshTokens())
ports.register(RateLimitRepository, lambda: _mongo_accounts().MongoRateLimits())

# -- catalog (products) --

# -- money core (checkouts, orders, stock, payments) --
