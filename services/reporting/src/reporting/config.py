"""Settings of the reporting service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from pydantic import SecretStr
from shared.settings import (
    ServiceSettings,
    consumer_group_field,
    database_url_field,
    service_name_field,
)

__all__ = ["ReportingSettings"]


class ReportingSettings(ServiceSettings):
    service_name: str = service_name_field("reporting")
    database_url: SecretStr = database_url_field("reporting")
    consumer_group: str = consumer_group_field("reporting")
