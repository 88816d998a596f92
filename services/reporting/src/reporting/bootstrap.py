"""Composition root of the reporting service: the one place where adapters are built and wired."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from shared.database import Database, UnitOfWork
from shared.telemetry import configure_tracing

from reporting.adapters.read_model import reading
from reporting.config import ReportingSettings
from reporting.entrypoints import api
from reporting.entrypoints.container import Container

__all__ = ["build", "create_app"]


def build(settings: ReportingSettings) -> Container:
    tracer_provider = configure_tracing(settings)
    database = Database.of_service(settings, tracer_provider)  # created on first use
    return Container(
        settings=settings,
        uow=partial(UnitOfWork, database),
        reports=partial(reading, database),
        database_check=database.check,
        close=database.close,
        tracer_provider=tracer_provider,
    )


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    """The API process's app (``python -m reporting api`` names this factory)."""
    return api.create_app(build(settings or ReportingSettings()))
