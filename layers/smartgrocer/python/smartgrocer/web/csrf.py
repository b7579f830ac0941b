"""CSRF protection for the routes a cookie authenticates (the route table's `session_cookie`).

A cookie rides along with any request the browser makes to our origin, including one a foreign page
triggers; a bearer token does not. So those routes also require proof the request was made by our own
script (docs/security.md, "Sessions and CSRF"):

1. `X-SmartGrocer-CSRF: 1`. A cross-site form or navigation cannot add a header; a cross-origin `fetch`
   that adds one is preflighted, and the API grants no CORS, so the browser never sends it.
2. `Sec-Fetch-Site`, when the browser sends it, must be `same-origin` (or `none`): the SPA and `/api` are
   one origin, so `same-site` (a sibling subdomain) and `cross-site` are refused.
3. `Origin`, when present, must be the site: `SITE_URL` when configured, else the host the viewer asked
   for (behind CloudFront the `x-smartgrocer-site-host` header its viewer function sets, else `Host`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from smartgrocer import settings
from smartgrocer.errors import Forbidden

HEADER = "X-SmartGrocer-CSRF"
HEADER_VALUE = "1"
SITE_HOST_HEADER = "x-smartgrocer-site-host"  # set by CloudFront's viewer-request function, never the viewer's
CSRF_HEADER_DESCRIPTION = (
    "Always `1`: proves the request comes from the site's own script, which a cross-site form cannot do "
    "(the session cookie alone is refused)."
)
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})


def _refuse(message: str) -> Forbidden:
    return Forbidden(message, code="csrf_failed")


def _site(headers) -> tuple[str, str] | None:
    """(scheme, host[:port]) of the site the request must come from."""
    if settings.SITE_URL:
        parts = urlsplit(settings.SITE_URL)
        return parts.scheme, parts.netloc.lower()
    host = (headers.get(SITE_HOST_HEADER) or headers.get("host") or "").strip().lower()
    return ("https", host) if host else None


def _origin_matches(origin: str, site: tuple[str, str] | None) -> bool:
    if site is None:
        return False
    parts = urlsplit(origin.strip().lower())
    scheme, host = site
    if parts.netloc != host or parts.path not in {"", "/"}:
        return False
    # Plain http only on this machine (the local runner); everywhere else the site is https.
    return parts.scheme == scheme or (parts.scheme == "http" and parts.hostname in {h.strip("[]") for h in _LOOPBACK})


def verify(headers) -> None:
    """403 `csrf_failed` unless the request shows it comes from the site's own script."""
    if (headers.get(HEADER.lower()) or "").strip() != HEADER_VALUE:
        raise _refuse(
            f"This request needs the `{HEADER}: {HEADER_VALUE}` header: the session cookie is only accepted "
            "from the site's own pages."
        )
    fetch_site = (headers.get("sec-fetch-site") or "").strip().lower()
    if fetch_site and fetch_site not in ALLOWED_FETCH_SITES:
        raise _refuse(f"Requests from another site ({fetch_site}) cannot use the session cookie.")
    origin = headers.get("origin")
    if origin is not None and not _origin_matches(origin, _site(headers)):
        raise _refuse("Requests from another origin cannot use the session cookie.")
