"""Settings of the inventory service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode
from shared.settings import (
    ServiceSettings,
    consumer_group_field,
    database_url_field,
    service_name_field,
)

from inventory.domain.intake import METRC_UNITS_OF_MEASURE

__all__ = ["InventorySettings"]


class InventorySettings(ServiceSettings):
    service_name: str = service_name_field("inventory")
    database_url: SecretStr = database_url_field("inventory")
    consumer_group: str = consumer_group_field("inventory")
    database_pool_size: int = Field(
        default=20, ge=1, le=200, validation_alias="INVENTORY_DATABASE_POOL_SIZE"
    )
    trace_database: bool = Field(
        default=True,
        validation_alias="INVENTORY_TRACE_DATABASE",
        description="A client span per SQL statement (its text, never its values)",
    )
    units_of_measure: Annotated[tuple[str, ...], NoDecode] = Field(
        default=METRC_UNITS_OF_MEASURE,
        min_length=1,
        validation_alias="INVENTORY_UNITS_OF_MEASURE",
        description="Comma-separated units a product may be measured in (the state's, as Metrc"
        " spells them); default: Metrc's active units",
    )

    @field_validator("units_of_measure", mode="before")
    @classmethod
    def _split_units(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(unit.strip() for unit in value.split(",") if unit.strip())
        return value
