"""Composition root of the gateway service: the one place where adapters are built and wired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from opentelemetry.sdk.trace import TracerProvider
from shared.database import trace_engine
from shared.telemetry import configure_tracing
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.adapters.access_tokens import AccessTokens
from gateway.adapters.passwords import PasswordHashing
from gateway.adapters.upstream.clients import ClientLimits, make_client
from gateway.adapters.upstream.forwarder import Forwarder, IdentitySigner, Upstream
from gateway.config import GatewaySettings
from gateway.service_layer.accounts import AccountService
from gateway.service_layer.authenticate import Authenticator
from gateway.service_layer.sessions import LoginLimits, SessionService

__all__ = ["Container", "build", "build_accounts"]


@dataclass(frozen=True)
class Container:
    settings: GatewaySettings
    engine: AsyncEngine
    tracer_provider: TracerProvider
    authenticator: Authenticator
    sessions: SessionService
    accounts: AccountService
    forwarder: Forwarder
    upstreams: dict[str, Upstream]

    async def database_check(self) -> None:
        """Readiness: one round trip to the identity store's database."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.forwarder.close()
        await self.engine.dispose()


def _engine(settings: GatewaySettings) -> AsyncEngine:
    # hide_parameters: SQLAlchemy's error text would otherwise list every parameter of a failed
    # statement (a key's secret hash, an email) in the logs.
    return create_async_engine(
        settings.database_url.get_secret_value(),
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def _passwords(settings: GatewaySettings) -> PasswordHashing:
    return PasswordHashing(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def build(settings: GatewaySettings) -> Container:
    provider = configure_tracing(settings)
    engine = _engine(settings)
    trace_engine(engine, provider.get_tracer("gateway.db"))
    passwords = _passwords(settings)
    tokens = AccessTokens(
        settings.access_token_secret, timedelta(seconds=settings.access_token_ttl_seconds)
    )
    authenticator = Authenticator(
        engine=engine, access_tokens=tokens, cache_seconds=settings.auth_cache_seconds
    )
    client = make_client(
        settings.upstream_client,
        ClientLimits(
            max_connections=settings.upstream_max_connections,
            timeout_seconds=settings.upstream_timeout_seconds,
            connect_timeout_seconds=settings.upstream_connect_timeout_seconds,
        ),
    )
    forwarder = Forwarder(
        client=client,
        signer=IdentitySigner(
            settings.identity_private_key_pem(),
            timedelta(seconds=settings.identity_token_ttl_seconds),
        ),
        max_in_flight=settings.max_in_flight,
        overload_wait_seconds=settings.overload_wait_seconds,
    )
    return Container(
        settings=settings,
        engine=engine,
        tracer_provider=provider,
        authenticator=authenticator,
        sessions=SessionService(
            engine=engine,
            passwords=passwords,
            access_tokens=tokens,
            authenticator=authenticator,
            limits=LoginLimits(
                max_failures=settings.login_max_failures,
                ip_max_failures=settings.login_ip_max_failures,
                window=timedelta(seconds=settings.login_window_seconds),
                session_lifetime=timedelta(seconds=settings.refresh_token_ttl_seconds),
            ),
        ),
        accounts=AccountService(engine=engine, passwords=passwords, authenticator=authenticator),
        forwarder=forwarder,
        upstreams={
            "inventory": Upstream("inventory", settings.inventory_url),
            "compliance": Upstream("compliance", settings.compliance_url),
            "reporting": Upstream("reporting", settings.reporting_url),
        },
    )


def build_accounts(settings: GatewaySettings) -> tuple[AccountService, AsyncEngine]:
    """What the command line needs to manage accounts: no tracing, no upstream clients."""
    engine = _engine(settings)
    tokens = AccessTokens(
        settings.access_token_secret, timedelta(seconds=settings.access_token_ttl_seconds)
    )
    authenticator = Authenticator(engine=engine, access_tokens=tokens, cache_seconds=0)
    return AccountService(
        engine=engine, passwords=_passwords(settings), authenticator=authenticator
    ), engine
