"""Passwords, tokens and keys never appear in logs, and responses never echo them back."""

from __future__ import annotations

import logging

from gateway.domain import Role
from gateway.testing import PASSWORD


async def test_no_secret_reaches_the_logs_or_is_echoed_in_an_answer(gateway, upstream, caplog):
    caplog.set_level(logging.DEBUG)
    admin_tokens = await gateway.login(await gateway.create_user(roles=[Role.ADMIN]))
    admin = {"Authorization": f"Bearer {admin_tokens['access_token']}"}
    secrets: list[str] = [PASSWORD, admin_tokens["access_token"], admin_tokens["refresh_token"]]
    answers = []

    new_password = "another very secret password"
    secrets.append(new_password)
    created = await gateway.client.post(
        "/api/v1/users",
        json={"email": "s@test.example", "password": new_password, "roles": ["Inventory"]},
        headers=admin,
    )
    answers.append(created)
    key = await gateway.client.post(
        "/api/v1/api-keys", json={"name": "k", "roles": ["Auditor"], "sites": ["*"]}, headers=admin
    )
    secrets.append(key.json()["key"])
    tokens = await gateway.login("s@test.example", new_password)
    secrets += [tokens["access_token"], tokens["refresh_token"]]
    refreshed = await gateway.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    secrets += [refreshed.json()["access_token"], refreshed.json()["refresh_token"]]
    # Reuse, a wrong password, a lockout, forwarded calls and a failing upstream all log something.
    answers.append(
        await gateway.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
    )
    wrong_password = "wrong-password-guess-1"
    secrets.append(wrong_password)
    login = {"email": "s@test.example", "password": wrong_password}
    answers += [await gateway.client.post("/api/v1/auth/login", json=login) for _ in range(6)]
    answers.append(
        await gateway.client.post(
            "/api/v1/auth/login", json={"email": "s@test.example", "password": 12345}
        )
    )
    answers.append(
        await gateway.client.get("/api/v1/widgets/w", headers={"X-API-Key": key.json()["key"]})
    )
    answers.append(
        await gateway.client.get(
            "/api/v1/widgets/w", headers={"Authorization": f"Bearer {tokens['access_token']}x"}
        )
    )
    answers.append(
        await gateway.client.get(
            "/api/v1/auth/me", headers={"X-API-Key": key.json()["key"][:-2] + "zz"}
        )
    )
    answers.append(
        await gateway.client.post(
            "/api/v1/users",
            json={"email": "t@test.example", "password": "short"},
            headers=admin,
        )
    )
    assert upstream.requests, "a forwarded call was part of the scenario"

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )
    assert len(caplog.records) > 5, "the scenario logs"
    for secret in secrets:
        assert secret not in logged
        fragment = secret[-16:]
        assert fragment not in logged
        for answer in answers:
            assert secret not in answer.text
    # The key's public id may be logged: that is what it is for.
    assert key.json()["id"] in logged


async def test_secret_holders_do_not_show_secrets_in_their_repr(gateway):
    tokens = await gateway.login(await gateway.create_user(roles=[Role.ADMIN]))
    user = await gateway.container.accounts.user_by_email(tokens["user"]["email"])
    assert user is not None
    assert "argon2" not in repr(user)
    created = await gateway.container.accounts.create_api_key(
        name="k", roles=["Auditor"], sites=["*"], created_by=None, expires_at=None
    )
    assert created.key.get_secret_value() not in repr(created)
    assert created.record.secret_hash not in repr(created.record)
