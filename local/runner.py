"""The whole product on one machine: `python -m local.runner` (or `make dev`).

Mirrors production: the SPA at `/` (like CloudFront from S3), the API at `/api` through the very
same `lambda_handler` functions with API Gateway HTTP API v2 events, the embedded MongoDB
(nx-27017) unless MONGODB_URI is set, moto for S3/SES, order events delivered to the notifier,
the order-expiry schedule, and a local payment provider that signs webhooks as Stripe does (the
runner delivers them: `/local/payments/confirm` at once, the rest from a background loop and on
`POST /local/payments/deliver`).
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
import os
import re
import secrets
import signal
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from local.apigw import LAYER_PATH, ROOT, decode_body, http_event, match_route
from local.functions_pool import FunctionPool
from local.services import Service, aws_env, free_port, mongo_service, moto_service, prepare_aws

API_GATEWAY_MAX_BODY = 10 * 1024 * 1024
WEB_DIST = ROOT / "web" / "dist"
ONBOARDING_PATH = "/local/payments/onboarding/"  # local.payment_provider's onboarding links
ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9_]{1,64}")


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 resets bursts of concurrent clients


def _local_secrets(data_dir: Path) -> dict[str, str]:
    """Development-only secrets, generated once per data folder (never the production ones)."""
    path = data_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {"JWT_SECRET": secrets.token_urlsafe(48), "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(24)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))
    return values


def _forget_cached_configuration() -> None:
    """Drop what the in-process layer cached from the environment (secrets such as MONGODB_URI and the
    MongoDB client), so the next use reads the environment of the runtime that is current now."""
    from smartgrocer import settings
    from smartgrocer.adapters.mongo import reset
    from smartgrocer.domain import ports

    settings.secret.cache_clear()
    reset()
    ports.reset()  # adapters built for the previous runtime (payment provider, event publisher)


class LocalRuntime:
    def __init__(
        self,
        port: int = 8000,
        data_dir: Path = ROOT / ".local",
        mongodb_uri: str | None = None,
        workers: int = 4,
        seed: bool = True,
        expiry_interval: float = 30.0,
        webhook_interval: float = 0.25,
        quiet: bool = False,
        extra_env: dict[str, str] | None = None,
    ):
        self.port, self.data_dir, self.mongodb_uri = port, Path(data_dir), mongodb_uri
        self.workers, self.seed, self.expiry_interval, self.quiet = workers, seed, expiry_interval, quiet
        self.extra_env = extra_env or {}
        self.webhook_interval = webhook_interval  # 0: no background delivery (POST /local/payments/deliver only)
        self.services: list[Service] = []
        self.mongo: Service | None = None
        self.pool: FunctionPool | None = None
        self.server: LocalHttpServer | None = None
        self.env: dict[str, str] = {}
        self._stopping = threading.Event()
        self._saved_environ: dict[str, str | None] = {}
        # The payment provider's webhooks: delivered with the runner's own client (never the process-wide
        # `db()`, which follows whichever runtime started last), one delivery at a time, oldest first.
        self._payments_client = None
        self._payments_db = None
        self._delivery_lock = threading.Lock()
        self._delivery_thread: threading.Thread | None = None
        self._webhooks_paused = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> LocalRuntime:
        if self.port == 0:
            self.port = free_port()
        uri = self.mongodb_uri
        if not uri:
            self.mongo = mongo_service(self.data_dir / "mongo").start()
            self.services.append(self.mongo)
            uri = f"mongodb://127.0.0.1:{self.mongo.port}/?directConnection=true"
            self.log(f"MongoDB (nx-27017) on 127.0.0.1:{self.mongo.port}, data in {self.data_dir / 'mongo'}")
        moto = moto_service(self.data_dir).start()
        self.services.append(moto)
        self.log(f"moto (S3, SES) on 127.0.0.1:{moto.port}")
        self.env = {
            **aws_env(moto.port),
            **_local_secrets(self.data_dir),
            "MONGODB_URI": uri,
            "MONGODB_DB": os.environ.get("MONGODB_DB", "smartgrocer"),
            "IMAGES_BUCKET": "smartgrocer-images",
            "IMAGES_BASE_URL": f"http://127.0.0.1:{moto.port}/smartgrocer-images",
            "MAIL_FROM": "no-reply@smartgrocer.test",
            "LOCAL_EVENTS_ENDPOINT": f"{self.base_url}/local/events",
            "PAYMENT_PROVIDER": "local",
            "LOCAL_PAYMENTS_WEBHOOK_URL": f"{self.base_url}/api/payments/webhook",
            "POWERTOOLS_SERVICE_NAME": "smartgrocer",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "POWERTOOLS_METRICS_NAMESPACE": "SmartGrocer",
            "POWERTOOLS_DEV": "false",
            **{
                k: v
                for k, v in os.environ.items()
                if k
                in {
                    "BCRYPT_ROUNDS",
                    "ORDER_PAYMENT_TTL_SECONDS",
                    "LOGIN_MAX_FAILURES",
                    "LOGIN_WINDOW_SECONDS",
                    "LOGIN_IP_MAX_FAILURES",
                }
            },
            **self.extra_env,
        }
        self._saved_environ = {key: os.environ.get(key) for key in self.env}
        os.environ.update(self.env)  # the runner itself seeds and plays the payment provider
        if str(LAYER_PATH) not in sys.path:
            sys.path.insert(0, str(LAYER_PATH))
        _forget_cached_configuration()  # a second runtime in one process must not reuse the first one's client
        prepare_aws(self.env)
        from smartgrocer.adapters.mongo import db
        from smartgrocer.indexes import apply_indexes

        apply_indexes(db())
        from local.payment_provider import apply_indexes as apply_provider_indexes

        apply_provider_indexes(db())
        from pymongo import MongoClient

        self._payments_client = MongoClient(
            uri, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000, socketTimeoutMS=10000, tz_aware=True
        )
        self._payments_db = self._payments_client[self.env["MONGODB_DB"]]
        if self.seed:
            from local.seed import print_demo_accounts, seed_demo_data

            seed_demo_data(self.log)
            print_demo_accounts(self.log)
        self.pool = FunctionPool(self.workers, self.env)
        self.server = LocalHttpServer(("127.0.0.1", self.port), _handler_for(self))
        threading.Thread(target=self.server.serve_forever, name="http", daemon=True).start()
        if self.expiry_interval > 0:
            threading.Thread(target=self._schedule_expiry, name="expiry", daemon=True).start()
        if self.webhook_interval > 0:
            self._delivery_thread = threading.Thread(target=self._deliver_webhooks, name="webhooks", daemon=True)
            self._delivery_thread.start()
        self.log(
            f"SmartGrocer is up: SPA {self.base_url}/   API {self.base_url}/api"
            + ("" if WEB_DIST.exists() else "   (web/dist missing: run `make web` to build the SPA)")
        )
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._delivery_thread:  # let a delivery in flight finish while the webhook route is still up
            self._delivery_thread.join(timeout=35)
        if self.server:
            self.server.shutdown()
            self.server.server_close()
        if self.pool:
            self.pool.close()
        if self._payments_client is not None:
            self._payments_client.close()
        for service in reversed(self.services):
            service.stop()
        for key, value in self._saved_environ.items():  # give the process its settings back
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _forget_cached_configuration()

    def _schedule_expiry(self) -> None:
        """The local stand-in for the EventBridge schedule that runs `orders_expire` (the reconciler)."""
        while not self._stopping.wait(self.expiry_interval):
            try:
                self.pool.invoke(
                    "orders_expire", {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
                )
            except Exception as exc:  # the next tick retries
                self.log(f"reconciler run failed: {exc}")

    def _deliver_webhooks(self) -> None:
        """Stripe's side of the local provider: deliver queued webhook events (a bounded batch per tick)."""
        from local.payments import deliver_pending

        last_error = None
        while not self._stopping.wait(self.webhook_interval):
            if self._webhooks_paused.is_set():
                continue
            try:
                with self._delivery_lock:
                    deliver_pending(self._payments_db, **self._webhook_target(), limit=20)
                last_error = None
            except Exception as exc:  # the database is down, say: the next tick retries
                if str(exc) != last_error:
                    self.log(f"webhook delivery failed: {exc}")
                last_error = str(exc)

    @contextlib.contextmanager
    def webhooks_paused(self):
        """No background delivery meanwhile (tests that deliver provider events themselves, in order)."""
        with self._delivery_lock:  # a delivery in flight finishes first
            self._webhooks_paused.set()
        try:
            yield
        finally:
            self._webhooks_paused.clear()

    def _webhook_target(self) -> dict[str, str]:
        return {"url": self.env["LOCAL_PAYMENTS_WEBHOOK_URL"], "secret": self.env["STRIPE_WEBHOOK_SECRET"]}

    # -- request handling ------------------------------------------------------------------------
    def invoke_api(
        self, method: str, raw_path: str, query: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str | list[str]], bytes]:
        route, params, path_exists = match_route(method, raw_path)
        if route is None:  # API Gateway answers unmatched routes itself
            return 404, {"content-type": "application/json"}, b'{"message":"Not Found"}'
        event = http_event(route, method, raw_path, params, query, headers, body, source_ip)
        try:
            response = self.pool.invoke(route.name, event)
        except TimeoutError:
            return 504, {"content-type": "application/json"}, b'{"message":"Endpoint request timed out"}'
        out_headers: dict[str, str | list[str]] = {
            k.lower(): str(v) for k, v in (response.get("headers") or {}).items()
        }
        for key, values in (response.get("multiValueHeaders") or {}).items():
            out_headers[key.lower()] = ", ".join(map(str, values))
        if response.get("cookies"):  # payload v2: each entry becomes its own Set-Cookie header, as API Gateway does
            out_headers["set-cookie"] = [str(c) for c in response["cookies"]]
        return int(response.get("statusCode", 200)), out_headers, decode_body(response)

    def handle_local(self, method: str, path: str, body: bytes) -> tuple[int, dict]:
        if path == "/local/events" and method == "POST":
            from smartgrocer.routes import BACKGROUND_FUNCTIONS

            event = json.loads(body or b"{}")
            event.setdefault("id", secrets.token_hex(8))
            for function in BACKGROUND_FUNCTIONS:
                if function.trigger == "events":
                    self.pool.invoke_async(function.name, event)
            return 202, {"accepted": True}
        if path == "/local/events/drain" and method == "POST":
            left = self.pool.drain()
            return (200 if left == 0 else 504), {"pending": left}
        if path == "/local/payments/confirm" and method == "POST":
            from local.payments import confirm_payment

            with self._delivery_lock:  # its event goes out now, not also from the background loop
                return confirm_payment(json.loads(body or b"{}"), self._payments_db, **self._webhook_target())
        if path == "/local/payments/deliver" and method == "POST":
            from local.payments import deliver_pending

            with self._delivery_lock:
                delivered, pending = deliver_pending(
                    self._payments_db, **self._webhook_target(), limit=1000, force=True
                )
            return 200, {"delivered": delivered, "pending": pending}
        if path == "/local/mail" and method == "GET":
            from local.mail import sent_messages

            return 200, {"messages": sent_messages(self.env["AWS_ENDPOINT_URL"])}
        return 404, {"error": {"code": "not_found", "message": "No such local endpoint."}}

    def handle_onboarding(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """`/local/payments/onboarding/<account>`: the stand-in for Stripe's hosted onboarding. GET shows
        the page, POST (its button) activates the account, delivers `account.updated` at once and
        sends the seller back (303) to `return_url`, which must be on this origin (never an open
        redirect). Local links do not expire, so `refresh_url` is never needed."""
        from local.payment_provider import activate_account, find_account
        from local.payments import deliver_event

        account_id = path.removeprefix(ONBOARDING_PATH)
        if not ACCOUNT_ID.fullmatch(account_id):
            return _page(404, "No such account", "<p>This onboarding link names no account.</p>")
        if method not in {"GET", "HEAD", "POST"}:
            status, headers_out, page = _page(405, "Method not allowed", "<p>Use the onboarding page.</p>")
            return status, {**headers_out, "allow": "GET, HEAD, POST"}, page
        params = parse_qs(query)
        if method == "POST":  # the form's fields come first, the link's query second
            params = {**params, **parse_qs(body.decode("utf-8", "replace"))}
        own = {self.base_url, f"http://{headers.get('host', '')}".lower()}
        raw_return = (params.get("return_url") or ["/"])[0]
        return_url = _same_origin(raw_return, own)
        if return_url is None:
            return _page(400, "Return address refused", "<p>The return address is not on this site.</p>")
        account = find_account(account_id, self._payments_db)
        if account is None:
            return _page(404, "No such account", f"<p>There is no account {html.escape(account_id)}.</p>")
        if method == "POST":
            origin = headers.get("origin")
            if origin is not None and origin.lower() not in own:  # a form posted from another site (or `null`)
                return _page(403, "Refused", "<p>Activate payouts from the onboarding page itself.</p>")
            with self._delivery_lock:  # its event goes out now, not also from the background loop
                event = activate_account(account_id, self._payments_db)
                deliver_event(event["id"], self._payments_db, **self._webhook_target())
            return 303, {"location": return_url, "cache-control": "no-store"}, b""
        return _page(200, "SmartGrocer test payouts onboarding", _onboarding_form(account, path, return_url))


def _same_origin(url: str, origins: set[str]) -> str | None:
    """`url` when it stays on this origin: a path (`/...`, not `//host`) or an absolute http(s) URL of
    one of `origins`; None for anything else."""
    if not url or any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return url if url.startswith("/") and not url.startswith("//") else None
    if parts.scheme in {"http", "https"} and f"{parts.scheme}://{parts.netloc}".lower() in origins:
        return url
    return None


def _onboarding_form(account: dict, path: str, return_url: str) -> str:
    account_id, back = html.escape(account["id"]), html.escape(return_url)
    if account["charges_enabled"] and account["payouts_enabled"] and account["details_submitted"]:
        action = f"<p>Payouts are <strong>active</strong> for this account.</p><p><a href='{back}'>Continue</a></p>"
    else:
        action = (
            f"<form method='post' action='{html.escape(path)}'>"
            f"<input type='hidden' name='return_url' value='{back}'>"
            "<button type='submit'>Activate payouts</button></form>"
            f"<p><a href='{back}'>Back without activating</a></p>"
        )
    return (
        "<p>This stands in for Stripe's hosted onboarding: no details are asked for and no money is real."
        f"</p><p>Account <code>{account_id}</code>"
        f"{' for ' + html.escape(account['email']) if account.get('email') else ''}</p>{action}"
    )


def _page(status: int, title: str, content: str) -> tuple[int, dict[str, str], bytes]:
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;"
        "margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.6rem 1.2rem;"
        "border-radius:.4rem;border:0;background:#15803d;color:#fff;cursor:pointer}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{content}</body></html>"
    )
    headers = {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
    }
    return status, headers, page.encode()


def _handler_for(runtime: LocalRuntime):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SmartGrocerLocal"
        disable_nagle_algorithm = True  # headers and body go out as separate writes on kept-alive connections

        def log_message(self, fmt, *args):
            if os.environ.get("LOCAL_ACCESS_LOG"):
                super().log_message(fmt, *args)

        def _send(self, status: int, headers: Mapping[str, str | list[str]], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key not in {"content-length", "connection", "transfer-encoding"}:
                    for one in value if isinstance(value, list) else [value]:
                        self.send_header(key, one)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, payload: dict) -> None:
            self._send(status, {"content-type": "application/json"}, json.dumps(payload, default=str).encode())

        def _read_body(self) -> bytes | None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > API_GATEWAY_MAX_BODY:
                self.close_connection = True
                self._json(413, {"message": "Request Entity Too Large"})
                return None
            return self.rfile.read(length) if length else b""

        def _dispatch(self) -> None:
            url = urlsplit(self.path)
            try:
                if url.path == "/api" or url.path.startswith("/api/"):
                    body = self._read_body()
                    if body is None:
                        return
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    status, out_headers, out_body = runtime.invoke_api(
                        self.command, url.path, url.query, headers, body, self.client_address[0]
                    )
                    self._send(status, out_headers, out_body)
                elif url.path.startswith(ONBOARDING_PATH):
                    body = self._read_body()
                    if body is None:
                        return
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    self._send(*runtime.handle_onboarding(self.command, url.path, url.query, headers, body))
                elif url.path.startswith("/local/"):
                    body = self._read_body()
                    if body is None:
                        return
                    status, payload = runtime.handle_local(self.command, url.path, body)
                    self._json(status, payload)
                elif self.command in {"GET", "HEAD"}:
                    self._static(url.path)
                else:
                    self._json(405, {"message": "Method Not Allowed"})
            except (BrokenPipeError, ConnectionResetError):
                pass
            except Exception as exc:  # the runner stays up whatever one request does
                self._json(502, {"message": f"local runner error: {exc.__class__.__name__}"})

        def _static(self, path: str) -> None:
            target = (WEB_DIST / path.lstrip("/")).resolve()
            if not str(target).startswith(str(WEB_DIST.resolve())) or not target.is_file():
                target = WEB_DIST / "index.html"  # client-side routes, like the CloudFront function
            if not target.is_file():
                self._send(
                    200,
                    {"content-type": "text/html"},
                    b"<!doctype html><title>SmartGrocer</title><p>The SPA is not built yet: run "
                    b"<code>make web</code>. The API is at <a href='/api/health'>/api</a>.</p>",
                )
                return
            content_type = mimetypes.guess_type(str(target))[0] or "application/octet-stream"
            cache = "no-cache" if target.name == "index.html" else "public, max-age=31536000, immutable"
            self._send(200, {"content-type": content_type, "cache-control": cache}, target.read_bytes())

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

        def __getattr__(self, name: str):
            # Any other method (TRACE, CONNECT, PROPFIND...) gets the same routing as API Gateway and
            # CloudFront (404/405 JSON), not http.server's HTML 501 page.
            if name.startswith("do_"):
                return self._dispatch
            raise AttributeError(name)

    return Handler


def main() -> None:
    runtime = LocalRuntime(
        port=int(os.environ.get("PORT", "8000")),
        data_dir=Path(os.environ.get("SMARTGROCER_DATA_DIR", ROOT / ".local")),
        mongodb_uri=os.environ.get("MONGODB_URI") or None,
        workers=int(os.environ.get("LOCAL_WORKERS", "4")),
    )
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        runtime.start()
        while not stop.wait(1):
            pass
    finally:
        print("\nStopping SmartGrocer...", flush=True)
        runtime.stop()


if __name__ == "__main__":
    main()
