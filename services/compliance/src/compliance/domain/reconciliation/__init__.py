"""Reconciliation of a license (pure): Canopy's quantities, Metrc's and the writes on their way,
compared; each difference a finding with the fix it proposes, and its life until it is decided.

- ``inputs``: what a run reads (batches, Metrc's packages and adjustments, queued writes).
- ``classify``: the comparison, batch by batch (``reconcile``); ``gaps``: the differences no
  write explains (equal and opposite pairs, changes made in Metrc, plain differences).
- ``findings``: what a run finds; ``fixes``: what a finding proposes.
- ``lifecycle``: a finding over time (opened, updated, decided, settled); ``report``: the
  month-end report built from the decisions.
"""

from compliance.domain.reconciliation.classify import reconcile
from compliance.domain.reconciliation.findings import Evidence, Finding, FindingClass
from compliance.domain.reconciliation.fixes import (
    APPLICABLE_FIXES,
    MOVEMENT_REASON,
    Fix,
    FixAction,
    FixKind,
    marked_finding,
    movement_marker,
)
from compliance.domain.reconciliation.inputs import (
    CANOPY_MARKER,
    KEY_ERROR_CODES,
    Lot,
    MetrcAdjustment,
    MetrcPackage,
    PendingWrite,
    PullProblem,
    ReconciliationInput,
    write_effect,
)
from compliance.domain.reconciliation.lifecycle import (
    FindingConflictError,
    FindingRecord,
    FindingState,
    MergedRun,
    merge_run,
)
from compliance.domain.reconciliation.report import (
    REPORT_COLUMNS,
    report_csv,
    report_rows,
    state_as_of,
)

__all__ = [
    "APPLICABLE_FIXES",
    "CANOPY_MARKER",
    "KEY_ERROR_CODES",
    "MOVEMENT_REASON",
    "REPORT_COLUMNS",
    "Evidence",
    "Finding",
    "FindingClass",
    "FindingConflictError",
    "FindingRecord",
    "FindingState",
    "Fix",
    "FixAction",
    "FixKind",
    "Lot",
    "MergedRun",
    "MetrcAdjustment",
    "MetrcPackage",
    "PendingWrite",
    "PullProblem",
    "ReconciliationInput",
    "marked_finding",
    "merge_run",
    "movement_marker",
    "reconcile",
    "report_csv",
    "report_rows",
    "state_as_of",
    "write_effect",
]
