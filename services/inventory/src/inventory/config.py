"""Settings of the inventory service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from shared.settings import ServiceSettings, database_url_field, service_name_field

__all__ = ["InventorySettings"]


class InventorySettings(ServiceSettings):
    service_name: str = service_name_field("inventory")
    database_url: SecretStr = database_url_field("inventory")
    database_pool_size: int = Field(
        default=20, ge=1, le=200, validation_alias="INVENTORY_DATABASE_POOL_SIZE"
    )
    trace_database: bool = Field(
        default=True,
        validation_alias="INVENTORY_TRACE_DATABASE",
        description="A client span per SQL statement (its text, never its values)",
    )
