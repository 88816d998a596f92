"""A finding over time: opened by a run, updated by later runs, decided by a person, and the
month-end report of a license built from the decisions (pure).

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

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from uuid import UUID

from compliance.domain.errors import ComplianceError
from compliance.domain.reconciliation import Finding

__all__ = [
    "REPORT_COLUMNS",
    "FindingConflictError",
    "FindingRecord",
    "FindingState",
    "MergedRun",
    "merge_run",
    "report_csv",
    "report_rows",
    "state_as_of",
]


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


# --- the month-end report ---------------------------------------------------------------------


def state_as_of(record: FindingRecord, as_of: datetime) -> str:
    """The finding's state at ``as_of``: a decision or settlement after it does not count yet."""
    if record.settled_at is not None and record.settled_at <= as_of:
        return FindingState.SETTLED.value
    if record.decided_at is not None and record.decided_at <= as_of:
        if record.state is FindingState.OPEN:
            return FindingState.OPEN.value
        return record.state.value
    return FindingState.OPEN.value


REPORT_COLUMNS = (
    "findingId",
    "class",
    "state",
    "tags",
    "batchIds",
    "unit",
    "canopyQuantity",
    "metrcQuantity",
    "pendingQuantity",
    "fix",
    "fixApplied",
    "approvedBy",
    "decidedAt",
    "openedAt",
    "message",
    "evidence",
)


def report_rows(records: Iterable[FindingRecord], as_of: datetime) -> list[dict[str, str]]:
    """One row per finding opened by ``as_of``, oldest first, as it stood then."""
    rows: list[dict[str, str]] = []
    for r in sorted(records, key=lambda r: (r.opened_at, str(r.id))):
        if r.opened_at > as_of:
            continue
        state = state_as_of(r, as_of)
        decided = state in (FindingState.APPLIED.value, FindingState.REJECTED.value)
        f = r.finding
        rows.append(
            {
                "findingId": str(r.id),
                "class": f.finding_class.value,
                "state": state,
                "tags": " ".join(f.tags),
                "batchIds": " ".join(str(b) for b in f.batch_ids),
                "unit": f.unit or "",
                "canopyQuantity": _text(f.canopy_quantity),
                "metrcQuantity": _text(f.metrc_quantity),
                "pendingQuantity": _text(f.pending_quantity),
                "fix": f.fix.kind.value,
                "fixApplied": "yes" if state == FindingState.APPLIED.value else "no",
                "approvedBy": (r.decided_by or "") if decided else "",
                "decidedAt": r.decided_at.isoformat() if decided and r.decided_at else "",
                "openedAt": r.opened_at.isoformat(),
                "message": f.message,
                "evidence": "; ".join(e.summary for e in f.evidence),
            }
        )
    return rows


def _text(value: object) -> str:
    return "" if value is None else str(value)


def report_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """RFC 4180 (CRLF line ends), a header row then one row per finding."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe(row.get(k, "")) for k in REPORT_COLUMNS})
    return out.getvalue()


def _safe(cell: str) -> str:
    # A cell a spreadsheet would run as a formula is quoted as text.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") and not _number(cell) else cell


def _number(cell: str) -> bool:
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True
