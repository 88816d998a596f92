"""Unit tests of the credential formats, password hashing, caching and the role matrix."""

from __future__ import annotations

import asyncio

import pytest
from gateway.adapters.passwords import PasswordHashing
from gateway.domain import (
    ALL_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    hash_secret,
    new_api_key,
    new_refresh_token,
    parse_api_key,
    permissions_of,
)
from gateway.service_layer.cache import TtlCache
from pydantic import SecretStr


def test_an_api_key_round_trips_through_its_format():
    key = new_api_key()
    assert parse_api_key(key.token) == key
    assert key.secret not in repr(key)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "cnp",
        "cnp_",
        "xyz_0123456789ab_secret",
        "cnp_0123_secret",
        "cnp_0123456789ab_",
        "cnp_0123456789AB_secret",
        "cnp_zz23456789ab_secret",
    ],
)
def test_malformed_api_keys_are_not_parsed(token):
    assert parse_api_key(token) is None


def test_secrets_are_random_and_stored_only_as_hashes():
    tokens = {new_refresh_token() for _ in range(100)}
    assert len(tokens) == 100
    token = tokens.pop()
    assert hash_secret(token) != token
    assert len(hash_secret(token)) == 64
    assert hash_secret(token) == hash_secret(token)


async def test_passwords_are_hashed_with_argon2id_and_verified():
    hashing = PasswordHashing(time_cost=1, memory_kib=1024, parallelism=1)
    stored = await hashing.hash(SecretStr("a good long password"))
    assert stored.startswith("$argon2id$")
    assert "a good long password" not in stored
    assert (await hashing.verify(stored, SecretStr("a good long password"))).matched
    assert not (await hashing.verify(stored, SecretStr("a good long passwore"))).matched
    assert not (await hashing.verify(None, SecretStr("anything"))).matched
    assert not (await hashing.verify("not a hash", SecretStr("anything"))).matched


async def test_the_default_cost_is_rfc_9106s_and_weaker_hashes_are_upgraded_on_login():
    weak = PasswordHashing(time_cost=1, memory_kib=1024, parallelism=1)
    strong = PasswordHashing(time_cost=3, memory_kib=65_536, parallelism=4)
    stored = await weak.hash(SecretStr("a good long password"))
    outcome = await strong.verify(stored, SecretStr("a good long password"))
    assert outcome.matched
    assert outcome.new_hash is not None
    assert "m=65536,t=3,p=4" in outcome.new_hash
    assert (
        await strong.verify(outcome.new_hash, SecretStr("a good long password"))
    ).new_hash is None


def test_the_role_matrix():
    assert ROLE_PERMISSIONS[Role.ADMIN] == ALL_PERMISSIONS
    assert Permission.USERS_MANAGE not in ROLE_PERMISSIONS[Role.OWNER]
    assert ROLE_PERMISSIONS[Role.AUDITOR] == {Permission.INVENTORY_READ, Permission.REPORTS_READ}
    assert Permission.INVENTORY_DELETE not in ROLE_PERMISSIONS[Role.INVENTORY]
    assert Permission.COMPLIANCE_SYNC in ROLE_PERMISSIONS[Role.COMPLIANCE_QA]
    assert all(Permission.INVENTORY_READ in granted for granted in ROLE_PERMISSIONS.values())
    assert permissions_of(["Auditor", "Inventory"]) == (
        ROLE_PERMISSIONS[Role.AUDITOR] | ROLE_PERMISSIONS[Role.INVENTORY]
    )
    assert permissions_of(["Nobody"]) == frozenset()


def test_the_migration_seeds_exactly_the_roles_of_the_code():
    from importlib import util
    from pathlib import Path

    import gateway

    path = Path(gateway.__file__).parent / "migrations" / "versions" / "0001_identity_store.py"
    spec = util.spec_from_file_location("identity_migration", path)
    assert spec is not None
    assert spec.loader is not None
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert {name for name, _ in module.ROLES} == {role.value for role in Role}


async def test_the_cache_shares_one_load_between_concurrent_misses_and_expires():
    now = [0.0]
    cache: TtlCache[int] = TtlCache(5, clock=lambda: now[0])
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return loads

    assert await asyncio.gather(*(cache.get("k", load) for _ in range(20))) == [1] * 20
    now[0] = 4.9
    assert await cache.get("k", load) == 1
    now[0] = 5.1
    assert await cache.get("k", load) == 2
    cache.forget("k")
    assert await cache.get("k", load) == 3


async def test_a_failed_load_is_not_cached():
    cache: TtlCache[int] = TtlCache(60)
    calls = 0

    async def flaky() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database away")
        return 7

    with pytest.raises(ConnectionError):
        await cache.get("k", flaky)
    assert await cache.get("k", flaky) == 7
