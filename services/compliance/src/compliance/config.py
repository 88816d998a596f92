"""Settings of the compliance service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, SecretStr
from shared.settings import (
    ServiceSettings,
    consumer_group_field,
    database_url_field,
    service_name_field,
)

__all__ = ["DEV_CREDENTIAL_KEYS", "ComplianceSettings", "SmtpSecurity"]

DEV_CREDENTIAL_KEYS = "canopy-dev-key:Y2Fub3B5LWRldi1jcmVkZW50aWFsLWtleS0wMDAwMDA="
"""Development keyring; its id starts with ``canopy-dev-``, so production refuses to start with it."""


class SmtpSecurity(StrEnum):
    NONE = "none"
    """Plain SMTP (a local relay or a test sink)."""
    STARTTLS = "starttls"
    """Upgrade to TLS with STARTTLS (port 587); refused if the server does not offer it."""
    TLS = "tls"
    """TLS from the first byte (port 465)."""


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
    # --- notifications by email ----------------------------------------------------------------
    smtp_host: str | None = Field(
        default=None,
        validation_alias="COMPLIANCE_SMTP_HOST",
        description="Mail server for the notification feed; unset: nothing is mailed",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, validation_alias="COMPLIANCE_SMTP_PORT")
    smtp_security: SmtpSecurity = Field(
        default=SmtpSecurity.STARTTLS, validation_alias="COMPLIANCE_SMTP_SECURITY"
    )
    smtp_username: str | None = Field(default=None, validation_alias="COMPLIANCE_SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(
        default=None, validation_alias="COMPLIANCE_SMTP_PASSWORD"
    )
    smtp_from: str = Field(
        default="canopy-compliance@localhost",
        validation_alias="COMPLIANCE_SMTP_FROM",
        description="The notifications' From address",
    )
    smtp_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias="COMPLIANCE_SMTP_TIMEOUT_SECONDS"
    )
    notify_default_emails: str = Field(
        default="",
        validation_alias="COMPLIANCE_NOTIFY_DEFAULT_EMAILS",
        description="Comma-separated addresses for notifications of a license with none of its own",
    )
    notify_interval_seconds: float = Field(
        default=30.0, gt=0, validation_alias="COMPLIANCE_NOTIFY_INTERVAL_SECONDS"
    )

    @property
    def default_recipients(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.notify_default_emails.split(",") if a.strip())
