"""Failed logins are limited per account and per client address (429 with Retry-After)."""

from __future__ import annotations

import asyncio

import asyncpg
from gateway.domain import Role
from gateway.testing import PASSWORD


def code(response) -> str:
    return response.json()["error"]["code"]


async def fail(gateway, email: str):
    return await gateway.client.post(
        "/api/v1/auth/login", json={"email": email, "password": "wrong password"}
    )


async def test_five_failures_lock_the_account_even_for_the_right_password(gateway):
    email = await gateway.create_user(roles=[Role.AUDITOR])
    for _ in range(5):
        assert (await fail(gateway, email)).status_code == 401
    locked = await gateway.client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert code(locked) == "TOO_MANY_LOGIN_ATTEMPTS"
    retry_after = int(locked.headers["retry-after"])
    assert 0 < retry_after <= 900
    assert locked.json()["error"]["details"]["scope"] == "account"


async def test_the_lockout_lifts_when_the_failures_leave_the_window(make_gateway):
    gateway = await make_gateway(GATEWAY_LOGIN_WINDOW_SECONDS=1, GATEWAY_LOGIN_MAX_FAILURES=2)
    email = await gateway.create_user(roles=[Role.AUDITOR])
    await fail(gateway, email)
    await fail(gateway, email)
    assert (await fail(gateway, email)).status_code == 429
    await asyncio.sleep(1.2)
    assert (await gateway.login(email))["user"]["email"] == email


async def test_a_successful_login_clears_earlier_failures(make_gateway):
    gateway = await make_gateway(GATEWAY_LOGIN_MAX_FAILURES=3)
    email = await gateway.create_user(roles=[Role.AUDITOR])
    await fail(gateway, email)
    await fail(gateway, email)
    await gateway.login(email)
    await fail(gateway, email)
    await fail(gateway, email)
    assert (await gateway.login(email))["user"]["email"] == email


async def test_one_account_locked_leaves_the_others_alone(gateway):
    victim = await gateway.create_user(roles=[Role.AUDITOR])
    other = await gateway.create_user(roles=[Role.AUDITOR])
    for _ in range(5):
        await fail(gateway, victim)
    assert (await gateway.login(other))["user"]["email"] == other


async def test_a_client_address_guessing_across_accounts_is_limited(make_gateway):
    gateway = await make_gateway(GATEWAY_LOGIN_IP_MAX_FAILURES=4, client_address=("10.9.9.9", 1))
    for n in range(4):
        assert (await fail(gateway, f"guess{n}@test.example")).status_code == 401
    blocked = await fail(gateway, "another@test.example")
    assert blocked.status_code == 429
    assert blocked.json()["error"]["details"]["scope"] == "client"
    assert "retry-after" in blocked.headers


async def test_concurrent_guesses_cannot_exceed_the_limit(gateway):
    email = await gateway.create_user(roles=[Role.AUDITOR])
    answers = await asyncio.gather(*(fail(gateway, email) for _ in range(12)))
    assert sum(a.status_code == 401 for a in answers) == 5
    assert sum(a.status_code == 429 for a in answers) == 7


async def test_old_login_attempts_and_long_ended_sessions_are_purged(make_gateway, gateway_db):
    gateway = await make_gateway()
    email = await gateway.create_user(roles=[Role.AUDITOR])
    old = await gateway.login(email)
    dsn = gateway_db.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO login_attempts (email, ip, succeeded, attempted_at)"
            " VALUES ($1, '10.0.0.9', false, now() - interval '30 days')",
            email,
        )
        await conn.execute(
            "UPDATE sessions SET expires_at = now() - interval '30 days' WHERE user_id = $1",
            old["user"]["id"],
        )
        # A fresh gateway process purges at its first login.
        fresh = await make_gateway()
        await fresh.login(email)
        attempts = await conn.fetchval(
            "SELECT count(*) FROM login_attempts WHERE attempted_at < now() - interval '1 day'"
        )
        ended = await conn.fetchval(
            "SELECT count(*) FROM sessions WHERE expires_at < now() - interval '1 day'"
        )
        tokens = await conn.fetchval("SELECT count(*) FROM refresh_tokens")
    finally:
        await conn.close()
    assert attempts == 0
    assert ended == 0
    assert tokens == 1  # only the new session's
