"""Composition root of the reporting service: the one place where adapters are built and wired."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider
from shared.database import Database, open_database
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
    return Container(
        settings=settings, database=open_database(settings, provider), tracer_provider=provider
    )
