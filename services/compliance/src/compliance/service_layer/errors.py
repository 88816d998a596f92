"""Refusals of the service layer (the domain's are in ``compliance.domain.errors``)."""

from __future__ import annotations

from compliance.domain import ComplianceError

__all__ = ["NotFoundError"]


class NotFoundError(ComplianceError):
    """``code`` names what is missing: BATCH_NOT_TRACKED, SUBMISSION_NOT_FOUND,
    CREDENTIALS_NOT_FOUND, RULES_NOT_FOUND."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)
