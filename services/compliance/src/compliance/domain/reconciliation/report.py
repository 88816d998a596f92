"""The month-end report of a license (pure): every finding opened by a date, as it stood then,
with who decided what; as rows and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from compliance.domain.reconciliation.lifecycle import FindingRecord, FindingState

__all__ = ["REPORT_COLUMNS", "report_csv", "report_rows", "state_as_of"]


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
