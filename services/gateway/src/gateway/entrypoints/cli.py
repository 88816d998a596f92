"""Account commands: ``python -m gateway create-admin`` and ``python -m gateway seed-demo``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

from pydantic import SecretStr
from shared.errors import ServiceError
from shared.settings import Environment

from gateway.bootstrap import build_accounts
from gateway.config import GatewaySettings
from gateway.domain import Role

__all__ = ["ACCOUNT_COMMANDS", "DEMO_USERS", "main"]

ACCOUNT_COMMANDS = ("create-admin", "seed-demo")


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: Role
    sites: tuple[str, ...]

    @property
    def password(self) -> str:
        # Development only (seed-demo refuses production); printed by make up on purpose.
        return f"canopy-demo-{self.role.name.lower().replace('_', '-')}"


# Every demo user sees every site, so the demo works whatever sites the inventory holds; narrow
# a user with PUT /api/v1/users/{id}/sites to see site scoping at work.
DEMO_USERS = (
    DemoUser("admin@canopy.example", Role.ADMIN, ("*",)),
    DemoUser("owner@canopy.example", Role.OWNER, ("*",)),
    DemoUser("qa@canopy.example", Role.COMPLIANCE_QA, ("*",)),
    DemoUser("inventory@canopy.example", Role.INVENTORY, ("*",)),
    DemoUser("sales@canopy.example", Role.SALES_MANAGER, ("*",)),
    DemoUser("auditor@canopy.example", Role.AUDITOR, ("*",)),
)


def _say(text: str, *, error: bool = False) -> None:
    (sys.stderr if error else sys.stdout).write(text + "\n")


async def _create_admin(
    settings: GatewaySettings, email: str, password: SecretStr, name: str | None
) -> int:
    accounts, engine = build_accounts(settings)
    try:
        user = await accounts.create_user(
            email=email, password=password, display_name=name, roles=[Role.ADMIN], sites=["*"]
        )
    except ServiceError as error:
        _say(f"create-admin: {error.message}", error=True)
        return 1
    finally:
        await engine.dispose()
    _say(f"admin {user.email} created (id {user.id})")
    return 0


async def _seed_demo(settings: GatewaySettings, base_url: str) -> int:
    if settings.environment is Environment.PRODUCTION:
        _say("seed-demo: refusing to create demo users in production", error=True)
        return 1
    accounts, engine = build_accounts(settings)
    try:
        for demo in DEMO_USERS:
            if await accounts.user_by_email(demo.email) is None:
                await accounts.create_user(
                    email=demo.email,
                    password=SecretStr(demo.password),
                    display_name=f"Demo {demo.role.value}",
                    roles=[demo.role],
                    sites=demo.sites,
                )
    finally:
        await engine.dispose()
    _say("Demo users (development only):")
    for demo in DEMO_USERS:
        sites = ", ".join(demo.sites).replace("*", "all sites")
        _say(f"  {demo.role.value:<14} {demo.email:<26} password {demo.password:<26} {sites}")
    first = DEMO_USERS[0]
    _say(
        "Log in:\n"
        f"  curl -s -X POST {base_url}/api/v1/auth/login -H 'Content-Type: application/json' \\\n"
        f'       -d \'{{"email": "{first.email}", "password": "{first.password}"}}\'\n'
        "  then send 'Authorization: Bearer <access_token>' with every request."
    )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create the first administrator")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default=None)
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (never from the command line)",
    )
    seed = commands.add_parser("seed-demo", help="create one demo user per role (idempotent)")
    seed.add_argument("--base-url", default="http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    settings = GatewaySettings()
    if args.command == "create-admin":
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 12:
            _say("create-admin: the password must have at least 12 characters", error=True)
            return 2
        return asyncio.run(_create_admin(settings, args.email, SecretStr(password), args.name))
    return asyncio.run(_seed_demo(settings, args.base_url))
