"""Composition root of the reporting service: the one place where adapters are built and wired."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider
from shared.database import Database
from shared.telemetry import configure_tracing

from reporting.config import ReportingSettings

__all__ = ["Container", "build"]


@dataclass(frozen=True)
class Container:
    settings: ReportingSettings
    database: Database
    tracer_provider: TracerProvider


def build(settings: ReportingSettings) -> Container:
    provider = configure_tracing(settings)
    database = Database(
        settings.database_url.get_secret_value(),
        name="reporting",
        tracer=provider.get_tracer("reporting.database"),
    )
    return Container(settings=settings, database=database, tracer_provider=provider)
