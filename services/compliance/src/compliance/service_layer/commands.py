"""What callers ask the compliance service to do: its own small types, never HTTP or event models.

``BatchChange`` (in the domain) is the command of the inventory consumer: the consumer maps each
inventory event to one. The rest come from the API (through the gateway) or from a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import SecretStr

from compliance.domain import BatchChange, JurisdictionRules

__all__ = [
    "BatchChange",
    "DismissSubmission",
    "PushBatch",
    "RetryFailed",
    "SaveCredentials",
    "SaveRules",
    "ValidateCredentials",
]


@dataclass(frozen=True, kw_only=True)
class PushBatch:
    """The guide's "Push to Metrc" on one batch (never pushed, or its push failed).
    ``trace_parent``: the request's span (W3C ``traceparent``), which the push's Metrc calls
    join."""

    batch_id: UUID
    actor: str
    trace_parent: str | None = None


@dataclass(frozen=True, kw_only=True)
class RetryFailed:
    """Retry the rejected and failed submissions of a license: the ones named, or all.
    ``trace_parent``: the request's span, which the retried sends' Metrc calls join."""

    license_number: str
    actor: str
    submission_ids: tuple[UUID, ...] | None = None
    trace_parent: str | None = None


@dataclass(frozen=True, kw_only=True)
class DismissSubmission:
    """Settle a rejected or failed submission by hand so the writes behind it may go."""

    submission_id: UUID
    actor: str


@dataclass(frozen=True, kw_only=True)
class SaveCredentials:
    license_number: str
    state: str
    vendor_key: SecretStr
    user_key: SecretStr
    actor: str
    expires_at: datetime | None = None
    notify_emails: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ValidateCredentials:
    license_number: str
    actor: str


@dataclass(frozen=True, kw_only=True)
class SaveRules:
    rules: JurisdictionRules
    actor: str
