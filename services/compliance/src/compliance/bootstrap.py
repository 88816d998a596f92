"""Composition root of the compliance service: the one place where adapters are built and wired."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from shared.database import Database, UnitOfWork
from shared.telemetry import configure_tracing

from compliance.config import ComplianceSettings
from compliance.entrypoints import api
from compliance.entrypoints.container import Container

__all__ = ["build", "create_app"]


def build(settings: ComplianceSettings) -> Container:
    tracer_provider = configure_tracing(settings)
    database = Database.of_service(settings, tracer_provider)  # created on first use
    return Container(
        settings=settings,
        uow=partial(UnitOfWork, database),
        database_check=database.check,
        close=database.close,
        tracer_provider=tracer_provider,
    )


def create_app(settings: ComplianceSettings | None = None) -> FastAPI:
    """The API process's app (``python -m compliance api`` names this factory)."""
    return api.create_app(build(settings or ComplianceSettings()))
