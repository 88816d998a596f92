"""Settings base for every Canopy service (12-factor: environment variables, typed, secrets masked).

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix`` for service-specific
values; the platform values (database, Kafka, telemetry) are read without prefix so one
environment can serve the native stack, docker-compose and Kubernetes alike.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "PLACEHOLDER_SECRETS",
    "Environment",
    "ServiceSettings",
    "TraceExporter",
    "consumer_group_field",
    "database_url_field",
    "dev_database_url",
    "service_name_field",
]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class TraceExporter(StrEnum):
    ZIPKIN = "zipkin"
    OTLP = "otlp"
    CONSOLE = "console"
    NONE = "none"


# Values that ship as development defaults; a production process refuses to start with any of them.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "secret",
        "password",
        "postgres",
        "canopy-dev-inventory",
        "canopy-dev-compliance",
        "canopy-dev-reporting",
        "canopy-dev-gateway",
        "canopy-dev-signing-key-do-not-use-in-production",
        "canopy-dev-encryption-key-do-not-use-in-production",
        "canopy-dev-identity-key-do-not-use-in-production",
    }
)


class ServiceSettings(BaseSettings):
    """What every service needs: where its database and Kafka are, and how it reports telemetry."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    service_name: str = Field(default="canopy", validation_alias="OTEL_SERVICE_NAME")
    environment: Environment = Field(default=Environment.DEVELOPMENT, validation_alias="CANOPY_ENV")
    database_url: SecretStr = Field(
        default=SecretStr("postgresql+asyncpg://postgres:postgres@127.0.0.1:55432/postgres"),
        validation_alias="DATABASE_URL",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092", validation_alias="KAFKA_BOOTSTRAP_SERVERS"
    )
    trace_exporter: TraceExporter = Field(
        default=TraceExporter.NONE, validation_alias="OTEL_TRACES_EXPORTER"
    )
    zipkin_endpoint: str = Field(
        default="http://127.0.0.1:9411/api/v2/spans",
        validation_alias="OTEL_EXPORTER_ZIPKIN_ENDPOINT",
    )
    otlp_endpoint: str = Field(
        default="http://127.0.0.1:4318/v1/traces", validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    identity_public_key: str | None = Field(
        default=None,
        validation_alias="CANOPY_IDENTITY_PUBLIC_KEY",
        description="PEM of the gateway's Ed25519 public key, which signs identity tokens",
    )
    identity_public_key_file: Path | None = Field(
        default=None, validation_alias="CANOPY_IDENTITY_PUBLIC_KEY_FILE"
    )
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    log_json: bool = Field(default=True, validation_alias="LOG_JSON")

    def identity_public_key_pem(self) -> str:
        """The key that verifies identity tokens; services refuse every request without one."""
        if self.identity_public_key:
            return self.identity_public_key
        if self.identity_public_key_file:
            return self.identity_public_key_file.read_text()
        raise RuntimeError(
            "no identity public key: set CANOPY_IDENTITY_PUBLIC_KEY or CANOPY_IDENTITY_PUBLIC_KEY_FILE"
            " (make up generates a development pair in .stack/identity)"
        )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        """Outside development and tests, every secret must be a real one."""
        if self.environment is not Environment.PRODUCTION:
            return self
        offenders = [
            name
            for name, value in self
            if isinstance(value, SecretStr) and _is_placeholder(name, value.get_secret_value())
        ]
        if offenders:
            raise ValueError(
                "refusing to start in production with development placeholder secrets in: "
                + ", ".join(sorted(offenders))
                + " (set real values through the environment)"
            )
        return self


def _is_placeholder(field: str, value: str) -> bool:
    if field == "database_url":
        password = _password_of(value)
        return password is None or password in PLACEHOLDER_SECRETS
    return value in PLACEHOLDER_SECRETS or value.startswith("canopy-dev-")


def _password_of(url: str) -> str | None:
    # postgresql+asyncpg://user:password@host:port/db: the password sits between ':' and '@'.
    credentials = url.split("://", 1)[-1].rsplit("@", 1)
    if len(credentials) != 2 or ":" not in credentials[0]:
        return None
    return credentials[0].split(":", 1)[1]


def dev_database_url(service: str, port: int = 55432) -> str:
    """The native stack's database of ``service`` (see deploy/postgres.sh); development only."""
    return f"postgresql+asyncpg://{service}:canopy-dev-{service}@127.0.0.1:{port}/{service}"


def service_name_field(service: str) -> Any:
    """A service's ``service_name``: its name in traces, ``OTEL_SERVICE_NAME`` overriding it."""
    return Field(default=service, validation_alias="OTEL_SERVICE_NAME")


def database_url_field(service: str) -> Any:
    """A service's ``database_url``: ``<SERVICE>_DATABASE_URL`` (or ``DATABASE_URL``), else its
    database on the native stack."""
    return Field(
        default=SecretStr(dev_database_url(service)),
        validation_alias=AliasChoices(f"{service.upper()}_DATABASE_URL", "DATABASE_URL"),
    )


def consumer_group_field(service: str) -> Any:
    """The Kafka consumer group of a service's workers, ``<SERVICE>_CONSUMER_GROUP``."""
    return Field(
        default=service,
        validation_alias=f"{service.upper()}_CONSUMER_GROUP",
        description="The Kafka consumer group of the worker's consumers",
    )
