"""Errors of the reporting domain, each with a stable code."""

from __future__ import annotations

__all__ = ["InconsistentEventError", "InvalidReportParametersError", "ReportingDomainError"]


class ReportingDomainError(Exception):
    code = "REPORTING_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InconsistentEventError(ReportingDomainError):
    """An event contradicts itself (ledger rows of another batch or version, costs missing
    their figures): it cannot be projected. A consumer dead-letters it; nothing is applied."""

    code = "INVALID_EVENT"


class InvalidReportParametersError(ReportingDomainError):
    """A report was asked for with parameters that make no sense (aging thresholds out of
    order, a negative limit)."""

    code = "VALIDATION_ERROR"
