"""What a service's composition root (its ``bootstrap``) hands the processes it builds: the
settings, tracing, and its database's readiness and shutdown. The API (``shared.http``) and the
workers (``shared.messaging``) take the service's container as this."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from opentelemetry.sdk.trace import TracerProvider

from shared.settings import ServiceSettings

__all__ = ["ServiceParts"]


class ServiceParts(Protocol):
    """Satisfied by every service's container (a frozen dataclass with these fields)."""

    @property
    def settings(self) -> ServiceSettings: ...
    @property
    def tracer_provider(self) -> TracerProvider | None: ...
    def database_check(self) -> Awaitable[None]: ...
    def close(self) -> Awaitable[None]: ...
