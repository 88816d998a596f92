"""Deciding the fate of a write whose outcome is unknown, from what Metrc shows.

A POST to Metrc is not idempotent and carries no idempotency key, so a write that timed out, lost
its response, or was in flight when the process died is never sent again blindly. The recovery
reads Metrc back and decides:

* create: the package with the tag exists (and is what was sent) -> applied; absent -> not
  applied, safe to send again; present but different -> conflict, a person decides;
* adjust: an adjustment of the package whose note carries the submission's marker -> applied;
  none -> not applied (the note is the only key an adjustment has);
* location, finish, unfinish: the package shows the intended end state -> applied.

The read-back must wait until Metrc can no longer apply the abandoned request: a request the
client gave up on may still be running at Metrc, and "not there yet" is not "not applied". Before
``sent_at + wait`` the answer is always ``TOO_EARLY``. ``wait`` must exceed the longest a call
can take (the client's timeout times its attempts, plus backoff) plus Metrc's own lag; reading
back earlier doubles an adjustment, which nothing in Metrc would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from compliance.domain.problems import Problem, ProblemCode, problem
from compliance.domain.submissions import (
    AdjustPackage,
    ChangeLocation,
    CreatePackage,
    FinishPackage,
    Submission,
    SubmissionState,
    UnfinishPackage,
)

__all__ = [
    "Decision",
    "MetrcPackageView",
    "ReadBack",
    "Verdict",
    "decide",
    "intent_marker",
    "metrc_note",
    "read_back_due_at",
]


def intent_marker(submission_id: UUID) -> str:
    return f"canopy:{submission_id}"


def metrc_note(note: str | None, submission_id: UUID) -> str:
    """The Metrc note of an adjustment: the operator's note, then the submission's marker."""
    marker = f"[{intent_marker(submission_id)}]"
    return f"{note.strip()} {marker}" if note and note.strip() else marker


@dataclass(frozen=True, kw_only=True)
class MetrcPackageView:
    """What a read-back needs to know about one Metrc package."""

    id: int
    label: str
    quantity: Decimal
    original_quantity: Decimal | None
    unit: str
    item: str | None
    location: str | None
    finished: bool


@dataclass(frozen=True, kw_only=True)
class ReadBack:
    """What Metrc showed: the package with the sent tag (None if Metrc has none) and the notes
    of that package's adjustments since the send."""

    package: MetrcPackageView | None
    adjustment_notes: Sequence[str | None] = ()


class Verdict(StrEnum):
    APPLIED = "APPLIED"
    NOT_APPLIED = "NOT_APPLIED"
    TOO_EARLY = "TOO_EARLY"
    CONFLICT = "CONFLICT"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    metrc_ids: tuple[int, ...] = ()
    problem: Problem | None = None


def read_back_due_at(submission: Submission, wait: timedelta) -> datetime | None:
    """When a read-back of this in-flight submission may decide (None: not in flight)."""
    if submission.state is not SubmissionState.IN_FLIGHT or submission.sent_at is None:
        return None
    return submission.sent_at + wait


def decide(submission: Submission, seen: ReadBack, *, now: datetime, wait: timedelta) -> Decision:
    due = read_back_due_at(submission, wait)
    if due is None or now < due:
        return Decision(Verdict.TOO_EARLY)
    intent, sent, package = submission.intent, submission.sent_as, seen.package
    if sent is None:
        return Decision(Verdict.NOT_APPLIED)
    if isinstance(intent, CreatePackage):
        if package is None:
            return Decision(Verdict.NOT_APPLIED)
        mismatch = _create_mismatch(intent, sent.item, sent.unit, package)
        if mismatch:
            return Decision(
                Verdict.CONFLICT,
                problem=problem(
                    ProblemCode.PACKAGE_CONFLICT,
                    f"Metrc has package {package.label}, but {mismatch}.",
                    field="tag",
                ),
            )
        return Decision(Verdict.APPLIED, metrc_ids=(package.id,))
    if isinstance(intent, AdjustPackage):
        marker = intent_marker(submission.id)
        if any(note and marker in note for note in seen.adjustment_notes):
            return Decision(Verdict.APPLIED)
        return Decision(Verdict.NOT_APPLIED)
    if package is None:
        return Decision(Verdict.NOT_APPLIED)
    if isinstance(intent, ChangeLocation):
        there = (package.location or "").casefold() == (sent.location or "").casefold()
        return Decision(Verdict.APPLIED if there else Verdict.NOT_APPLIED)
    if isinstance(intent, FinishPackage):
        return Decision(Verdict.APPLIED if package.finished else Verdict.NOT_APPLIED)
    if isinstance(intent, UnfinishPackage):
        return Decision(Verdict.NOT_APPLIED if package.finished else Verdict.APPLIED)
    # A link is a read: checking again is always safe.
    return Decision(Verdict.NOT_APPLIED)


def _create_mismatch(
    intent: CreatePackage, item: str | None, unit: str | None, package: MetrcPackageView
) -> str:
    created_with = (
        package.original_quantity if package.original_quantity is not None else package.quantity
    )
    if created_with != intent.quantity:
        return f"it was created with {created_with} and Canopy sent {intent.quantity}"
    if unit is not None and package.unit.casefold() != unit.casefold():
        return f"its unit is {package.unit} and Canopy sent {unit}"
    if item is not None and package.item is not None and package.item.casefold() != item.casefold():
        return f"its item is {package.item} and Canopy sent {item}"
    return ""
