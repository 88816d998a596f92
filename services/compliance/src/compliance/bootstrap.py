"""Composition root of the compliance service: the one place where adapters are built and wired."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider
from shared.database import Database
from shared.telemetry import configure_tracing

from compliance.config import ComplianceSettings

__all__ = ["Container", "build"]


@dataclass(frozen=True)
class Container:
    settings: ComplianceSettings
    database: Database
    tracer_provider: TracerProvider


def build(settings: ComplianceSettings) -> Container:
    provider = configure_tracing(settings)
    database = Database(
        settings.database_url.get_secret_value(),
        name="compliance",
        tracer=provider.get_tracer("compliance.database"),
    )
    return Container(settings=settings, database=database, tracer_provider=provider)
