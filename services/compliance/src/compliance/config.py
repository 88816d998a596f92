"""Settings of the compliance service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from shared.settings import ServiceSettings, dev_database_url

__all__ = ["DEV_CREDENTIAL_KEYS", "ComplianceSettings"]

DEV_CREDENTIAL_KEYS = "canopy-dev-key:Y2Fub3B5LWRldi1jcmVkZW50aWFsLWtleS0wMDAwMDA="
"""Development keyring; its id starts with ``canopy-dev-``, so production refuses to start with it."""


class ComplianceSettings(ServiceSettings):
    service_name: str = Field(default="compliance", validation_alias="OTEL_SERVICE_NAME")
    database_url: SecretStr = Field(
        default=SecretStr(dev_database_url("compliance")),
        validation_alias=AliasChoices("COMPLIANCE_DATABASE_URL", "DATABASE_URL"),
    )
    credential_keys: SecretStr = Field(
        default=SecretStr(DEV_CREDENTIAL_KEYS),
        validation_alias="COMPLIANCE_CREDENTIAL_KEYS",
        description=(
            "Keyring that encrypts the Metrc API keys at rest: <key id>:<base64 of 32 bytes>, "
            "comma-separated, current key first"
        ),
    )
    consumer_group: str = Field(
        default="compliance",
        validation_alias="COMPLIANCE_CONSUMER_GROUP",
        description="The Kafka consumer group of the worker's consumers",
    )
