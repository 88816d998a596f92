"""Settings of the inventory service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from shared.settings import ServiceSettings, dev_database_url

__all__ = ["InventorySettings"]


class InventorySettings(ServiceSettings):
    service_name: str = Field(default="inventory", validation_alias="OTEL_SERVICE_NAME")
    database_url: SecretStr = Field(
        default=SecretStr(dev_database_url("inventory")),
        validation_alias=AliasChoices("INVENTORY_DATABASE_URL", "DATABASE_URL"),
    )
    database_pool_size: int = Field(
        default=20, ge=1, le=200, validation_alias="INVENTORY_DATABASE_POOL_SIZE"
    )
    trace_database: bool = Field(
        default=True,
        validation_alias="INVENTORY_TRACE_DATABASE",
        description="A client span per SQL statement (its text, never its values)",
    )
