"""A finding over time: opened by a run, updated by later runs, decided by a person (pure).

::

    OPEN ──approve──> APPLYING ──applied──> APPLIED
      │                  └──the fix failed──> OPEN (with the error; approve again)
      ├──reject──> REJECTED
      └──a later run no longer sees it──> SETTLED

A run compares its findings with the license's undecided ones by ``key``: one it sees again is
updated (its numbers and fix), a new key opens a finding, and an undecided one it no longer sees
is SETTLED (a queued push landed, or the difference was fixed by other means). A finding being
applied (APPLYING) is left alone until its fix is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from compliance.domain.errors import ComplianceError
from compliance.domain.reconciliation.findings import Finding

__all__ = ["FindingConflictError", "FindingRecord", "FindingState", "MergedRun", "merge_run"]


class FindingState(StrEnum):
    OPEN = "OPEN"
    APPLYING = "APPLYING"
    APPLIED = "APPLIED"
    REJECTED = "REJECTED"
    SETTLED = "SETTLED"

    @property
    def undecided(self) -> bool:
        return self in (FindingState.OPEN, FindingState.APPLYING)


class FindingConflictError(ComplianceError):
    """A finding was asked to move along an edge its state machine does not have."""

    code = "FINDING_STATE_CONFLICT"

    def __init__(self, finding_id: UUID, state: str, action: str) -> None:
        super().__init__(
            f"Finding {finding_id} is {state} and cannot be {action}",
            details={"finding_id": str(finding_id), "state": state, "action": action},
        )


@dataclass(frozen=True, kw_only=True)
class FindingRecord:
    id: UUID
    finding: Finding
    state: FindingState
    opened_at: datetime
    opened_run: UUID
    updated_at: datetime
    last_run: UUID
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
    applied: Mapping[str, Any] | None = None
    """What applying the fix did (submission ids, inventory's answer), for the record."""
    error: str | None = None
    """Why the last attempt to apply the fix failed."""
    settled_at: datetime | None = None

    def seen_again(self, finding: Finding, run_id: UUID, at: datetime) -> FindingRecord:
        return replace(self, finding=finding, last_run=run_id, updated_at=at)

    def settled(self, run_id: UUID, at: datetime) -> FindingRecord:
        return replace(
            self, state=FindingState.SETTLED, last_run=run_id, updated_at=at, settled_at=at
        )

    def approving(self, actor: str, at: datetime, note: str | None) -> FindingRecord:
        # APPLYING again: an approval whose fix was cut short is carried out again (its
        # inventory call carries the same Idempotency-Key, so it is applied once).
        if not self.state.undecided:
            raise FindingConflictError(self.id, self.state.value, "approved")
        return replace(
            self,
            state=FindingState.APPLYING,
            decided_by=actor,
            decided_at=at,
            decision_note=note,
            updated_at=at,
            error=None,
        )

    def applied_by(self, result: Mapping[str, Any], at: datetime) -> FindingRecord:
        return replace(self, state=FindingState.APPLIED, applied=result, updated_at=at)

    def failed(self, error: str, at: datetime) -> FindingRecord:
        """The fix could not be applied: the finding is open again, with why."""
        return replace(
            self,
            state=FindingState.OPEN,
            error=error,
            decided_by=None,
            decided_at=None,
            updated_at=at,
        )

    def rejected(self, actor: str, at: datetime, note: str | None) -> FindingRecord:
        if self.state is not FindingState.OPEN:
            raise FindingConflictError(self.id, self.state.value, "rejected")
        return replace(
            self,
            state=FindingState.REJECTED,
            decided_by=actor,
            decided_at=at,
            decision_note=note,
            updated_at=at,
        )


@dataclass(frozen=True)
class MergedRun:
    opened: tuple[FindingRecord, ...]
    updated: tuple[FindingRecord, ...]
    settled: tuple[FindingRecord, ...]


def merge_run(
    undecided: Iterable[FindingRecord],
    findings: Sequence[Finding],
    *,
    run_id: UUID,
    at: datetime,
    new_id: Any,
) -> MergedRun:
    """Fold a run's findings into the license's undecided ones (``new_id()`` names new ones)."""
    by_key = {r.finding.key: r for r in undecided}
    opened: list[FindingRecord] = []
    updated: list[FindingRecord] = []
    seen: set[str] = set()
    for finding in findings:
        seen.add(finding.key)
        known = by_key.get(finding.key)
        if known is None:
            opened.append(
                FindingRecord(
                    id=new_id(),
                    finding=finding,
                    state=FindingState.OPEN,
                    opened_at=at,
                    opened_run=run_id,
                    updated_at=at,
                    last_run=run_id,
                )
            )
        elif known.state is FindingState.OPEN:
            updated.append(known.seen_again(finding, run_id, at))
    settled = tuple(
        r.settled(run_id, at)
        for key, r in by_key.items()
        if key not in seen and r.state is FindingState.OPEN
    )
    return MergedRun(tuple(opened), tuple(updated), settled)
