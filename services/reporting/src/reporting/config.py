"""Settings of the reporting service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from shared.settings import ServiceSettings, dev_database_url

__all__ = ["ReportingSettings"]


class ReportingSettings(ServiceSettings):
    service_name: str = Field(default="reporting", validation_alias="OTEL_SERVICE_NAME")
    database_url: SecretStr = Field(
        default=SecretStr(dev_database_url("reporting")),
        validation_alias=AliasChoices("REPORTING_DATABASE_URL", "DATABASE_URL"),
    )
    consumer_group: str = Field(
        default="reporting",
        validation_alias="REPORTING_CONSUMER_GROUP",
        description="The Kafka consumer group of the worker's consumers",
    )
