"""Errors of the compliance domain: a stable code, a message and details for the error body."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ComplianceError",
    "InvalidRulesError",
    "InvalidTransitionError",
    "RuleViolation",
]


class ComplianceError(Exception):
    """Base of every refusal of the compliance domain and service layer."""

    code: str = "COMPLIANCE_ERROR"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        self.message = message
        self.details = details or {}
        super().__init__(message)


@dataclass(frozen=True)
class RuleViolation:
    field: str
    message: str


class InvalidRulesError(ComplianceError):
    code = "INVALID_JURISDICTION_RULES"

    def __init__(self, violations: Sequence[RuleViolation]) -> None:
        self.violations = tuple(violations)
        super().__init__(
            "The jurisdiction rules are invalid",
            details={"fields": [{"field": v.field, "message": v.message} for v in violations]},
        )


class InvalidTransitionError(ComplianceError):
    """A submission was asked to move along an edge its state machine does not have."""

    code = "SUBMISSION_STATE_CONFLICT"

    def __init__(self, submission_id: object, state: str, action: str) -> None:
        super().__init__(
            f"Submission {submission_id} is {state} and cannot be {action}",
            details={"submission_id": str(submission_id), "state": state, "action": action},
        )
