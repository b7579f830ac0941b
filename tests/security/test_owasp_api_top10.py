"""OWASP API Security Top 10 (2023), one class per risk, each with concrete attacks on the running
local runner (the session `runtime`): what an attacker sends, and what must (and must not) happen.

Route-driven classes (API1, API5, API9) read `smartgrocer.routes.ROUTES`, so a new route is attacked
(or fails the coverage assertions) without anyone editing this file.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest

from smartgrocer.routes import ADMIN, ANY_USER, BACKGROUND_FUNCTIONS, FUNCTION_NAMES, ROUTES, Throttle
from tests.security.helpers import (
    ADDRESS,
    CAPTURED,
    INTERNAL_KEYS,
    as_ordered,
    authorise,
    checkout,
    checkout_body,
    deliver,
    payment_intent_event,
    signed_headers,
    walk_keys,
    walk_strings,
)
from tests.support import (
    ApiClient,
    loopback_alias_works,
    refresh_cookie_of,
    session_from,
    session_headers,
    set_cookies,
)

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("shopper", "seller", "admin")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
}
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "line ",
    "pymongo",
    "bson",
    "KeyError",
    "ValueError",
    "TypeError",
    "AttributeError",
    "RecursionError",
    "ValidationError",
    "Exception",
    "/work/",
    "site-packages",
    "lambda_handler",
    "stack",
)


def _within_one_login_window(runtime, attack, ips: tuple[str, str]):
    """Run `attack(client)` from a fresh source address until one run starts and ends inside one login
    window (counters restart at each boundary, so a straddling burst proves nothing); a straddle is
    rerun once from the second address, which a run far shorter than the window cannot straddle again."""
    window = int(runtime.env.get("LOGIN_WINDOW_SECONDS", 300))
    for ip in ips:
        if not loopback_alias_works(ip):
            pytest.skip("needs a second loopback address")
        client = ApiClient(runtime.base_url)
        client.session = session_from(ip)
        started = time.time() // window
        result = attack(client)
        if time.time() // window == started:
            return result
    pytest.fail("two runs in a row straddled a login window boundary")


def error_of(response, status: int, code: str | None = None) -> dict:
    """The one error shape, with the given status (and code)."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:400]}"
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_with_empty_key(sub: str, now: int) -> str:
    """The `kid` path-traversal trick: point the key id at /dev/null and sign with the empty key."""
    import hashlib
    import hmac

    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "../../../../dev/null"}).encode())
    claims = _b64(
        json.dumps(
            {"sub": sub, "typ": "access", "iat": now, "exp": now + 600, "iss": "smartgrocer", "aud": "smartgrocer-api"}
        ).encode()
    )
    signature = hmac.new(b"", f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{_b64(signature)}"


def _is_cacheable_catalog_read(response) -> bool:
    """A GET on a public route the table marks as cacheable (`cache_seconds`), e.g. the catalog."""
    import re

    path = response.request.path_url.split("?")[0]
    for route in ROUTES:
        pattern = "^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(route.path)) + "$"
        if route.method == "GET" and re.match(pattern, path) and getattr(route, "cache_seconds", 0):
            return route.is_public
    return False


def fill_path(path: str, value: str = "0123456789abcdef01234567") -> str:
    return path.replace("{id}", value)


@pytest.fixture
def world(api: ApiClient, shopper, seller, other_seller, admin, unique_email):
    """A seller with a product, a shopper with a pending order for it, and bystanders."""
    product = api.create_product(seller, name=f"Heirloom Carrots {uuid.uuid4().hex[:6]}", stock=20, price="1.25")
    placed = checkout(api, shopper, (product["id"], 2))
    assert placed.status_code == 201, placed.text
    intruder = api.signup(unique_email("intruder"))
    return {
        "product": product,
        "checkout": placed.json(),
        "order": placed.json()["orders"][0],
        "shopper": shopper,
        "seller": seller,
        "other_seller": other_seller,
        "admin": admin,
        "intruder": intruder,
    }


# -------------------------------------------------------------------------------------------------
class TestAPI1BrokenObjectLevelAuthorization:
    """Foreign ids answer 404 (never 403: existence is not revealed) with no foreign data in the body,
    exactly like ids that do not exist, and nothing changes."""

    ATTACKS = {  # route name -> test below that attacks it
        "products_get": "test_products_get_hides_inactive_products",
        "products_update": "test_products_update_foreign",
        "products_delete": "test_products_delete_foreign",
        "products_image_upload": "test_products_image_upload_foreign",
        "seller_product": "test_seller_product_foreign",
        "orders_get": "test_orders_get_foreign",
        "orders_update_status": "test_orders_update_status_foreign",
        "orders_pack": "test_orders_pack_foreign",
        "orders_refund": "test_orders_refund_foreign",
        "checkouts_get": "test_checkouts_get_foreign",
        "admin_users_update": "test_admin_users_update_is_admin_only_without_existence_oracle",
        "admin_sellers_update": "test_admin_sellers_update_is_admin_only_without_existence_oracle",
        "admin_users_audit": "test_admin_users_audit_is_admin_only_without_existence_oracle",
        "sellers_slots": "test_sellers_slots_reveal_only_sellers_who_sell_with_windows",
        "me_addresses_update": "test_saved_addresses_are_their_owners_only",
        "me_addresses_delete": "test_saved_addresses_are_their_owners_only",
        "me_addresses_default": "test_saved_addresses_are_their_owners_only",
        "sellers_get": "test_sellers_get_reveals_only_sellers_who_sell",
    }

    def test_every_id_route_is_attacked(self):
        id_routes = {r.name for r in ROUTES if "{" in r.path}
        assert id_routes == set(self.ATTACKS), "a route with an {id} needs a BOLA attack here"
        for name in self.ATTACKS.values():
            assert callable(getattr(self, name))

    @staticmethod
    def _same_as_missing(api, method, path, account, foreign_id, **kwargs):
        foreign = api.request(method, fill_path(path, foreign_id), account, **kwargs)
        missing = api.request(method, fill_path(path, uuid.uuid4().hex[:24]), account, **kwargs)
        error = error_of(foreign, 404, "not_found")
        assert foreign.json() == missing.json(), "a foreign id must look exactly like a missing one"
        assert foreign_id not in foreign.text
        return error

    def test_products_get_hides_inactive_products(self, api, world):
        product, seller = world["product"], world["seller"]
        assert api.delete(f"/api/products/{product['id']}", seller).status_code == 204
        for who in (None, world["shopper"], world["other_seller"]):
            self._same_as_missing(api, "GET", "/api/products/{id}", who, product["id"])

    def test_products_update_foreign(self, api, world):
        product = world["product"]
        self._same_as_missing(
            api,
            "PUT",
            "/api/products/{id}",
            world["other_seller"],
            product["id"],
            json={"name": "Pwned", "price": "0.01", "stock": 0},
        )
        after = api.get(f"/api/products/{product['id']}").json()
        assert (after["name"], after["price"], after["stock"]) == (product["name"], "1.25", product["stock"] - 2)

    def test_products_delete_foreign(self, api, world):
        product = world["product"]
        self._same_as_missing(api, "DELETE", "/api/products/{id}", world["other_seller"], product["id"])
        assert api.get(f"/api/products/{product['id']}").status_code == 200

    def test_products_image_upload_foreign(self, api, world):
        error = self._same_as_missing(
            api,
            "POST",
            "/api/products/{id}/images",
            world["other_seller"],
            world["product"]["id"],
            json={"content_type": "image/png", "size": 1000},
        )
        assert "upload" not in error

    def test_seller_product_foreign(self, api, world):
        product = world["product"]
        self._same_as_missing(api, "GET", "/api/seller/products/{id}", world["other_seller"], product["id"])
        error_of(api.get(f"/api/seller/products/{product['id']}", world["intruder"]), 403, "wrong_role")
        assert api.get(f"/api/seller/products/{product['id']}", world["seller"]).json()["id"] == product["id"]

    def test_orders_get_foreign(self, api, world):
        order = world["order"]
        for who in (world["intruder"], world["other_seller"]):
            self._same_as_missing(api, "GET", "/api/orders/{id}", who, order["id"])
            response = api.get(f"/api/orders/{order['id']}", who)
            assert ADDRESS["line1"] not in response.text and order["total"] not in response.text
        # the legitimate parties do see it; its seller only once the card is authorised
        for who in (world["shopper"], world["admin"]):
            assert api.get(f"/api/orders/{order['id']}", who).json()["id"] == order["id"]
        self._same_as_missing(api, "GET", "/api/orders/{id}", world["seller"], order["id"])

    def test_checkouts_get_foreign(self, api, world):
        checkout_id = world["checkout"]["checkout_id"]
        for who in (world["intruder"], world["seller"], world["other_seller"], world["admin"]):
            self._same_as_missing(api, "GET", "/api/checkouts/{id}", who, checkout_id)
        own = api.get(f"/api/checkouts/{checkout_id}", world["shopper"]).json()
        assert own["checkout_id"] == checkout_id and own["payment"]["client_secret"]

    def test_saved_addresses_are_their_owners_only(self, api, world):
        address = {"full_name": "Ada", "line1": "1 Elm St", "city": "Town", "postal_code": "10115", "country": "DE"}
        saved = api.post("/api/me/addresses", world["shopper"], json=address)
        assert saved.status_code == 201, saved.text
        entry = saved.json()
        for who in (world["intruder"], world["seller"], world["admin"]):
            self._same_as_missing(
                api,
                "PUT",
                "/api/me/addresses/{id}",
                who,
                entry["id"],
                json={**address, "line1": "Pwned"},
                headers={"If-Match": entry["etag"]},
            )
            self._same_as_missing(api, "DELETE", "/api/me/addresses/{id}", who, entry["id"])
            self._same_as_missing(api, "POST", "/api/me/addresses/{id}/default", who, entry["id"])
            assert api.get("/api/me/addresses", who).json()["items"] == []
        assert api.get("/api/me/addresses", world["shopper"]).json()["items"] == [entry]

    def test_orders_update_status_foreign(self, api, world):
        order = world["order"]
        self._same_as_missing(
            api, "PATCH", "/api/orders/{id}/status", world["intruder"], order["id"], json={"status": "cancelled"}
        )
        self._same_as_missing(
            api, "PATCH", "/api/orders/{id}/status", world["other_seller"], order["id"], json={"status": "cancelled"}
        )
        current = api.get(f"/api/orders/{order['id']}", world["shopper"]).json()
        assert current["status"] == "pending_payment"
        assert api.get(f"/api/products/{world['product']['id']}").json()["stock"] == 18  # still reserved

    def test_orders_refund_foreign(self, api, world):
        order = world["order"]
        body = {"amount": "0.50", "reason": "bruised"}
        authorise(api, world["checkout"]["payment"]["client_secret"])
        self._same_as_missing(api, "POST", "/api/orders/{id}/refunds", world["other_seller"], order["id"], json=body)
        # Shoppers never refund: the role answers first, the same for a real and a made-up id.
        real = api.post(f"/api/orders/{order['id']}/refunds", world["intruder"], json=body)
        fake = api.post(f"/api/orders/{uuid.uuid4().hex[:24]}/refunds", world["intruder"], json=body)
        assert error_of(real, 403, "wrong_role") == error_of(fake, 403, "wrong_role")
        current = api.get(f"/api/orders/{order['id']}", world["shopper"]).json()
        assert (current["status"], current["payment_status"], current["refunded"]) == (
            "confirmed",
            "authorized",
            "0.00",
        )

    def test_orders_pack_foreign(self, api, world):
        from smartgrocer.adapters.mongo import db

        order, product = world["order"], world["product"]
        body = as_ordered(order)
        # Awaiting payment, the order is nobody's to pack: not even its seller's (it does not see it yet).
        self._same_as_missing(api, "POST", "/api/orders/{id}/pack", world["seller"], order["id"], json=body)
        authorise(api, world["checkout"]["payment"]["client_secret"])
        self._same_as_missing(api, "POST", "/api/orders/{id}/pack", world["other_seller"], order["id"], json=body)
        # Shoppers never pack: the role answers first, the same for a real and a made-up id.
        real = api.post(f"/api/orders/{order['id']}/pack", world["intruder"], json=body)
        fake = api.post(f"/api/orders/{uuid.uuid4().hex[:24]}/pack", world["intruder"], json=body)
        assert error_of(real, 403, "wrong_role") == error_of(fake, 403, "wrong_role")
        error_of(api.post(f"/api/orders/{order['id']}/pack", world["shopper"], json=body), 403, "wrong_role")
        current = api.get(f"/api/orders/{order['id']}", world["shopper"]).json()
        assert (current["status"], current["payment_status"]) == ("confirmed", "authorized")
        intent = db().local_payment_intents.find_one({"metadata.checkout_id": world["checkout"]["checkout_id"]})
        assert (intent["status"], intent["amount_received"]) == ("requires_capture", 0)
        # its own seller can
        packed = api.post(f"/api/orders/{order['id']}/pack", world["seller"], json=body)
        assert packed.status_code == 200 and packed.json()["status"] == "packed", packed.text
        assert api.get(f"/api/products/{product['id']}").json()["stock"] == 18

    def test_a_seller_who_bought_an_order_cannot_pack_it(self, api, world, unique_email):
        buyer = api.signup(unique_email("buying-seller"), is_seller=True)
        placed = checkout(api, buyer, (world["product"]["id"], 1)).json()
        authorise(api, placed["payment"]["client_secret"])
        order = placed["orders"][0]
        error_of(api.post(f"/api/orders/{order['id']}/pack", buyer, json=as_ordered(order)), 403, "forbidden")
        assert api.get(f"/api/orders/{order['id']}", buyer).json()["status"] == "confirmed"

    def test_admin_users_update_is_admin_only_without_existence_oracle(self, api, world):
        victim = world["shopper"]
        for who in (world["intruder"], world["seller"]):
            body = {"is_active": False, "reason": "Takeover attempt"}
            real = api.patch(f"/api/admin/users/{victim.user_id}", who, json=body)
            fake = api.patch(f"/api/admin/users/{uuid.uuid4().hex[:24]}", who, json=body)
            assert error_of(real, 403, "wrong_role") == error_of(fake, 403, "wrong_role")
        assert api.get("/api/auth/me", victim).json()["is_active"] is True

    def test_admin_users_audit_is_admin_only_without_existence_oracle(self, api, world):
        victim = world["shopper"]
        for who in (world["intruder"], world["seller"], victim):
            real = api.get(f"/api/admin/users/{victim.user_id}/audit", who)
            fake = api.get(f"/api/admin/users/{uuid.uuid4().hex[:24]}/audit", who)
            assert error_of(real, 403, "wrong_role") == error_of(fake, 403, "wrong_role")

    def test_admin_sellers_update_is_admin_only_without_existence_oracle(self, api, world):
        from smartgrocer.adapters.mongo import db

        victim = world["other_seller"]
        for who in (world["intruder"], world["seller"], victim):
            real = api.patch(f"/api/admin/sellers/{victim.user_id}", who, json={"commission_bps": 0})
            fake = api.patch(f"/api/admin/sellers/{uuid.uuid4().hex[:24]}", who, json={"commission_bps": 0})
            assert error_of(real, 403, "wrong_role") == error_of(fake, 403, "wrong_role")
        assert db().sellers.find_one({"_id": victim.user_id}).get("commission_bps") is None
        # an admin: a user who is not a seller is as missing as one who does not exist
        real = api.patch(f"/api/admin/sellers/{world['shopper'].user_id}", world["admin"], json={"commission_bps": 0})
        fake = api.patch(f"/api/admin/sellers/{uuid.uuid4().hex[:24]}", world["admin"], json={"commission_bps": 0})
        assert error_of(real, 404, "not_found") == error_of(fake, 404, "not_found")

    def test_sellers_get_reveals_only_sellers_who_sell(self, api, world):
        """Public: a shopper, an admin and a seller who cannot be paid yet answer as an id that does not
        exist, whoever asks; their about text does not leak."""
        unpaid = api.signup(f"unpaid-{uuid.uuid4().hex[:8]}@example.com", is_seller=True, payouts=False)
        assert api.put("/api/seller/profile", unpaid, json={"about": "Secret plans"}).status_code == 200
        expected = error_of(api.get(f"/api/sellers/{uuid.uuid4().hex[:24]}"), 404, "no_such_seller")
        for target in (world["shopper"], world["admin"], unpaid):
            for who in (None, world["intruder"], world["other_seller"], unpaid):
                response = api.get(f"/api/sellers/{target.user_id}", who)
                assert error_of(response, 404, "no_such_seller") == expected
                assert target.user_id not in response.text and "Secret plans" not in response.text
        assert api.get(f"/api/sellers/{world['seller'].user_id}").status_code == 200

    def test_sellers_slots_reveal_only_sellers_who_sell_with_windows(self, api, world):
        """Public: a user who is not a seller, a seller who cannot be paid yet and a seller without windows
        all answer as an id that does not exist, whoever asks; no settings of theirs leak."""
        settings = {
            "timezone": "UTC",
            "delivery": {"enabled": False},
            "pickup": {
                "enabled": True,
                "address": "Secret Depot 9",
                "slots": [{"weekday": d, "start": "10:00", "end": "11:00", "capacity": 3} for d in range(7)],
            },
        }
        unpaid = api.signup(f"unpaid-{uuid.uuid4().hex[:8]}@example.com", is_seller=True, payouts=False)
        assert api.put("/api/seller/fulfilment", unpaid, json=settings).status_code == 200
        missing = api.get(f"/api/sellers/{uuid.uuid4().hex[:24]}/slots")
        expected = error_of(missing, 404, "no_such_seller")
        for target in (world["shopper"], world["admin"], unpaid, world["seller"]):
            for who in (None, world["intruder"], world["other_seller"]):
                response = api.get(f"/api/sellers/{target.user_id}/slots", who)
                assert error_of(response, 404, "no_such_seller") == expected
                assert target.user_id not in response.text and "Secret Depot" not in response.text
        assert api.put("/api/seller/fulfilment", world["seller"], json=settings).status_code == 200
        assert "Secret Depot 9" in api.get(f"/api/sellers/{world['seller'].user_id}/slots").text  # once it sells

    def test_listings_are_scoped_to_the_caller(self, api, world):
        order_id = world["order"]["id"]
        assert order_id not in api.get("/api/orders/my-orders", world["intruder"]).text
        assert order_id not in api.get("/api/seller/orders", world["other_seller"]).text
        assert order_id in api.get("/api/orders/my-orders", world["shopper"]).text
        assert order_id not in api.get("/api/seller/orders", world["seller"]).text  # not authorised yet
        analytics = api.get("/api/seller/analytics", world["other_seller"]).json()
        assert world["product"]["id"] not in json.dumps(analytics)


# -------------------------------------------------------------------------------------------------
class TestAPI2BrokenAuthentication:
    @pytest.fixture
    def forge(self, runtime, shopper):
        secret = runtime.env["JWT_SECRET"]

        def make(*, key=secret, alg="HS256", drop=(), headers=None, **overrides):
            now = int(time.time())
            claims = {
                "sub": shopper.user_id,
                "role": "shopper",
                "typ": "access",
                "iat": now,
                "exp": now + 600,
                "iss": "smartgrocer",
                "aud": "smartgrocer-api",
                **overrides,
            }
            for name in drop:
                claims.pop(name)
            return jwt.encode(claims, key, algorithm=alg, headers=headers)

        return make

    @staticmethod
    def _me(api, token: str):
        return api.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})

    def test_forging_harness_is_sound(self, api, forge, shopper):
        # A correctly signed token works: every rejection below is the attack's doing, not the harness's.
        assert self._me(api, forge()).json()["id"] == shopper.user_id

    @pytest.mark.parametrize(
        "attack",
        [
            "alg_none",
            "wrong_key",
            "hs512",
            "expired",
            "not_yet_valid_iat",
            "wrong_issuer",
            "wrong_audience",
            "refresh_typ",
            "no_typ",
            "unknown_sub",
            "missing_exp",
            "missing_iat",
            "missing_iss",
            "missing_aud",
            "missing_sub",
            "kid_injection",
        ],
    )
    def test_forged_access_tokens_are_refused(self, api, forge, shopper, attack):
        now = int(time.time())
        token = {
            "alg_none": lambda: jwt.encode(
                {
                    "sub": shopper.user_id,
                    "typ": "access",
                    "iat": now,
                    "exp": now + 600,
                    "iss": "smartgrocer",
                    "aud": "smartgrocer-api",
                },
                None,
                algorithm="none",
            ),
            "wrong_key": lambda: forge(key="not-the-key-" + "x" * 40),
            "hs512": lambda: forge(alg="HS512"),
            "expired": lambda: forge(iat=now - 3600, exp=now - 60),
            "not_yet_valid_iat": lambda: forge(iat=now + 3600, exp=now + 7200),
            "wrong_issuer": lambda: forge(iss="evil"),
            "wrong_audience": lambda: forge(aud="other-api"),
            "refresh_typ": lambda: forge(typ="refresh"),
            "no_typ": lambda: forge(drop=("typ",)),
            "unknown_sub": lambda: forge(sub=uuid.uuid4().hex[:24]),
            "missing_exp": lambda: forge(drop=("exp",)),
            "missing_iat": lambda: forge(drop=("iat",)),
            "missing_iss": lambda: forge(drop=("iss",)),
            "missing_aud": lambda: forge(drop=("aud",)),
            "missing_sub": lambda: forge(drop=("sub",)),
            "kid_injection": lambda: _hs256_with_empty_key(shopper.user_id, now),
        }[attack]()
        error = error_of(self._me(api, token), 401)
        assert error["code"] in {"invalid_token", "inactive_account"}
        assert shopper.email not in json.dumps(error)

    def test_role_claims_grant_nothing(self, api, forge):
        # Even a validly signed token that says "admin" is only as strong as the account in the database.
        error_of(
            api.get("/api/admin/users", headers={"Authorization": f"Bearer {forge(role='admin')}"}), 403, "wrong_role"
        )

    @pytest.mark.parametrize(
        "header",
        [
            "",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "Token abc.def.ghi",
            "Bearer not.a.jwt",
            "Bearer " + "a" * 5000,
        ],
    )
    def test_malformed_authorization_headers(self, api, header):
        error = error_of(api.get("/api/auth/me", headers={"Authorization": header}), 401)
        assert error["code"] in {"missing_token", "invalid_token"}

    def test_refresh_token_is_not_an_access_token_and_vice_versa(self, api, shopper):
        error_of(
            api.get("/api/auth/me", headers={"Authorization": f"Bearer {shopper.refresh_token}"}), 401, "invalid_token"
        )
        error_of(api.refresh(shopper.access_token), 401, "invalid_refresh_token")

    def test_refresh_token_never_reaches_script(self, api, unique_email):
        # Only in an HttpOnly, Secure, SameSite=Strict cookie scoped to /api/auth: never in a JSON body.
        email = unique_email("js")
        signup = api.post("/api/auth/signup", json={"email": email, "password": "correct-horse-1", "full_name": "JS"})
        for response in (signup, api.login(email, "correct-horse-1"), api.refresh(refresh_cookie_of(signup))):
            token = refresh_cookie_of(response)
            assert token and token not in response.text and "refresh_token" not in response.json()
            (line,) = set_cookies(response)
            attributes = {a.strip().split("=")[0] for a in line.split(";")[1:]}
            assert attributes == {"HttpOnly", "Secure", "SameSite", "Path", "Max-Age"}, line
            assert "SameSite=Strict" in line and "; Path=/api/auth;" in line

    def test_refresh_reuse_revokes_the_whole_family(self, api, shopper):
        first = api.refresh(shopper.refresh_token)
        assert first.status_code == 200
        second = refresh_cookie_of(first)
        assert second and second != shopper.refresh_token
        rotated = refresh_cookie_of(api.refresh(second))  # the legitimate client goes on
        # The old token comes back (stolen copy): refused, and the legitimate new one dies with it.
        error_of(api.refresh(shopper.refresh_token), 401, "invalid_refresh_token")
        error_of(api.refresh(rotated), 401, "invalid_refresh_token")
        # A fresh login starts a new, working family.
        relogged = refresh_cookie_of(api.login(shopper.email, shopper.password))
        assert api.refresh(relogged).status_code == 200

    def test_logout_ends_the_cookies_session_only(self, api, shopper, seller):
        # Logout acts on the session cookie it is sent with: a bearer token alone ends nothing.
        error_of(api.post("/api/auth/logout", seller, headers=session_headers(None, csrf=False)), 403, "csrf_failed")
        error_of(api.post("/api/auth/logout", seller, headers=session_headers(None)), 401, "missing_refresh_token")
        assert api.refresh(shopper.refresh_token).status_code == 200
        fresh = refresh_cookie_of(api.login(seller.email, seller.password))
        assert api.logout(fresh).status_code == 204
        error_of(api.refresh(fresh), 401, "invalid_refresh_token")

    @pytest.mark.parametrize("route", [r for r in ROUTES if r.session_cookie], ids=lambda r: r.name)
    @pytest.mark.parametrize(
        "attack",
        [
            {},  # a cross-site form post: no custom header possible
            {"X-SmartGrocer-CSRF": "1", "Sec-Fetch-Site": "cross-site"},
            {"X-SmartGrocer-CSRF": "1", "Origin": "https://attacker.example"},
        ],
        ids=["form-post", "cross-site-fetch", "foreign-origin"],
    )
    def test_cookie_routes_refuse_cross_site_requests(self, api, shopper, route, attack):
        headers = {"Cookie": session_headers(shopper.refresh_token)["Cookie"], **attack}
        response = api.request(route.method, route.path, headers=headers)
        error_of(response, 403, "csrf_failed")
        assert set_cookies(response) == []
        assert api.refresh(shopper.refresh_token).status_code == 200  # the session is untouched

    def test_deactivated_accounts_lose_access_and_refresh_at_once(self, api, admin, shopper):
        body = {"is_active": False, "reason": "Security test"}
        assert api.patch(f"/api/admin/users/{shopper.user_id}", admin, json=body).status_code == 200
        error_of(api.get("/api/auth/me", shopper), 401, "inactive_account")
        error_of(api.refresh(shopper.refresh_token), 401)
        # Only the right password learns the account is deactivated; a wrong one hears the generic answer.
        error_of(api.login(shopper.email, shopper.password), 403, "account_deactivated")
        error_of(api.login(shopper.email, "wrong-password-1"), 401, "invalid_credentials")

    def test_passwords_over_72_bytes_are_refused_not_truncated(self, api, unique_email):
        email = unique_email("long")
        password = "é" * 37  # 74 bytes: bcrypt would silently use only the first 72
        error_of(api.post("/api/auth/signup", json={"email": email, "password": password, "full_name": "L"}), 422)
        error_of(api.login(email, password), 401, "invalid_credentials")

    def test_password_reset_does_not_reveal_which_emails_exist(self, api, shopper, unique_email):
        known = api.post("/api/auth/password-reset", json={"email": shopper.email})
        unknown = api.post("/api/auth/password-reset", json={"email": unique_email("nobody")})
        assert known.status_code == unknown.status_code == 202
        assert known.content == unknown.content

    def test_a_reset_token_is_not_a_bearer_token_and_guesses_are_refused(self, api, shopper):
        for guess in ("A" * 43, shopper.refresh_token):
            body = {"token": guess, "new_password": "hijacked-pass-1"}
            error_of(api.post("/api/auth/password-reset/confirm", json=body), 400, "reset_token_invalid")
        assert api.login(shopper.email, shopper.password).status_code == 200

    def test_login_does_not_reveal_which_emails_exist(self, api, shopper, unique_email):
        known = api.login(shopper.email, "wrong-password-1")
        unknown = api.login(unique_email("nobody"), "wrong-password-1")
        assert error_of(known, 401) == error_of(unknown, 401)


# -------------------------------------------------------------------------------------------------
class TestAPI3BrokenObjectPropertyLevelAuthorization:
    @pytest.mark.parametrize(
        "extra",
        [
            {"role": "admin"},
            {"is_admin": True},
            {"role": "seller"},
            {"is_active": False},
            {"password_hash": "$2b$04$x"},
            {"id": "a" * 24},
        ],
    )
    def test_signup_mass_assignment(self, api, unique_email, extra):
        from smartgrocer.adapters.mongo import db

        email = unique_email("mass")
        body = {"email": email, "password": "correct-horse-1", "full_name": "Mass Assign", **extra}
        error = error_of(api.post("/api/auth/signup", json=body), 422, "validation_error")
        assert any(d["loc"][-1] == next(iter(extra)) for d in error["details"])
        assert db().users.find_one({"email": email}) is None

    @pytest.mark.parametrize(
        "extra",
        [
            {"seller_id": "OTHER"},
            {"is_active": False},
            {"currency": "eur"},
            {"price_cents": 1},
            {"id": "f" * 24},
            {"created_at": "2000-01-01T00:00:00Z"},
            {"reservations": {"x": 1}},
            {"seller_name": "Someone Else"},
        ],
    )
    def test_product_create_mass_assignment(self, api, seller, other_seller, extra):
        from smartgrocer.adapters.mongo import db

        name = f"Mass Assigned {uuid.uuid4().hex[:8]}"
        extra = {k: (other_seller.user_id if v == "OTHER" else v) for k, v in extra.items()}
        body = {"name": name, "price": "1.00", "category": "pantry", "stock": 5, **extra}
        error_of(api.post("/api/products", seller, json=body), 422, "validation_error")
        assert db().products.count_documents({"name": name}) == 0

    @pytest.mark.parametrize(
        "extra",
        [
            {"seller_id": "OTHER"},
            {"is_active": True},
            {"currency": "eur"},
            {"price_cents": 1},
            {"stock": 5, "reservations": {"x": 1}},
            {"name": None},
            {"price": None},
        ],
    )
    def test_product_update_mass_assignment(self, api, seller, other_seller, extra):
        product = api.create_product(seller, stock=7)
        extra = {k: (other_seller.user_id if v == "OTHER" else v) for k, v in extra.items()}
        error_of(api.put(f"/api/products/{product['id']}", seller, json=extra), 422, "validation_error")
        after = api.get(f"/api/products/{product['id']}").json()
        assert {k: after[k] for k in ("seller_id", "currency", "price", "stock", "name", "updated_at")} == {
            k: product[k] for k in ("seller_id", "currency", "price", "stock", "name", "updated_at")
        }

    @pytest.mark.parametrize(
        "where, extra",
        [
            ("top", {"total": "0.01"}),
            ("top", {"status": "confirmed"}),
            ("top", {"user_id": "OTHER"}),
            ("top", {"payment_status": "captured"}),
            ("top", {"checkout_id": "c" * 24}),
            ("top", {"currency": "eur"}),
            ("line", {"price": "0.01"}),
            ("line", {"unit_price": "0.01"}),
            ("line", {"line_total": "0.01"}),
            ("line", {"seller_id": "OTHER"}),
            ("line", {"name": "Free"}),
            ("address", {"user_id": "OTHER"}),
        ],
    )
    def test_checkout_mass_assignment(self, api, shopper, seller, other_seller, where, extra):
        from smartgrocer.adapters.mongo import db

        product = api.create_product(seller, stock=9)
        extra = {k: (other_seller.user_id if v == "OTHER" else v) for k, v in extra.items()}
        body = checkout_body((product["id"], 1))
        target = {"top": body, "line": body["items"][0], "address": body["shipping_address"]}[where]
        target.update(extra)
        error_of(api.post("/api/orders", shopper, json=body), 422, "validation_error")
        assert db().orders.count_documents({"user_id": {"$in": [shopper.user_id, other_seller.user_id]}}) == 0
        assert api.get(f"/api/products/{product['id']}").json()["stock"] == 9

    def test_status_update_and_admin_update_mass_assignment(self, api, world):
        order = world["order"]
        error_of(
            api.patch(
                f"/api/orders/{order['id']}/status",
                world["shopper"],
                json={"status": "cancelled", "payment_status": "refunded"},
            ),
            422,
        )
        assert api.get(f"/api/orders/{order['id']}", world["shopper"]).json()["status"] == "pending_payment"
        error_of(
            api.patch(
                f"/api/admin/users/{world['intruder'].user_id}",
                world["admin"],
                json={"is_active": True, "role": "admin"},
            ),
            422,
        )
        assert api.get("/api/auth/me", world["intruder"]).json()["role"] == "shopper"

    @pytest.mark.parametrize(
        "where, extra",
        [
            ("top", {"final_total": "0.01"}),
            ("top", {"status": "delivered"}),
            ("top", {"payment_status": "captured"}),
            ("top", {"seller_id": "OTHER"}),
            ("line", {"unit_price": "0.01"}),
            ("line", {"final_total": "0.01"}),
            ("line", {"cents": 1}),
            ("line", {"product_id": "OTHER"}),
            ("substitute", {"unit_price": "0.01"}),
            ("substitute", {"price_cents": 1}),
        ],
    )
    def test_pack_mass_assignment(self, api, world, where, extra):
        from smartgrocer.adapters.mongo import db

        order, seller = world["order"], world["seller"]
        authorise(api, world["checkout"]["payment"]["client_secret"])
        extra = {k: (world["other_seller"].user_id if v == "OTHER" else v) for k, v in extra.items()}
        body = as_ordered(order)
        line = body["lines"][0]
        if where == "substitute":
            line.update(packed_quantity=1, substitute={"product_id": world["product"]["id"], "quantity": 1})
        target = {"top": body, "line": line, "substitute": line.get("substitute")}[where]
        target.update(extra)
        error = error_of(api.post(f"/api/orders/{order['id']}/pack", seller, json=body), 422, "validation_error")
        assert any(d["loc"][-1] == next(iter(extra)) for d in error["details"]), error
        after = api.get(f"/api/orders/{order['id']}", seller).json()
        assert (after["status"], after["payment_status"], after["final_total"]) == ("confirmed", "authorized", None)
        intent = db().local_payment_intents.find_one({"metadata.checkout_id": world["checkout"]["checkout_id"]})
        assert intent["amount_received"] == 0

    def test_no_response_carries_internal_or_secret_fields(self, api, world, unique_email):
        product, order = world["product"], world["order"]
        shopper, seller, admin = world["shopper"], world["seller"], world["admin"]
        email = unique_email("fields")
        responses = {
            "signup": api.post(
                "/api/auth/signup", json={"email": email, "password": "correct-horse-1", "full_name": "F"}
            ),
            "login": api.login(shopper.email, shopper.password),
            "me": api.get("/api/auth/me", shopper),
            "admin users": api.get("/api/admin/users", admin, params={"q": "example.com"}),
            "admin update": api.patch(f"/api/admin/users/{world['intruder'].user_id}", admin, json={"is_active": True}),
            "products": api.get("/api/products", params={"q": product["name"]}),
            "product": api.get(f"/api/products/{product['id']}"),
            "suggestions": api.get("/api/products/suggest", params={"q": product["name"][:4]}),
            "product update": api.put(
                f"/api/products/{product['id']}",
                seller,
                json={"description": "Crunchy"},
                headers={"If-Match": api.get(f"/api/seller/products/{product['id']}", seller).headers["ETag"]},
            ),
            "seller product": api.get(f"/api/seller/products/{product['id']}", seller),
            "categories": api.get("/api/categories"),
            "checkout": checkout(api, shopper, (product["id"], 1)),
            "order": api.get(f"/api/orders/{order['id']}", shopper),
            "my orders": api.get("/api/orders/my-orders", shopper),
            "seller orders": api.get("/api/seller/orders", seller),
            "analytics": api.get("/api/seller/analytics", seller),
            "upload": api.post(
                f"/api/products/{product['id']}/images", seller, json={"content_type": "image/jpeg", "size": 2048}
            ),
        }
        authorise(api, world["checkout"]["payment"]["client_secret"])
        responses["pack"] = api.post(f"/api/orders/{order['id']}/pack", seller, json=as_ordered(order))
        responses["packed order"] = api.get(f"/api/orders/{order['id']}", shopper)
        responses["checkout view"] = api.get(f"/api/checkouts/{world['checkout']['checkout_id']}", shopper)
        for name, response in responses.items():
            assert response.status_code < 300, (name, response.status_code, response.text[:300])
            body = response.json()
            leaked = walk_keys(body) & INTERNAL_KEYS
            assert not leaked, f"{name} leaks {leaked}"
            assert not any(s.startswith("$2b$") for s in walk_strings(body)), f"{name} leaks a bcrypt hash"


# -------------------------------------------------------------------------------------------------
class TestAPI4UnrestrictedResourceConsumption:
    def test_body_over_64_kib_is_413_before_anything_happens(self, api, seller, unique_email):
        from smartgrocer.adapters.mongo import db

        email = unique_email("big")
        padding = "x" * (64 * 1024)
        body = json.dumps({"email": email, "password": "correct-horse-1", "full_name": padding})
        error_of(
            api.post("/api/auth/signup", data=body, headers={"Content-Type": "application/json"}),
            413,
            "payload_too_large",
        )
        assert db().users.find_one({"email": email}) is None
        # bytes, not characters: 22 000 three-byte characters are 66 000 bytes
        wide = json.dumps({"name": "€" * 22_000, "price": "1", "category": "pantry", "stock": 1}, ensure_ascii=False)
        error_of(
            api.post("/api/products", seller, data=wide.encode(), headers={"Content-Type": "application/json"}),
            413,
            "payload_too_large",
        )
        # the webhook too, before its signature is even looked at
        error_of(
            api.post(
                "/api/payments/webhook",
                data=b"{" + b" " * 70_000 + b"}",
                headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00"},
            ),
            413,
        )

    def test_one_megabyte_strings_and_ten_megabyte_bodies(self, api, seller):
        error_of(
            api.post(
                "/api/products",
                seller,
                json={"name": "n", "description": "d" * 1_000_000, "price": "1", "category": "pantry", "stock": 1},
            ),
            413,
        )
        huge = api.post("/api/auth/login", data=b"x" * (11 * 1024 * 1024), headers={"Content-Type": "application/json"})
        assert huge.status_code == 413  # the gateway's limit (API Gateway: 10 MB)

    def test_long_strings_under_the_body_limit_are_422(self, api, seller):
        error = error_of(
            api.post(
                "/api/products", seller, json={"name": "n" * 50_000, "price": "1", "category": "pantry", "stock": 1}
            ),
            422,
        )
        assert error["details"][0]["loc"] == ["body", "name"]

    @pytest.mark.parametrize("depth", [40, 1000, 5000])
    @pytest.mark.parametrize("opener, closer", [("[", "]"), ('{"a":', "}")])
    def test_deeply_nested_json_is_a_client_error(self, api, seller, depth, opener, closer):
        body = opener * depth + "1" + closer * depth
        for path, account in (("/api/auth/signup", None), ("/api/products", seller), ("/api/orders", seller)):
            response = api.post(path, account, data=body, headers={"Content-Type": "application/json"})
            assert 400 <= response.status_code < 500, (path, depth, response.status_code, response.text[:200])
            error_of(response, response.status_code)

    @pytest.mark.parametrize(
        "path, role",
        [
            ("/api/products", None),
            ("/api/orders/my-orders", "shopper"),
            ("/api/seller/orders", "seller"),
            ("/api/admin/users", "admin"),
        ],
    )
    @pytest.mark.parametrize("limit", ["1000", "101", "0", "-1", "1e9", "99999999999999999999"])
    def test_page_size_is_capped(self, api, world, path, role, limit):
        account = world[role] if role else None
        error = error_of(api.get(path, account, params={"limit": limit}), 422, "validation_error")
        assert error["details"][0]["loc"][-1] == "limit"
        assert len(api.get(path, account, params={"limit": "100"}).json()["items"]) <= 100

    @pytest.mark.parametrize("param", ["q", "cursor", "seller_id"])
    def test_oversized_query_parameters(self, api, param):
        error_of(api.get("/api/products", params={param: "a" * 10_000}), 422)

    def test_oversized_path_ids(self, api, seller):
        error_of(api.get("/api/products/" + "a" * 1000), 422)
        error_of(api.put("/api/products/" + "a" * 1000, seller, json={"name": "x"}), 422)

    @pytest.mark.parametrize(
        "body",
        [
            {"content_type": "image/png", "size": 5 * 1024 * 1024 + 1},
            {"content_type": "image/png", "size": 10**12},
            {"content_type": "image/png", "size": 0},
            {"content_type": "image/svg+xml", "size": 100},
            {"content_type": "text/html", "size": 100},
            {"content_type": "image/png", "size": "100"},
        ],
    )
    def test_upload_caps(self, api, seller, body):
        product = api.create_product(seller)
        error_of(api.post(f"/api/products/{product['id']}/images", seller, json=body), 422)

    def test_upload_policy_pins_size_and_type(self, api, seller):
        product = api.create_product(seller)
        grant = api.post(
            f"/api/products/{product['id']}/images", seller, json={"content_type": "image/webp", "size": 4000}
        ).json()
        policy = json.loads(base64.b64decode(grant["upload"]["fields"]["policy"]))
        conditions = json.dumps(policy["conditions"])
        assert (
            '"content-length-range", 1, 4000' in conditions.replace("[", "").replace("]", "")
            or "content-length-range" in conditions
        )
        assert "image/webp" in conditions
        assert grant["image_url"].endswith(".webp") and f"/products/{product['id']}/" in grant["image_url"]

    def test_basket_size_and_quantities(self, api, shopper, seller):
        from smartgrocer.adapters.mongo import db

        product = api.create_product(seller, stock=500)
        fifty_one = [(product["id"], 1)] * 51
        error_of(api.post("/api/orders", shopper, json=checkout_body(*fifty_one)), 422)
        for quantity in (101, 0, -1, 10**12, 1.5, "2", True):
            error_of(api.post("/api/orders", shopper, json=checkout_body((product["id"], quantity))), 422)
        assert db().orders.count_documents({"user_id": shopper.user_id}) == 0
        assert api.get(f"/api/products/{product['id']}").json()["stock"] == 500
        fifty = api.post("/api/orders", shopper, json=checkout_body(*[(product["id"], 2)] * 50))
        assert fifty.status_code == 201 and fifty.json()["orders"][0]["items"][0]["quantity"] == 100

    def test_packing_lists_are_bounded(self, api, world):
        order, seller = world["order"], world["seller"]
        authorise(api, world["checkout"]["payment"]["client_secret"])
        path = f"/api/orders/{order['id']}/pack"
        line_id = order["items"][0]["line_id"]
        padded = json.dumps({"lines": [{"line_id": line_id, "packed_quantity": 2}], "pad": "x" * 70_000})
        error_of(api.post(path, seller, data=padded, headers={"Content-Type": "application/json"}), 413)
        for body in (
            {"lines": [{"line_id": line_id, "packed_quantity": 2}] * 51},
            {"lines": []},
            {"lines": [{"line_id": "1" * 17, "packed_quantity": 2}]},
            {"lines": [{"line_id": line_id, "packed_quantity": 10**12}]},
            {"lines": [{"line_id": line_id, "packed_quantity": -1}]},
            {"lines": [{"line_id": line_id, "packed_weight_g": 10**9}]},
            {"lines": [{"line_id": line_id, "packed_quantity": 1, "substitute": {"product_id": "p", "quantity": 101}}]},
            {
                "lines": [
                    {"line_id": line_id, "packed_quantity": 1, "substitute": {"product_id": "p" * 65, "quantity": 1}}
                ]
            },
        ):
            error_of(api.post(path, seller, json=body), 422)
        after = api.get(f"/api/orders/{order['id']}", seller).json()
        assert (after["status"], after["payment_status"]) == ("confirmed", "authorized")

    def test_amounts_are_bounded(self, api, seller):
        for price in ("100000.01", "1e309", "NaN", "-0.01", "0.001", 1e20):
            error_of(
                api.post("/api/products", seller, json={"name": "p", "price": price, "category": "pantry", "stock": 1}),
                422,
            )
        for stock in (1_000_001, 10**30, -1):
            error_of(
                api.post(
                    "/api/products", seller, json={"name": "p", "price": "1", "category": "pantry", "stock": stock}
                ),
                422,
            )


# -------------------------------------------------------------------------------------------------
def _route_ids():
    return [r.name for r in ROUTES]


class TestAPI5BrokenFunctionLevelAuthorization:
    """The full route x role matrix, read from the route table."""

    @pytest.fixture(scope="class")
    def accounts(self, api):
        from smartgrocer.adapters.mongo import db

        made = {
            role: api.signup(f"matrix-{role}-{uuid.uuid4().hex[:8]}@example.com", is_seller=role == "seller")
            for role in ROLES
        }
        db().users.update_one({"_id": made["admin"].user_id}, {"$set": {"role": "admin"}})
        return made

    @pytest.mark.parametrize("route", ROUTES, ids=_route_ids())
    def test_anonymous(self, api, route):
        response = api.request(route.method, fill_path(route.path), json={})
        if route.session_cookie:  # no CSRF header: refused before the (absent) cookie is even looked at
            error_of(response, 403, "csrf_failed")
        elif route.is_public:
            assert response.status_code not in {401, 403}, response.text
        else:
            error_of(response, 401, "missing_token")

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize(
        "route", [r for r in ROUTES if not r.is_public], ids=[r.name for r in ROUTES if not r.is_public]
    )
    def test_each_role(self, api, accounts, route, role):
        response = api.request(route.method, fill_path(route.path), accounts[role], json={})
        if role in route.roles:
            assert response.status_code not in {401, 403}, (route.name, role, response.text[:200])
        else:
            error_of(response, 403, "wrong_role")

    def test_matrix_matches_the_design(self):
        roles = {r.name: r.roles for r in ROUTES}
        assert roles["admin_users_list"] == roles["admin_users_update"] == ADMIN
        assert (
            roles["products_create"]
            == roles["products_image_upload"]
            == roles["seller_orders"]
            == roles["seller_analytics"]
            == frozenset({"seller"})
        )
        assert roles["orders_checkout"] == ANY_USER
        assert {r.name for r in ROUTES if r.is_public} == {
            "health",
            "auth_signup",
            "auth_login",
            "auth_refresh",
            "auth_logout",
            "auth_password_reset",
            "auth_password_reset_confirm",
            "products_list",
            "products_suggest",
            "products_get",
            "categories_list",
            "sellers_slots",
            "sellers_get",
            "payments_webhook",
        }


# -------------------------------------------------------------------------------------------------
class TestAPI6SensitiveBusinessFlows:
    def test_abuse_prone_routes_are_strictly_throttled_in_aws(self):
        # Per-route throttling is API Gateway's (asserted on the template in tests/infra); the table marks them.
        strict = {r.name for r in ROUTES if r.throttle is Throttle.STRICT}
        assert {
            "auth_login",
            "auth_signup",
            "auth_password_reset",
            "auth_password_reset_confirm",
            "auth_password_change",
            "orders_checkout",
        } <= strict

    def test_login_brute_force_is_locked_out_with_retry_after(self, api, runtime, unique_email):
        def attack(attacker):
            victim = api.signup(unique_email("victim"))
            guesses = [attacker.login(victim.email, "guess-guess-1") for _ in range(5)]
            return victim, guesses, attacker.login(victim.email, victim.password)  # right password, while locked

        victim, guesses, locked = _within_one_login_window(runtime, attack, ("127.0.0.77", "127.0.0.79"))
        for guess in guesses:
            error_of(guess, 401, "invalid_credentials")
        error = error_of(locked, 429, "rate_limited")
        assert 1 <= int(locked.headers["Retry-After"]) <= 300
        assert "access_token" not in locked.text and victim.email not in error["message"]

    def test_password_spraying_from_one_address_is_locked_out(self, api, runtime, unique_email):
        limit = int(runtime.env.get("LOGIN_IP_MAX_FAILURES") or 4 * int(runtime.env.get("LOGIN_MAX_FAILURES", 5)))

        def attack(attacker):
            return [attacker.login(unique_email("spray"), "Winter2026!").status_code for _ in range(limit + 1)]

        statuses = _within_one_login_window(runtime, attack, ("127.0.0.78", "127.0.0.80"))
        assert statuses[:limit] == [401] * limit and statuses[limit] == 429
        bystander = api.signup(unique_email("bystander"))  # other addresses are unaffected
        assert api.login(bystander.email, bystander.password).status_code == 200

    def test_checkout_idempotency_key_replays_one_effect(self, api, shopper, seller):
        product = api.create_product(seller, stock=10)
        key = f"idem-{uuid.uuid4().hex}"
        first = checkout(api, shopper, (product["id"], 3), key=key)
        second = checkout(api, shopper, (product["id"], 3), key=key)
        assert first.status_code == second.status_code == 201
        assert first.json()["checkout_id"] == second.json()["checkout_id"]
        assert api.get(f"/api/products/{product['id']}").json()["stock"] == 7
        error_of(checkout(api, shopper, (product["id"], 4), key=key), 422, "idempotency_key_reused")

    def test_idempotency_keys_are_per_user(self, api, shopper, seller, unique_email):
        product = api.create_product(seller, stock=10)
        key = f"shared-{uuid.uuid4().hex}"
        mine = checkout(api, shopper, (product["id"], 1), key=key).json()
        other = api.signup(unique_email("other"))
        theirs = checkout(api, other, (product["id"], 1), key=key)
        assert theirs.status_code == 201 and theirs.json()["checkout_id"] != mine["checkout_id"]
        assert mine["payment"]["client_secret"] not in theirs.text

    def test_concurrent_duplicate_submissions_take_stock_once(self, api, runtime, shopper, seller):
        product = api.create_product(seller, stock=10)
        key = f"race-{uuid.uuid4().hex}"

        def submit(_):
            client = ApiClient(runtime.base_url)
            return checkout(client, shopper, (product["id"], 2), key=key)

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(submit, range(8)))
        ok = [r for r in results if r.status_code == 201]
        assert ok and {r.json()["checkout_id"] for r in ok} == {ok[0].json()["checkout_id"]}
        for r in results:
            assert r.status_code == 201 or error_of(r, 409, "idempotency_in_progress")
        assert api.get(f"/api/products/{product['id']}").json()["stock"] == 8

    def test_concurrent_buyers_never_oversell(self, api, runtime, seller, unique_email):
        product = api.create_product(seller, stock=5)
        buyers = [api.signup(unique_email("buyer")) for _ in range(10)]

        def buy(account):
            return checkout(ApiClient(runtime.base_url), account, (product["id"], 1))

        with ThreadPoolExecutor(10) as pool:
            results = list(pool.map(buy, buyers))
        assert sorted(r.status_code for r in results) == [201] * 5 + [409] * 5
        for r in results:
            if r.status_code == 409:
                assert error_of(r, 409, "out_of_stock")["details"][0]["product_id"] == product["id"]
        assert api.get(f"/api/products/{product['id']}").json()["stock"] == 0

    def test_concurrent_packing_captures_once(self, api, runtime, world):
        from smartgrocer.adapters.mongo import db

        order, seller = world["order"], world["seller"]
        authorise(api, world["checkout"]["payment"]["client_secret"])

        def pack(_):
            return ApiClient(runtime.base_url).post(f"/api/orders/{order['id']}/pack", seller, json=as_ordered(order))

        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(pack, range(6)))
        assert sorted(r.status_code for r in results) == [200] + [409] * 5, [r.text[:200] for r in results]
        for r in results:
            assert r.status_code == 200 or error_of(r, 409)["code"] in {"illegal_transition", "concurrent_update"}
        assert api.post("/local/payments/deliver").status_code == 200
        intent = db().local_payment_intents.find_one({"metadata.checkout_id": world["checkout"]["checkout_id"]})
        assert (intent["status"], intent["amount_received"]) == ("succeeded", 250)
        captures = db().local_payment_webhooks.count_documents({"payment_intent": intent["_id"], "type": CAPTURED})
        assert captures == 1
        after = api.get(f"/api/orders/{order['id']}", world["shopper"]).json()
        assert (after["status"], after["payment_status"], after["final_total"]) == ("packed", "captured", "2.50")
        assert api.get(f"/api/products/{world['product']['id']}").json()["stock"] == 18

    def test_packing_twice_is_a_conflict_and_changes_nothing(self, api, world):
        order, seller = world["order"], world["seller"]
        authorise(api, world["checkout"]["payment"]["client_secret"])
        short = {"lines": [{"line_id": order["items"][0]["line_id"], "packed_quantity": 1}]}
        first = api.post(f"/api/orders/{order['id']}/pack", seller, json=short)
        assert first.status_code == 200 and first.json()["final_total"] == "1.25", first.text
        again = api.post(f"/api/orders/{order['id']}/pack", seller, json=as_ordered(order))
        assert error_of(again, 409, "illegal_transition")["details"] == {"from": "packed", "to": "packed"}
        after = api.get(f"/api/orders/{order['id']}", world["shopper"]).json()
        assert (after["final_total"], after["items"][0]["packed_quantity"]) == ("1.25", 1)
        assert api.get(f"/api/products/{world['product']['id']}").json()["stock"] == 19  # the short pick is back

    def test_a_seller_cannot_capture_more_than_was_authorised(self, api, world):
        """A weighed line may be packed heavier than ordered, up to the margin the shopper authorised."""
        from smartgrocer.adapters.mongo import db

        seller, shopper = world["seller"], world["shopper"]
        weighed = api.create_product(seller, name=f"Weighed Walnuts {uuid.uuid4().hex[:6]}", price="4.00")
        db().products.update_one(
            {"_id": weighed["id"]}, {"$set": {"sold_by": "weight", "min_weight_g": 100, "step_g": 50, "stock": 5000}}
        )
        body = {"items": [{"product_id": weighed["id"], "weight_g": 500}], "shipping_address": dict(ADDRESS)}
        placed = api.post("/api/orders", shopper, json=body)
        assert placed.status_code == 201, placed.text
        (order,) = placed.json()["orders"]
        assert (order["estimated_total"], order["authorized_amount"]) == ("2.00", "2.20")  # a 10 % margin
        authorise(api, placed.json()["payment"]["client_secret"])
        line_id = order["items"][0]["line_id"]
        heavy = {"lines": [{"line_id": line_id, "packed_weight_g": 600}]}  # 2.40 > 2.20
        error = error_of(api.post(f"/api/orders/{order['id']}/pack", seller, json=heavy), 422, "over_authorization")
        assert error["details"] == {"final_total": "2.40", "authorized": "2.20"}
        assert api.get(f"/api/orders/{order['id']}", seller).json()["status"] == "confirmed"
        at_margin = {"lines": [{"line_id": line_id, "packed_weight_g": 550}]}
        packed = api.post(f"/api/orders/{order['id']}/pack", seller, json=at_margin)
        assert packed.status_code == 200 and packed.json()["final_total"] == "2.20", packed.text
        intent = db().local_payment_intents.find_one({"metadata.checkout_id": placed.json()["checkout_id"]})
        assert (intent["status"], intent["amount_received"]) == ("succeeded", 220)


# -------------------------------------------------------------------------------------------------
class TestAPI7ServerSideRequestForgery:
    @pytest.fixture
    def listener(self):
        """A loopback HTTP server that records any request: the API must never call a user-given URL."""
        import http.server

        hits = []

        class Recorder(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            do_HEAD = do_POST = do_GET

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
        server.shutdown()

    def _images_base(self, runtime) -> str:
        return runtime.env["IMAGES_BASE_URL"].rstrip("/")

    def test_foreign_image_urls_are_refused(self, api, runtime, seller, listener):
        listener_url, hits = listener
        base = self._images_base(runtime)
        product = api.create_product(seller)
        attacks = [
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "file:///etc/passwd",
            "gopher://127.0.0.1:6379/_FLUSHALL",
            f"{listener_url}/products/x.png",
            f"{base}.evil.example/products/x.png",  # prefix look-alike host
            f"{base}/products/../../../latest/meta-data",
            f"{base}/products/%2e%2e/%2e%2e/other-bucket/x.png",  # encoded traversal (browsers decode it)
            f"{base}/products/x.png?redirect=http://169.254.169.254/",
            f"{base}/products/x.png#@169.254.169.254",
            f"{base}@169.254.169.254/products/x.png",
            "javascript:alert(1)",
            f"{base}/products/{product['id']}/\nx.png",
        ]
        for url in attacks:
            create = api.post(
                "/api/products",
                seller,
                json={"name": "SSRF", "price": "1", "category": "pantry", "stock": 1, "images": [url]},
            )
            error_of(create, 422)
            update = api.put(f"/api/products/{product['id']}", seller, json={"images": [url]})
            error_of(update, 422)
        # Validation answers before the request returns: a fetch would already be in `hits`.
        assert hits == [], "the API fetched a user-supplied URL"
        assert api.get(f"/api/products/{product['id']}").json()["images"] == []

    def test_only_our_upload_urls_are_accepted(self, api, seller):
        product = api.create_product(seller)
        grant = api.upload_photo(seller, product["id"])
        updated = api.put(
            f"/api/products/{product['id']}",
            seller,
            json={"images": [grant["image_url"]]},
            headers={"If-Match": product["etag"]},
        )
        assert updated.status_code == 200 and updated.json()["images"] == [grant["image_url"]]
        # another product's photo is not this product's photo
        other = api.create_product(seller)
        error_of(api.put(f"/api/products/{other['id']}", seller, json={"images": [grant["image_url"]]}), 422)


# -------------------------------------------------------------------------------------------------
class TestAPI8SecurityMisconfiguration:
    def _responses(self, api, world):
        """One response of every kind the functions produce: 2xx, 204 and every error status."""
        product, seller, shopper = world["product"], world["seller"], world["shopper"]
        return {
            "200 health": api.get("/api/health"),
            "200 list": api.get("/api/products"),
            "200 me": api.get("/api/auth/me", shopper),
            "201 create": api.post(
                "/api/products", seller, json={"name": "H", "price": "1", "category": "pantry", "stock": 1}
            ),
            "204 delete": api.delete(f"/api/products/{api.create_product(seller)['id']}", seller),
            "400 malformed": api.post(
                "/api/auth/login", data=b"{not json", headers={"Content-Type": "application/json"}
            ),
            "400 cursor": api.get("/api/products", params={"cursor": "!!!"}),
            "401": api.get("/api/auth/me"),
            "403": api.get("/api/admin/users", shopper),
            "404": api.get("/api/products/" + "0" * 24),
            "409": api.post("/api/orders", shopper, json=checkout_body((product["id"], 100))),
            "412": api.put(
                f"/api/products/{product['id']}", seller, json={"stock": 1}, headers={"If-Match": '"r0.s0"'}
            ),
            "413": api.post(
                "/api/auth/login", data=b"[" + b"0," * 40000 + b"0]", headers={"Content-Type": "application/json"}
            ),
            "415": api.post(
                "/api/auth/login",
                data=b"email=a&password=b",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            "422": api.post("/api/auth/signup", json={}),
            "428": api.put(f"/api/products/{product['id']}", seller, json={"stock": 1}),
            "400 webhook": api.post("/api/payments/webhook", data=b"{}", headers={"Content-Type": "application/json"}),
        }

    def test_security_headers_on_every_function_response(self, api, world):
        for name, response in self._responses(api, world).items():
            assert str(response.status_code) == name.split()[0], (name, response.status_code, response.text[:200])
            for header, value in SECURITY_HEADERS.items():
                if header == "cache-control" and _is_cacheable_catalog_read(response):
                    # The public catalog may be cached (CloudFront honours it): 200s publicly, errors not at all.
                    expected = ("public, max-age=",) if response.status_code == 200 else ("no-store", "no-cache")
                    assert response.headers.get(header, "").startswith(expected), (name, dict(response.headers))
                    continue
                assert response.headers.get(header) == value, (name, header, dict(response.headers))
            if response.status_code != 204:
                assert response.headers["content-type"].startswith("application/json"), name

    def test_errors_never_leak_internals(self, api, world):
        provocations = dict(self._responses(api, world))
        seller = world["seller"]
        provocations.update(
            {
                "surrogate": api.post(
                    "/api/auth/signup",
                    data='{"email":"a@b.co","password":"xxxxxxxx","full_name":"\\ud800"}',
                    headers={"Content-Type": "application/json"},
                ),
                "nul byte": api.get("/api/products", params={"q": "\x00\x00"}),
                "binary body": api.post(
                    "/api/products", seller, data=b"\xff\xfe\x00\x01", headers={"Content-Type": "application/json"}
                ),
                "nested": api.post(
                    "/api/orders", seller, data="[" * 3000 + "]" * 3000, headers={"Content-Type": "application/json"}
                ),
                "huge int": api.post(
                    "/api/products", seller, json={"name": "x", "price": "1", "category": "pantry", "stock": 10**400}
                ),
                "bad cursor": api.get(
                    "/api/products",
                    params={"cursor": base64.urlsafe_b64encode(b'{"s":"newest","k":{"$gt":""}}').decode()},
                ),
                "operator id": api.get("/api/products/" + '{"$ne":null}'),
                "bad enum": api.get("/api/products", params={"sort": "$natural"}),
            }
        )
        for name, response in provocations.items():
            assert response.status_code < 500, (name, response.status_code, response.text[:300])
            if response.status_code >= 400:
                text = response.text
                for marker in LEAK_MARKERS:
                    assert marker not in text, (name, marker, text[:400])

    def test_no_wildcard_cors_on_api_responses(self, api, shopper):
        # Same-origin locally (CloudFront in AWS; the CDK allow-list is tested in tests/infra).
        evil = {"Origin": "https://evil.example"}
        checks = [
            api.get("/api/products", headers=evil),
            api.get("/api/auth/me", shopper, headers=evil),
            api.request(
                "OPTIONS",
                "/api/orders",
                headers={
                    **evil,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization",
                },
            ),
        ]
        for response in checks:
            assert response.headers.get("access-control-allow-origin") not in {"*", "https://evil.example"}
            assert response.headers.get("access-control-allow-credentials") is None

    def test_no_server_fingerprints_in_api_bodies(self, api):
        body = api.get("/api/health").json()
        assert body == {"status": "ok", "db": "ok"}


# -------------------------------------------------------------------------------------------------
class TestAPI9ImproperInventoryManagement:
    @pytest.mark.parametrize(
        "path",
        [
            "/api",
            "/api/",
            "/api/admin",
            "/api/users",
            "/api/debug",
            "/api/internal/health",
            "/api/v0/products",
            "/api/products/x/y",
            "/api/orders/x/refund",
            "/api/auth/admin",
            "/api/payments",
            "/api/payments/webhook/test",
            "/api/seller",
            "/api/.env",
            "/api/health/%2e%2e/admin/users",
            "/api/swagger.json",
            "/api/openapi.json",
            "/api/docs",
        ],
    )
    def test_unknown_paths_are_404(self, api, path):
        response = api.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "Traceback" not in response.text

    def test_wrong_methods_do_not_reach_any_function(self, api, admin):
        from local.apigw import match_route

        declared = {(r.method, r.path) for r in ROUTES}
        for path in sorted({r.path for r in ROUTES}):
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                if (method, path) in declared:
                    continue
                if match_route(method, fill_path(path))[0] is not None:
                    continue  # declared after all: PUT /api/products/suggest is PUT /api/products/{id}, id "suggest"
                response = api.request(method, fill_path(path), admin, json={})
                assert response.status_code in {404, 405}, (method, path, response.status_code)
                assert response.json() == {"message": "Not Found"}, (method, path)  # the gateway's, no function ran

    def test_every_function_folder_is_in_the_table_and_vice_versa(self):
        folders = {p.name for p in (ROOT / "functions").iterdir() if (p / "handler.py").is_file()}
        assert folders == set(FUNCTION_NAMES)
        assert {b.name for b in BACKGROUND_FUNCTIONS} <= folders

    def test_the_published_contract_lists_exactly_the_routes(self):
        document = json.loads((ROOT / "openapi.json").read_text())
        published = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
        assert published == {(r.method, r.path) for r in ROUTES}

    def test_background_functions_are_not_reachable_over_http(self, api):
        for name in ("notifier", "orders_expire", "apply_indexes"):
            for path in (f"/api/{name}", f"/api/{name.replace('_', '/')}"):
                assert api.post(path, json={}).status_code == 404


# -------------------------------------------------------------------------------------------------
class TestAPI10UnsafeConsumptionOfAPIs:
    """Payment-provider webhooks are verified on the raw bytes before anything is parsed or trusted."""

    @pytest.fixture
    def pending(self, api, world):
        from smartgrocer.adapters.mongo import db

        checkout_id = world["checkout"]["checkout_id"]
        doc = db().checkouts.find_one({"_id": checkout_id})
        return {
            "checkout_id": checkout_id,
            "intent_id": doc["payment_intent_id"],
            "amount": doc["amount_cents"],
            "order_id": world["order"]["id"],
            "shopper": world["shopper"],
        }

    def _status(self, api, pending) -> str:
        return api.get(f"/api/orders/{pending['order_id']}", pending["shopper"]).json()["status"]

    def test_forged_and_replayed_signatures_are_refused(self, api, runtime, pending):
        secret = runtime.env["STRIPE_WEBHOOK_SECRET"]
        event = payment_intent_event(pending["checkout_id"], pending["intent_id"], pending["amount"])
        payload = json.dumps(event)
        attempts = {
            "no signature": {"Content-Type": "application/json"},
            "wrong secret": signed_headers(payload, "whsec_attacker"),
            "garbage": {"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=deadbeef"},
            "stale (1 h old)": signed_headers(payload, secret, int(time.time()) - 3600),
            # (A future timestamp needs the secret to sign, so it is no third-party attack: Stripe's own
            # verification accepts it. Only replays of captured deliveries matter: "stale" above.)
            "v0 scheme only": {
                "Content-Type": "application/json",
                "Stripe-Signature": signed_headers(payload, secret)["Stripe-Signature"].replace("v1=", "v0="),
            },
        }
        for headers in attempts.values():
            response = api.post("/api/payments/webhook", data=payload.encode(), headers=headers)
            error_of(response, 400, "invalid_signature")
        # signed, then tampered (amount and checkout swapped after signing)
        signed = signed_headers(payload, secret)
        tampered = payload.replace(str(pending["amount"]), "1")
        error_of(api.post("/api/payments/webhook", data=tampered.encode(), headers=signed), 400, "invalid_signature")
        assert self._status(api, pending) == "pending_payment"

    def test_signed_but_malformed_payloads_are_client_errors(self, api, runtime, pending):
        secret = runtime.env["STRIPE_WEBHOOK_SECRET"]
        for payload in ("{not json", "[" * 2000 + "]" * 2000, '"just a string"', "[]", '{"id": 1, "type": []}'):
            error = error_of(deliver(api, payload, secret), 400)
            assert error["code"] in {"malformed_json", "malformed_event"}, (payload[:20], error)
        assert self._status(api, pending) == "pending_payment"

    def test_signed_events_are_still_checked_against_our_records(self, api, runtime, pending):
        secret = runtime.env["STRIPE_WEBHOOK_SECRET"]
        wrong_intent = payment_intent_event(pending["checkout_id"], "pi_attacker", pending["amount"])
        assert deliver(api, wrong_intent, secret).json()["outcome"] == "unknown_checkout"
        assert self._status(api, pending) == "pending_payment"
        genuine = payment_intent_event(pending["checkout_id"], pending["intent_id"], pending["amount"])
        first = deliver(api, genuine, secret)
        assert first.json() == {"received": True, "duplicate": False, "outcome": "authorized"}
        assert self._status(api, pending) == "confirmed"
        replay = deliver(api, genuine, secret)  # a re-delivery (or a replay inside the tolerance) is harmless
        assert replay.json()["duplicate"] is True and self._status(api, pending) == "confirmed"

    def test_an_authorisation_for_an_unexpected_amount_is_voided(self, api, world):
        from smartgrocer.adapters.mongo import db

        placed = checkout(api, world["shopper"], (world["product"]["id"], 1)).json()
        intent_id = db().checkouts.find_one({"_id": placed["checkout_id"]})["payment_intent_id"]
        # The provider holds another amount than the checkout asked for (a tampered client, a provider bug).
        db().local_payment_intents.update_one({"_id": intent_id}, {"$set": {"amount": 1}})
        authorise(api, placed["payment"]["client_secret"])
        (event,) = db().payment_events.find({"checkout_id": placed["checkout_id"]})
        assert event["outcome"] == "amount_mismatch_voided"
        intent = db().local_payment_intents.find_one({"_id": intent_id})
        assert (intent["status"], intent["amount_capturable"], intent["amount_received"]) == ("canceled", 0, 0)
        order = api.get(f"/api/orders/{placed['orders'][0]['id']}", world["shopper"]).json()
        assert order["status"] == "cancelled" and order["payment_status"] not in {"authorized", "captured"}
        assert api.get(f"/api/products/{world['product']['id']}").json()["stock"] == 18  # its unit is back

    def test_money_captured_without_being_asked_is_refunded(self, api, world):
        """A capture made outside the shop (say, from the provider's dashboard) is given back, never kept."""
        from local.payment_provider import LocalPaymentGateway
        from smartgrocer.adapters.mongo import db

        placed = checkout(api, world["shopper"], (world["product"]["id"], 1)).json()
        authorise(api, placed["payment"]["client_secret"])
        intent_id = db().checkouts.find_one({"_id": placed["checkout_id"]})["payment_intent_id"]
        LocalPaymentGateway().capture(intent_id, 100, f"rogue-{uuid.uuid4().hex}")
        assert api.post("/local/payments/deliver").status_code == 200
        outcomes = {e["type"]: e["outcome"] for e in db().payment_events.find({"checkout_id": placed["checkout_id"]})}
        assert outcomes[CAPTURED] == "amount_mismatch_refunded"
        intent = db().local_payment_intents.find_one({"_id": intent_id})
        assert (intent["amount_received"], intent["amount_refunded"]) == (100, 100)
        order = api.get(f"/api/orders/{placed['orders'][0]['id']}", world["shopper"]).json()
        # nothing of it counts as the order's payment, and with the hold gone the order cannot be charged
        assert (order["status"], order["payment_status"]) == ("cancelled", "voided")
