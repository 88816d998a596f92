"""Settings of the compliance service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from shared.settings import ServiceSettings, dev_database_url

__all__ = ["ComplianceSettings"]


class ComplianceSettings(ServiceSettings):
    service_name: str = Field(default="compliance", validation_alias="OTEL_SERVICE_NAME")
    database_url: SecretStr = Field(
        default=SecretStr(dev_database_url("compliance")),
        validation_alias=AliasChoices("COMPLIANCE_DATABASE_URL", "DATABASE_URL"),
    )
    consumer_group: str = Field(
        default="compliance",
        validation_alias="COMPLIANCE_CONSUMER_GROUP",
        description="The Kafka consumer group of the worker's consumers",
    )
