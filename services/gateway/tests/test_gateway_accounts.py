"""User management and API keys through the API (permission users:manage)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from gateway.domain import Role


def code(response) -> str:
    return response.json()["error"]["code"]


async def test_an_admin_creates_a_user_who_can_then_log_in(gateway):
    admin = await gateway.headers_for([Role.ADMIN])
    created = await gateway.client.post(
        "/api/v1/users",
        json={
            "email": "New.Person@Test.Example",
            "password": "a long enough password",
            "display_name": "New Person",
            "roles": ["Inventory"],
            "sites": ["site-a", "site-b"],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["email"] == "new.person@test.example"
    assert body["roles"] == ["Inventory"]
    assert body["sites"] == ["site-a", "site-b"]
    assert "password" not in body
    assert "password_hash" not in body
    tokens = await gateway.login("new.person@test.example", "a long enough password")
    assert tokens["user"]["id"] == body["id"]


async def test_creating_a_user_twice_is_a_conflict(gateway):
    admin = await gateway.headers_for([Role.ADMIN])
    body = {"email": "twice@test.example", "password": "a long enough password"}
    assert (await gateway.client.post("/api/v1/users", json=body, headers=admin)).status_code == 201
    again = await gateway.client.post("/api/v1/users", json=body, headers=admin)
    assert again.status_code == 409
    assert code(again) == "USER_EXISTS"


async def test_short_passwords_and_unknown_roles_are_refused(gateway):
    admin = await gateway.headers_for([Role.ADMIN])
    short = await gateway.client.post(
        "/api/v1/users", json={"email": "s@test.example", "password": "short"}, headers=admin
    )
    assert short.status_code == 422
    assert "short" not in short.text  # the rejected password is not echoed
    role = await gateway.client.post(
        "/api/v1/users",
        json={"email": "r@test.example", "password": "a long enough password", "roles": ["God"]},
        headers=admin,
    )
    assert role.status_code == 422


async def test_granting_roles_and_sites_takes_effect_on_the_next_request(gateway):
    admin = await gateway.headers_for([Role.ADMIN])
    email = await gateway.create_user(roles=[Role.AUDITOR], sites=["site-a"])
    tokens = await gateway.login(email)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    user_id = tokens["user"]["id"]
    roles = await gateway.client.put(
        f"/api/v1/users/{user_id}/roles", json={"roles": ["Owner", "Auditor"]}, headers=admin
    )
    assert roles.json()["roles"] == ["Auditor", "Owner"]
    sites = await gateway.client.put(
        f"/api/v1/users/{user_id}/sites", json={"sites": ["site-b"]}, headers=admin
    )
    assert sites.json()["sites"] == ["site-b"]
    me = (await gateway.client.get("/api/v1/auth/me", headers=auth)).json()
    assert "inventory:delete" in me["permissions"]
    assert me["sites"] == ["site-b"]


async def test_listing_users_pages_by_email(gateway):
    admin = await gateway.headers_for([Role.ADMIN])
    for n in range(3):
        await gateway.create_user(roles=[Role.AUDITOR], email=f"list{n}@test.example")
    page = await gateway.client.get("/api/v1/users?limit=2&offset=1", headers=admin)
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 4
    assert body["limit"] == 2
    assert body["offset"] == 1
    assert [u["email"] for u in body["items"]] == ["list1@test.example", "list2@test.example"]


async def test_an_unknown_user_is_not_found(gateway):
    admin = await gateway.headers_for([Role.ADMIN])
    response = await gateway.client.get(
        "/api/v1/users/00000000-0000-0000-0000-000000000000", headers=admin
    )
    assert response.status_code == 404
    assert code(response) == "USER_NOT_FOUND"


async def test_an_api_key_is_shown_once_and_authenticates_with_its_own_roles_and_sites(gateway):
    admin = await gateway.headers_for([Role.ADMIN])
    created = await gateway.client.post(
        "/api/v1/api-keys",
        json={"name": "shop sync", "roles": ["Sales Manager"], "sites": ["site-a"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith(f"cnp_{body['id']}_")
    listed = await gateway.client.get("/api/v1/api-keys", headers=admin)
    assert key not in listed.text
    assert listed.json()["items"][0]["id"] == body["id"]
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
        me = await gateway.client.get("/api/v1/auth/me", headers=headers)
        assert me.status_code == 200
        assert me.json()["kind"] == "api_key"
        assert me.json()["roles"] == ["Sales Manager"]
        assert me.json()["sites"] == ["site-a"]


async def test_a_revoked_api_key_stops_working_at_once(gateway):
    admin, created = await _auditor_key(gateway)
    key = {"X-API-Key": created["key"]}
    assert (await gateway.client.get("/api/v1/auth/me", headers=key)).status_code == 200
    revoked = await gateway.client.delete(f"/api/v1/api-keys/{created['id']}", headers=admin)
    assert revoked.status_code == 204
    assert (await gateway.client.get("/api/v1/auth/me", headers=key)).status_code == 401
    missing = await gateway.client.delete("/api/v1/api-keys/0123456789ab", headers=admin)
    assert missing.status_code == 404


async def test_a_wrong_secret_for_a_real_key_id_is_refused(gateway):
    _, created = await _auditor_key(gateway)
    forged = f"cnp_{created['id']}_{'x' * 43}"
    response = await gateway.client.get("/api/v1/auth/me", headers={"X-API-Key": forged})
    assert response.status_code == 401
    garbage = await gateway.client.get("/api/v1/auth/me", headers={"X-API-Key": "cnp_nope"})
    assert garbage.status_code == 401


async def test_an_expired_api_key_is_refused(gateway):
    soon = datetime.now(UTC) + timedelta(seconds=1)
    _, created = await _auditor_key(gateway, expires_at=soon.isoformat())
    await asyncio.sleep(1.2)
    response = await gateway.client.get("/api/v1/auth/me", headers={"X-API-Key": created["key"]})
    assert response.status_code == 401


async def test_an_api_key_cannot_log_out(gateway):
    _, created = await _auditor_key(gateway)
    response = await gateway.client.post(
        "/api/v1/auth/logout", headers={"X-API-Key": created["key"]}
    )
    assert response.status_code == 400


async def test_the_role_catalogue_lists_every_role_with_its_permissions(gateway):
    auditor = await gateway.headers_for([Role.AUDITOR])
    roles = (await gateway.client.get("/api/v1/roles", headers=auditor)).json()
    assert {r["name"] for r in roles} == {role.value for role in Role}
    admin = next(r for r in roles if r["name"] == "Admin")
    assert len(admin["permissions"]) == 8


async def _auditor_key(gateway, **extra):
    """An admin's headers and a new Auditor key for every site (its JSON, with the whole key)."""
    admin = await gateway.headers_for([Role.ADMIN])
    created = await gateway.client.post(
        "/api/v1/api-keys",
        json={"name": "n", "roles": ["Auditor"], "sites": ["*"], **extra},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return admin, created.json()
