"""Admin moderation: list and search users, deactivate and reactivate accounts."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.helpers import assert_error
from tests.support import refresh_cookie_of


def _list(api, admin, **params) -> dict:
    response = api.get("/api/admin/users", admin, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_list_and_search_users(api, admin):
    tag = uuid.uuid4().hex[:8]
    made = [
        api.signup(f"mod-{tag}-{i}@example.com", full_name=f"Moderated {tag.upper()} {i}", is_seller=i == 2)
        for i in range(3)
    ]
    found = _list(api, admin, q=tag)
    assert sorted(u["id"] for u in found["items"]) == sorted(a.user_id for a in made)
    assert all("password" not in key for u in found["items"] for key in u)
    # Newest first.
    assert [u["id"] for u in found["items"]] == [a.user_id for a in reversed(made)]
    # Case-insensitive search on the name; exact email search; role filter.
    assert {u["id"] for u in _list(api, admin, q=f"moderated {tag.upper()}")["items"]} == {a.user_id for a in made}
    assert [u["id"] for u in _list(api, admin, q=made[1].email)["items"]] == [made[1].user_id]
    assert [u["id"] for u in _list(api, admin, q=tag, role="seller")["items"]] == [made[2].user_id]
    # Regex metacharacters are literal.
    assert _list(api, admin, q=".*")["items"] == []
    # Pages of one walk all three exactly once.
    seen, cursor = [], None
    for _ in range(5):
        page = _list(api, admin, q=tag, limit=1, **({"cursor": cursor} if cursor else {}))
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [a.user_id for a in reversed(made)]


def test_non_admins_cannot_list_or_update(api, shopper, seller):
    assert_error(api.get("/api/admin/users"), 401)
    for account in (shopper, seller):
        assert_error(api.get("/api/admin/users", account), 403, "wrong_role")
        assert_error(api.patch(f"/api/admin/users/{shopper.user_id}", account, json={"is_active": False}), 403)
    assert api.get("/api/auth/me", shopper).status_code == 200


def test_deactivated_user_is_locked_out_and_can_be_reactivated(api, admin, unique_email):
    victim = api.signup(unique_email("victim"))
    assert api.get("/api/auth/me", victim).status_code == 200
    body = {"is_active": False, "reason": "Abusive messages to sellers"}
    response = api.patch(f"/api/admin/users/{victim.user_id}", admin, json=body)
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_error(api.get("/api/auth/me", victim), 401, "inactive_account")
    assert_error(api.get("/api/orders/my-orders", victim), 401, "inactive_account")
    assert_error(api.refresh(victim.refresh_token), 401)
    assert_error(api.login(victim.email, victim.password), 403, "account_deactivated")
    listed = _list(api, admin, q=victim.email)["items"]
    assert [(u["id"], u["is_active"]) for u in listed] == [(victim.user_id, False)]

    assert api.patch(f"/api/admin/users/{victim.user_id}", admin, json={"is_active": True}).json()["is_active"]
    assert api.get("/api/auth/me", victim).status_code == 200
    assert api.login(victim.email, victim.password).status_code == 200


def test_admin_cannot_deactivate_self(api, admin):
    assert_error(
        api.patch(f"/api/admin/users/{admin.user_id}", admin, json={"is_active": False, "reason": "Mine"}),
        409,
        "self_deactivation",
    )
    assert api.get("/api/auth/me", admin).status_code == 200


def test_update_validation_and_unknown_user(api, admin, shopper):
    unknown = "/api/admin/users/" + "0" * 24
    assert_error(api.patch(unknown, admin, json={"is_active": False, "reason": "Gone"}), 404, "not_found")
    for body in ({"is_active": False, "role": "admin"}, {"role": "admin"}, {}, {"is_active": "nope"}):
        assert_error(api.patch(f"/api/admin/users/{shopper.user_id}", admin, json=body), 422)
    me = api.get("/api/auth/me", shopper).json()
    assert me["role"] == "shopper" and me["is_active"] is True


# -- deactivation with a reason, and the audit trail -------------------------------------------------


def _trail(api, admin, user_id) -> list[dict]:
    response = api.get(f"/api/admin/users/{user_id}/audit", admin)
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.parametrize(
    "body", [{"is_active": False}, {"is_active": False, "reason": "   "}, {"is_active": False, "reason": None}]
)
def test_deactivation_needs_a_reason_and_changes_nothing_without_one(api, admin, shopper, body):
    error = assert_error(api.patch(f"/api/admin/users/{shopper.user_id}", admin, json=body), 422)
    assert "reason" in error["message"].lower() or any(d["loc"][-1] == "reason" for d in error["details"])
    assert api.get("/api/auth/me", shopper).json()["is_active"] is True
    assert _trail(api, admin, shopper.user_id) == []


@pytest.mark.parametrize("reason", ["x" * 501, 42, ["spam"]])
def test_an_oversized_or_malformed_reason_is_422(api, admin, shopper, reason):
    assert_error(
        api.patch(f"/api/admin/users/{shopper.user_id}", admin, json={"is_active": False, "reason": reason}), 422
    )
    assert api.get("/api/auth/me", shopper).json()["is_active"] is True


def test_every_change_writes_the_trail_newest_first(api, admin, unique_email):
    victim = api.signup(unique_email("trail"))
    path = f"/api/admin/users/{victim.user_id}"
    assert api.patch(path, admin, json={"is_active": False, "reason": "x" * 500}).status_code == 200
    assert api.patch(path, admin, json={"is_active": True, "reason": "Appeal accepted"}).status_code == 200
    assert api.patch(path, admin, json={"is_active": False, "reason": "  Chargebacks again  "}).status_code == 200
    trail = _trail(api, admin, victim.user_id)
    assert [(e["action"], e["reason"]) for e in trail] == [
        ("deactivate", "Chargebacks again"),
        ("activate", "Appeal accepted"),
        ("deactivate", "x" * 500),
    ]
    assert {(e["actor_id"], e["actor_email"], e["target_id"]) for e in trail} == {
        (admin.user_id, admin.email, victim.user_id)
    }
    assert trail[0]["at"] >= trail[1]["at"] >= trail[2]["at"] and trail[0]["at"].endswith("Z")
    # Reactivation does not need a reason.
    assert api.patch(path, admin, json={"is_active": True}).status_code == 200
    newest = _trail(api, admin, victim.user_id)[0]
    assert (newest["action"], newest["reason"]) == ("activate", None)


def test_deactivation_ends_every_session_and_voids_reset_links(api, admin, unique_email):
    victim = api.signup(unique_email("sessions"))
    second = refresh_cookie_of(api.login(victim.email, victim.password))
    body = {"is_active": False, "reason": "Sessions test"}
    assert api.patch(f"/api/admin/users/{victim.user_id}", admin, json=body).status_code == 200
    for token in (victim.refresh_token, second):
        assert_error(api.refresh(token), 401)


def test_the_trail_is_admin_only_and_needs_a_real_user(api, admin, shopper, seller):
    path = f"/api/admin/users/{shopper.user_id}/audit"
    assert_error(api.get(path), 401)
    for account in (shopper, seller):
        assert_error(api.get(path, account), 403, "wrong_role")
    assert_error(api.get("/api/admin/users/" + "0" * 24 + "/audit", admin), 404, "not_found")
    assert_error(api.get("/api/admin/users/" + "x" * 65 + "/audit", admin), 422)
