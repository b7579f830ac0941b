"""A small HTTP client for the API, used by the integration tests, benchmarks and load scripts."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from http.cookies import SimpleCookie

import requests
from requests.adapters import HTTPAdapter


@dataclass
class Account:
    email: str
    password: str
    user_id: str
    role: str
    access_token: str
    refresh_token: str  # from the session cookie that signup set

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


REFRESH_COOKIE = "__Secure-sg_refresh"
CSRF_HEADERS = {"X-SmartGrocer-CSRF": "1"}


def set_cookies(response: requests.Response) -> list[str]:
    """Every `Set-Cookie` line of the answer, unjoined."""
    return list(response.raw.headers.getlist("Set-Cookie"))


def refresh_cookie_of(response: requests.Response) -> str | None:
    """The refresh token the answer set in the session cookie (None: it set none; "" : it cleared it)."""
    for line in set_cookies(response):
        jar: SimpleCookie = SimpleCookie()
        jar.load(line)
        if REFRESH_COOKIE in jar:
            return jar[REFRESH_COOKIE].value
    return None


def session_headers(refresh_token: str | None, csrf: bool = True) -> dict[str, str]:
    """What the SPA sends to the cookie routes: the session cookie and the CSRF header. Sent explicitly: the
    cookie is `Secure`, so a cookie jar would not send it over the runner's plain http (a browser does, on
    loopback), and one client serves many accounts."""
    headers = dict(CSRF_HEADERS) if csrf else {}
    if refresh_token is not None:
        headers["Cookie"] = f"{REFRESH_COOKIE}={refresh_token}"
    return headers


# The smallest bytes that pass the photo check: a PNG signature (the check reads the magic number).
TINY_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 120


class ApiClient:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        # One client serves many accounts: it keeps no cookies; each account's session cookie is sent explicitly.
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def request(self, method: str, path: str, account: Account | None = None, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if account is not None:
            headers.update(account.auth)
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)

    def get(self, path, account=None, **kw):
        return self.request("GET", path, account, **kw)

    def post(self, path, account=None, **kw):
        return self.request("POST", path, account, **kw)

    def put(self, path, account=None, **kw):
        return self.request("PUT", path, account, **kw)

    def patch(self, path, account=None, **kw):
        return self.request("PATCH", path, account, **kw)

    def delete(self, path, account=None, **kw):
        return self.request("DELETE", path, account, **kw)

    def signup(
        self,
        email: str,
        password: str = "correct-horse-1",
        full_name: str = "Test User",
        is_seller: bool = False,
        payouts: bool = True,
    ) -> Account:
        """A new account. A seller can be paid (payout account active, so their products are listed and
        sold) unless `payouts=False`: set up through the real flow, see `make_payable`."""
        response = self.post(
            "/api/auth/signup",
            json={"email": email, "password": password, "full_name": full_name, "is_seller": is_seller},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        refresh_token = refresh_cookie_of(response)
        assert refresh_token, f"signup set no session cookie: {set_cookies(response)}"
        account = Account(
            email, password, body["user"]["id"], body["user"]["role"], body["access_token"], refresh_token
        )
        if is_seller and payouts:
            self.make_payable(account)
        return account

    def upload_photo(
        self, seller: Account, product_id: str, data: bytes = TINY_PNG, content_type: str = "image/png"
    ) -> dict:
        """A photo uploaded as the SPA does (presigned POST, then the bytes straight to S3), not yet attached:
        the presign answer (`image_url`, `upload`). Attaching it checks the bytes, so they must be a photo."""
        grant = self.post(
            f"/api/products/{product_id}/images", seller, json={"content_type": content_type, "size": len(data)}
        )
        assert grant.status_code == 200, grant.text
        body = grant.json()
        fields = body["upload"]["fields"]
        sent = requests.post(
            body["upload"]["url"], data=fields, files={"file": ("photo", data, fields["Content-Type"])}, timeout=30
        )
        assert sent.status_code in (200, 201, 204), sent.text
        return body

    def make_payable(self, seller: Account) -> str:
        """The seller onboards as a real one does: POST onboarding, complete the (local) provider's onboarding
        page, then wait for its `account.updated` webhook (forcing delivery) to make the account active.
        Returns the account id."""
        response = self.post("/api/seller/payouts/onboarding", seller)
        assert response.status_code == 200, response.text
        url = response.json()["url"]
        page = self.session.post(url if "://" in url else f"{self.base_url}{url}", allow_redirects=False, timeout=30)
        assert page.status_code < 400, f"onboarding page: {page.status_code} {page.text[:200]}"
        # The onboarding page delivers `account.updated` before it redirects, and the account read asks the
        # provider while the status is pending: one read must already say active.
        account = self.get("/api/seller/payouts/account", seller).json()
        assert account.get("status") == "active", f"the seller's payout account is not active: {account}"
        return account["account_id"]

    def login(self, email: str, password: str) -> requests.Response:
        return self.post("/api/auth/login", json={"email": email, "password": password})

    def refresh(self, refresh_token: str | None, **kwargs) -> requests.Response:
        """POST /api/auth/refresh as the SPA does it: the session cookie and the CSRF header."""
        headers = {**session_headers(refresh_token), **kwargs.pop("headers", {})}
        return self.post("/api/auth/refresh", headers=headers, **kwargs)

    def logout(self, refresh_token: str | None, **kwargs) -> requests.Response:
        headers = {**session_headers(refresh_token), **kwargs.pop("headers", {})}
        return self.post("/api/auth/logout", headers=headers, **kwargs)

    def create_product(self, seller: Account, **fields) -> dict:
        payload = {
            "name": "Test Apples",
            "description": "Fresh",
            "price": "2.50",
            "category": "fruit-veg",
            "stock": 10,
            "unit": "kg",
            **fields,
        }
        response = self.post("/api/products", seller, json=payload)
        assert response.status_code == 201, response.text
        return response.json()


class _SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source_ip: str):
        self.source_ip = source_ip
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


def loopback_alias_works(ip: str) -> bool:
    try:
        with socket.socket() as sock:
            sock.bind((ip, 0))
        return True
    except OSError:
        return False


def session_from(source_ip: str) -> requests.Session:
    """A requests session whose connections come from `source_ip` (any 127.x.y.z on Linux): rate limits
    keyed by source IP then count this session alone."""
    session = requests.Session()
    session.mount("http://", _SourceAddressAdapter(source_ip))
    return session


def eventually(probe, *, timeout: float = 15.0, interval: float = 0.1, what: str = "the condition"):
    """Call `probe()` until it returns something truthy and return that; fail after `timeout` seconds.
    Tests wait for a condition, never for a fixed time: the interval only paces the polling."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() >= deadline:
            break
        time.sleep(interval)
    if not value:
        raise AssertionError(f"{what} did not happen within {timeout} s")
    return value


def within_one_window(window: int, attempt):
    """Run `attempt()` (which sets up its own fresh account or address) until one run starts and ends
    inside one rate-limit window: counters restart at each boundary, so a run that straddles one
    proves nothing. A run far shorter than the window cannot straddle twice in a row; no waiting."""
    import time

    for _ in range(2):
        started = time.time() // window
        result = attempt()
        if time.time() // window == started:
            return result
    raise AssertionError("two runs in a row straddled a rate-limit window boundary")
