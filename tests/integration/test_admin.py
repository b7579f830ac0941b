"""Admin moderation: list and search users, deactivate and reactivate accounts."""

from __future__ import annotations

import uuid

from tests.integration.helpers import assert_error


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
    response = api.patch(f"/api/admin/users/{victim.user_id}", admin, json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_error(api.get("/api/auth/me", victim), 401, "inactive_account")
    assert_error(api.get("/api/orders/my-orders", victim), 401, "inactive_account")
    assert_error(api.refresh(victim.refresh_token), 401)
    assert_error(api.login(victim.email, victim.password), 401, "inactive_account")
    listed = _list(api, admin, q=victim.email)["items"]
    assert [(u["id"], u["is_active"]) for u in listed] == [(victim.user_id, False)]

    assert api.patch(f"/api/admin/users/{victim.user_id}", admin, json={"is_active": True}).json()["is_active"]
    assert api.get("/api/auth/me", victim).status_code == 200
    assert api.login(victim.email, victim.password).status_code == 200


def test_admin_cannot_deactivate_self(api, admin):
    assert_error(
        api.patch(f"/api/admin/users/{admin.user_id}", admin, json={"is_active": False}), 409, "self_deactivation"
    )
    assert api.get("/api/auth/me", admin).status_code == 200


def test_update_validation_and_unknown_user(api, admin, shopper):
    assert_error(api.patch("/api/admin/users/" + "0" * 24, admin, json={"is_active": False}), 404, "not_found")
    for body in ({"is_active": False, "role": "admin"}, {"role": "admin"}, {}, {"is_active": "nope"}):
        assert_error(api.patch(f"/api/admin/users/{shopper.user_id}", admin, json=body), 422)
    me = api.get("/api/auth/me", shopper).json()
    assert me["role"] == "shopper" and me["is_active"] is True
