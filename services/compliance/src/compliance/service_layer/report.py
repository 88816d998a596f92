"""What one push cycle did."""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.domain import Problem

__all__ = ["PushReport"]


@dataclass
class PushReport:
    """What one ``push_due`` did (counts of submissions, except ``requests``)."""

    requests: int = 0
    accepted: int = 0
    rejected: int = 0
    retrying: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: dict[str, Problem] = field(default_factory=dict)
