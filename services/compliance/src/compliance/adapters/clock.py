"""The wall clock of the service layer's ``Clock`` port: aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["UtcClock"]


class UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
