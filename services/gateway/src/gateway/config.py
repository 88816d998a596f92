"""Settings of the gateway service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from shared.settings import ServiceSettings, dev_database_url

__all__ = ["GatewaySettings"]


class GatewaySettings(ServiceSettings):
    service_name: str = Field(default="gateway", validation_alias="OTEL_SERVICE_NAME")
    database_url: SecretStr = Field(
        default=SecretStr(dev_database_url("gateway")),
        validation_alias=AliasChoices("GATEWAY_DATABASE_URL", "DATABASE_URL"),
    )
