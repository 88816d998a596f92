"""Login, refresh rotation and reuse detection, logout, disabled accounts; on real PostgreSQL."""

from __future__ import annotations

import asyncio

from gateway.domain import Role
from gateway.testing import PASSWORD


def code(response) -> str:
    return response.json()["error"]["code"]


async def test_login_returns_a_short_lived_access_token_and_a_refresh_token(gateway):
    email = await gateway.create_user(roles=[Role.AUDITOR], sites=["site-a"])
    tokens = await gateway.login(email)
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    assert tokens["refresh_token"].startswith("rt_")
    assert tokens["user"]["email"] == email
    assert tokens["user"]["roles"] == ["Auditor"]
    me = await gateway.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["permissions"] == ["inventory:read", "reports:read"]
    assert me.json()["sites"] == ["site-a"]


async def test_login_is_case_insensitive_on_email_and_refuses_a_wrong_password(gateway):
    email = await gateway.create_user(roles=[Role.AUDITOR])
    assert (await gateway.login(email.upper()))["user"]["email"] == email
    wrong = await gateway.client.post(
        "/api/v1/auth/login", json={"email": email, "password": "not the password"}
    )
    assert wrong.status_code == 401
    assert code(wrong) == "INVALID_CREDENTIALS"


async def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(gateway):
    response = await gateway.client.post(
        "/api/v1/auth/login", json={"email": "nobody@test.example", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert code(response) == "INVALID_CREDENTIALS"


async def test_refresh_rotates_the_refresh_token_and_issues_a_working_access_token(gateway):
    tokens = await gateway.login(await gateway.create_user(roles=[Role.INVENTORY]))
    refreshed = await gateway.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    me = await gateway.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"}
    )
    assert me.status_code == 200
    again = await gateway.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": new["refresh_token"]}
    )
    assert again.status_code == 200


async def test_reusing_a_spent_refresh_token_revokes_the_whole_session(gateway):
    tokens = await gateway.login(await gateway.create_user(roles=[Role.INVENTORY]))
    first = await gateway.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    latest = first.json()
    replay = await gateway.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert replay.status_code == 401
    assert code(replay) == "REFRESH_TOKEN_REUSED"
    # The legitimate holder's newer tokens die with the session.
    rotated = await gateway.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": latest["refresh_token"]}
    )
    assert rotated.status_code == 401
    assert code(rotated) == "INVALID_REFRESH_TOKEN"
    me = await gateway.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {latest['access_token']}"}
    )
    assert me.status_code == 401


async def test_two_concurrent_refreshes_with_one_token_do_not_both_succeed(gateway):
    tokens = await gateway.login(await gateway.create_user(roles=[Role.INVENTORY]))
    body = {"refresh_token": tokens["refresh_token"]}
    answers = await asyncio.gather(
        gateway.client.post("/api/v1/auth/refresh", json=body),
        gateway.client.post("/api/v1/auth/refresh", json=body),
    )
    assert sorted(a.status_code for a in answers) == [200, 401]


async def test_an_unknown_refresh_token_is_refused(gateway):
    response = await gateway.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": "rt_made-up"}
    )
    assert response.status_code == 401
    assert code(response) == "INVALID_REFRESH_TOKEN"


async def test_logout_ends_the_session_its_access_token_and_its_refresh_token(gateway):
    tokens = await gateway.login(await gateway.create_user(roles=[Role.INVENTORY]))
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await gateway.client.post("/api/v1/auth/logout", headers=auth)).status_code == 204
    assert (await gateway.client.get("/api/v1/auth/me", headers=auth)).status_code == 401
    refresh = await gateway.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_logout_of_one_session_leaves_the_others(gateway):
    email = await gateway.create_user(roles=[Role.INVENTORY])
    laptop, phone = await gateway.login(email), await gateway.login(email)
    await gateway.client.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {laptop['access_token']}"}
    )
    me = await gateway.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {phone['access_token']}"}
    )
    assert me.status_code == 200


async def test_a_forged_or_expired_access_token_is_refused(make_gateway):
    gateway = await make_gateway(GATEWAY_ACCESS_TOKEN_TTL_SECONDS=30)
    tokens = await gateway.login(await gateway.create_user(roles=[Role.INVENTORY]))
    forged = tokens["access_token"][:-4] + (
        "AAAA" if not tokens["access_token"].endswith("AAAA") else "BBBB"
    )
    response = await gateway.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    other = await make_gateway(GATEWAY_ACCESS_TOKEN_SECRET="another-secret-entirely-0123456789")
    foreign = await other.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert foreign.status_code == 401


async def test_disabling_a_user_ends_their_sessions_and_refuses_their_login(gateway):
    admin = await gateway.headers_for([Role.ADMIN])
    email = await gateway.create_user(roles=[Role.INVENTORY])
    tokens = await gateway.login(email)
    user_id = tokens["user"]["id"]
    disabled = await gateway.client.patch(
        f"/api/v1/users/{user_id}", json={"active": False}, headers=admin
    )
    assert disabled.status_code == 200
    assert disabled.json()["active"] is False
    me = await gateway.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 401
    login = await gateway.client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert login.status_code == 401
