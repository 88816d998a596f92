"""Settings refuse unsafe production values; the account commands work on a real database."""

from __future__ import annotations

import io
import sys

import pytest
from gateway.__main__ import main
from gateway.config import GatewaySettings
from gateway.entrypoints.cli import DEMO_USERS
from pydantic import ValidationError


def test_production_refuses_the_development_token_secret(identity_keys):
    with pytest.raises(ValidationError, match="access_token_secret"):
        GatewaySettings(
            CANOPY_ENV="production",
            GATEWAY_DATABASE_URL="postgresql+asyncpg://g:a-real-password@db/g",
            GATEWAY_IDENTITY_PRIVATE_KEY=identity_keys[0],
        )


def test_production_refuses_a_missing_identity_key():
    with pytest.raises(ValidationError, match="GATEWAY_IDENTITY_PRIVATE_KEY"):
        GatewaySettings(
            CANOPY_ENV="production",
            GATEWAY_DATABASE_URL="postgresql+asyncpg://g:a-real-password@db/g",
            GATEWAY_ACCESS_TOKEN_SECRET="a real secret of decent length 0123456789",
        )


def test_production_accepts_real_secrets_and_reads_the_key_from_a_file(identity_keys, tmp_path):
    key_file = tmp_path / "private.pem"
    key_file.write_text(identity_keys[0])
    settings = GatewaySettings(
        CANOPY_ENV="production",
        GATEWAY_DATABASE_URL="postgresql+asyncpg://g:a-real-password@db/g",
        GATEWAY_ACCESS_TOKEN_SECRET="a real secret of decent length 0123456789",
        GATEWAY_IDENTITY_PRIVATE_KEY_FILE=str(key_file),
    )
    assert settings.identity_private_key_pem().get_secret_value() == identity_keys[0]
    assert identity_keys[0] not in repr(settings)


def test_without_an_identity_key_the_gateway_says_how_to_get_one():
    with pytest.raises(RuntimeError, match=r"\.stack/identity"):
        GatewaySettings().identity_private_key_pem()


def run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_create_admin_makes_a_first_admin_who_can_manage_users(gateway_db, monkeypatch, capsys):
    monkeypatch.setenv("GATEWAY_DATABASE_URL", gateway_db)
    password = "the first admin's password"
    code, out, err = run(
        monkeypatch,
        capsys,
        ["create-admin", "--email", "Root@Test.Example", "--password-stdin"],
        password + "\n",
    )
    assert code == 0, err
    assert "admin root@test.example created" in out
    assert password not in out + err
    again = run(
        monkeypatch,
        capsys,
        ["create-admin", "--email", "root@test.example", "--password-stdin"],
        password + "\n",
    )
    assert again[0] == 1
    assert "already exists" in again[2]
    short = run(
        monkeypatch,
        capsys,
        ["create-admin", "--email", "x@test.example", "--password-stdin"],
        "short\n",
    )
    assert short[0] == 2


async def test_the_created_admin_logs_in_with_admin_rights(make_gateway, gateway_db, monkeypatch):
    monkeypatch.setenv("GATEWAY_DATABASE_URL", gateway_db)
    monkeypatch.setattr(sys, "stdin", io.StringIO("the first admin's password\n"))
    import asyncio

    assert (
        await asyncio.to_thread(
            main, ["create-admin", "--email", "root@test.example", "--password-stdin"]
        )
        == 0
    )
    gateway = await make_gateway()
    tokens = await gateway.login("root@test.example", "the first admin's password")
    assert tokens["user"]["roles"] == ["Admin"]
    assert tokens["user"]["sites"] == ["*"]


def test_seed_demo_is_idempotent_and_prints_how_to_log_in(gateway_db, monkeypatch, capsys):
    monkeypatch.setenv("GATEWAY_DATABASE_URL", gateway_db)
    first = run(monkeypatch, capsys, ["seed-demo"])
    second = run(monkeypatch, capsys, ["seed-demo"])
    assert first[0] == 0
    assert second[0] == 0
    for demo in DEMO_USERS:
        assert demo.email in second[1]
        assert demo.password in second[1]
    assert "curl" in second[1]
    assert "/api/v1/auth/login" in second[1]


def test_seed_demo_refuses_production(monkeypatch, capsys, identity_keys):
    monkeypatch.setenv("CANOPY_ENV", "production")
    monkeypatch.setenv("GATEWAY_DATABASE_URL", "postgresql+asyncpg://g:a-real-password@db/g")
    monkeypatch.setenv("GATEWAY_ACCESS_TOKEN_SECRET", "a real secret of decent length 0123456789")
    monkeypatch.setenv("GATEWAY_IDENTITY_PRIVATE_KEY", identity_keys[0])
    assert run(monkeypatch, capsys, ["seed-demo"])[0] == 1
