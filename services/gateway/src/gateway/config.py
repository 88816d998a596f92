"""Settings of the gateway service (environment variables; see the README's Gateway section)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode
from shared.settings import (
    Environment,
    ServiceSettings,
    database_url_field,
    service_name_field,
)

from gateway.adapters.upstream.clients import ClientKind

__all__ = ["DEV_ACCESS_TOKEN_SECRET", "GatewaySettings"]

# Development default only: a production process refuses to start with it (see ServiceSettings).
DEV_ACCESS_TOKEN_SECRET = "canopy-dev-access-token-secret-do-not-use-in-production"


class GatewaySettings(ServiceSettings):
    service_name: str = service_name_field("gateway")
    database_url: SecretStr = database_url_field("gateway")

    # --- upstream services -------------------------------------------------------------------
    inventory_url: str = Field(default="http://127.0.0.1:8001", validation_alias="INVENTORY_URL")
    compliance_url: str = Field(default="http://127.0.0.1:8002", validation_alias="COMPLIANCE_URL")
    reporting_url: str = Field(default="http://127.0.0.1:8003", validation_alias="REPORTING_URL")
    upstream_client: ClientKind = Field(
        default=ClientKind.AIOHTTP,
        validation_alias="GATEWAY_UPSTREAM_CLIENT",
        description="aiohttp | httpx-aiohttp | httpx: the forwarding client (make bench-gateway)",
    )
    upstream_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias="GATEWAY_UPSTREAM_TIMEOUT_SECONDS"
    )
    upstream_connect_timeout_seconds: float = Field(
        default=2.0, gt=0, validation_alias="GATEWAY_UPSTREAM_CONNECT_TIMEOUT_SECONDS"
    )
    upstream_max_connections: int = Field(
        default=128, ge=1, validation_alias="GATEWAY_UPSTREAM_MAX_CONNECTIONS"
    )
    max_in_flight: int = Field(
        default=512,
        ge=1,
        validation_alias="GATEWAY_MAX_IN_FLIGHT",
        description="Forwarded requests allowed at once; beyond it, waiters queue briefly",
    )
    overload_wait_seconds: float = Field(
        default=2.0,
        ge=0,
        validation_alias="GATEWAY_OVERLOAD_WAIT_SECONDS",
        description="How long a request waits for a forwarding slot before 503 OVERLOADED",
    )

    # --- HTTP edge ---------------------------------------------------------------------------
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias="GATEWAY_CORS_ORIGINS",
        description="Comma-separated origins allowed by CORS (e.g. the frontend's)",
    )
    max_request_bytes: int = Field(
        default=1_048_576, ge=1, validation_alias="GATEWAY_MAX_REQUEST_BYTES"
    )
    web_dist: Path | None = Field(
        default=None,
        validation_alias="GATEWAY_WEB_DIST",
        description="The built web application served at / (default: services/gateway/web/dist)",
    )

    # --- authentication ----------------------------------------------------------------------
    access_token_secret: SecretStr = Field(
        default=SecretStr(DEV_ACCESS_TOKEN_SECRET), validation_alias="GATEWAY_ACCESS_TOKEN_SECRET"
    )
    access_token_ttl_seconds: int = Field(
        default=900, ge=30, validation_alias="GATEWAY_ACCESS_TOKEN_TTL_SECONDS"
    )
    refresh_token_ttl_seconds: int = Field(
        default=14 * 24 * 3600, ge=60, validation_alias="GATEWAY_REFRESH_TOKEN_TTL_SECONDS"
    )
    identity_private_key: SecretStr | None = Field(
        default=None,
        validation_alias="GATEWAY_IDENTITY_PRIVATE_KEY",
        description="PEM of the Ed25519 key that signs identity tokens for the services",
    )
    identity_private_key_file: Path | None = Field(
        default=None, validation_alias="GATEWAY_IDENTITY_PRIVATE_KEY_FILE"
    )
    identity_token_ttl_seconds: int = Field(
        default=60, ge=10, validation_alias="GATEWAY_IDENTITY_TOKEN_TTL_SECONDS"
    )
    auth_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        validation_alias="GATEWAY_AUTH_CACHE_SECONDS",
        description="How long a looked-up session or API key is trusted before it is read again",
    )
    login_max_failures: int = Field(default=5, ge=1, validation_alias="GATEWAY_LOGIN_MAX_FAILURES")
    login_ip_max_failures: int = Field(
        default=20, ge=1, validation_alias="GATEWAY_LOGIN_IP_MAX_FAILURES"
    )
    login_window_seconds: int = Field(
        default=900, ge=1, validation_alias="GATEWAY_LOGIN_WINDOW_SECONDS"
    )
    # argon2id cost: RFC 9106's second recommended option (t=3, 64 MiB, p=4) by default.
    argon2_time_cost: int = Field(default=3, ge=1, validation_alias="GATEWAY_ARGON2_TIME_COST")
    argon2_memory_kib: int = Field(
        default=65_536, ge=8, validation_alias="GATEWAY_ARGON2_MEMORY_KIB"
    )
    argon2_parallelism: int = Field(default=4, ge=1, validation_alias="GATEWAY_ARGON2_PARALLELISM")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _require_identity_key_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and not (
            self.identity_private_key or self.identity_private_key_file
        ):
            raise ValueError(
                "refusing to start in production without GATEWAY_IDENTITY_PRIVATE_KEY"
                " or GATEWAY_IDENTITY_PRIVATE_KEY_FILE"
            )
        return self

    def identity_private_key_pem(self) -> SecretStr:
        """The key that signs identity tokens; without it the gateway cannot reach any service."""
        if self.identity_private_key is not None:
            return self.identity_private_key
        if self.identity_private_key_file is not None:
            return SecretStr(self.identity_private_key_file.read_text())
        raise RuntimeError(
            "no identity private key: set GATEWAY_IDENTITY_PRIVATE_KEY or"
            " GATEWAY_IDENTITY_PRIVATE_KEY_FILE (make up generates a development pair in"
            " .stack/identity)"
        )
