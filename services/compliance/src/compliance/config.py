"""Settings of the compliance service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from shared.settings import (
    ServiceSettings,
    consumer_group_field,
    database_url_field,
    service_name_field,
)

__all__ = ["DEV_CREDENTIAL_KEYS", "ComplianceSettings"]

DEV_CREDENTIAL_KEYS = "canopy-dev-key:Y2Fub3B5LWRldi1jcmVkZW50aWFsLWtleS0wMDAwMDA="
"""Development keyring; its id starts with ``canopy-dev-``, so production refuses to start with it."""


class ComplianceSettings(ServiceSettings):
    service_name: str = service_name_field("compliance")
    database_url: SecretStr = database_url_field("compliance")
    credential_keys: SecretStr = Field(
        default=SecretStr(DEV_CREDENTIAL_KEYS),
        validation_alias="COMPLIANCE_CREDENTIAL_KEYS",
        description=(
            "Keyring that encrypts the Metrc API keys at rest: <key id>:<base64 of 32 bytes>, "
            "comma-separated, current key first"
        ),
    )
    consumer_group: str = consumer_group_field("compliance")
