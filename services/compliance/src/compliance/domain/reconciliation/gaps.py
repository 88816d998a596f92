"""The differences no queued or stopped write explains (pure): paired into one
``EQUAL_AND_OPPOSITE`` finding when two lots of one item and unit are off by opposite amounts
(stock booked on the wrong lot), otherwise ``CHANGED_IN_METRC`` when Metrc's own adjustments show
it, or ``QUANTITY_DIFFERS`` when nothing does (Canopy's count is the physical truth)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final
from uuid import UUID

from compliance.domain.reconciliation.findings import (
    Evidence,
    Finding,
    FindingClass,
    lot_finding,
)
from compliance.domain.reconciliation.fixes import MOVEMENT_REASON, Fix, FixAction, FixKind
from compliance.domain.reconciliation.inputs import Lot, MetrcAdjustment, MetrcPackage

__all__ = ["Gap", "judge_gaps"]

_ZERO: Final = Decimal(0)


@dataclass(frozen=True)
class Gap:
    """A tracked batch whose difference no queued or stopped write explains."""

    lot: Lot
    package: MetrcPackage
    metrc: Decimal
    pending: Decimal
    rest: Decimal
    """``physical - (metrc + pending)``: what a fix must close."""
    foreign: tuple[MetrcAdjustment, ...]
    item: str


def _adjustment_evidence(adjustments: Iterable[MetrcAdjustment]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            kind="METRC_ADJUSTMENT",
            key=a.key,
            summary=f"{a.label} {a.quantity:+f} {a.reason or ''} {a.date or ''} "
            f"{a.note or ''}".strip(),
        )
        for a in adjustments
    )


def _gap_fix(gap: Gap) -> FixAction:
    lot = gap.lot
    if gap.foreign:
        return FixAction(batch_id=lot.batch_id, quantity=-gap.rest, version=lot.version)
    return FixAction(batch_id=lot.batch_id, quantity=gap.rest, tag=lot.tag)


def judge_gaps(license_number: str, gaps: list[Gap]) -> list[Finding]:
    """Pair a ``+d`` with a ``-d`` of the same item and unit only when each is the only one of
    its amount: with two candidates, which lot the stock was booked on is a guess, and a wrong
    pair would move stock between the wrong lots. Ambiguous ones stay findings of their own."""
    by_amount: dict[tuple[str, str, Decimal], list[Gap]] = {}
    for gap in gaps:
        by_amount.setdefault((gap.item, gap.lot.unit, gap.rest), []).append(gap)
    paired: set[UUID] = set()
    findings: list[Finding] = []
    for (item, unit, rest), plus in by_amount.items():
        minus = by_amount.get((item, unit, -rest), [])
        if rest <= 0 or len(plus) != 1 or len(minus) != 1:
            continue
        paired.update((plus[0].lot.batch_id, minus[0].lot.batch_id))
        findings.append(_pair(license_number, plus[0], minus[0]))
    findings.extend(_single_gap(license_number, g) for g in gaps if g.lot.batch_id not in paired)
    return findings


def _pair(license_number: str, a: Gap, b: Gap) -> Finding:
    in_metrc = bool(a.foreign and b.foreign)
    kind = FixKind.LOCAL_MOVEMENT if in_metrc else FixKind.PUSH_ADJUSTMENT
    if in_metrc:
        actions = tuple(
            FixAction(batch_id=g.lot.batch_id, quantity=-g.rest, version=g.lot.version)
            for g in (a, b)
        )
        how = "record the two movements in Canopy (Metrc's adjustments show where it went)"
    else:
        actions = tuple(
            FixAction(batch_id=g.lot.batch_id, quantity=g.rest, tag=g.lot.tag) for g in (a, b)
        )
        how = "adjust both packages in Metrc to Canopy's counts"
    tags = tuple(t for t in (a.lot.tag, b.lot.tag) if t)
    return Finding(
        key=f"EQUAL_AND_OPPOSITE:{'+'.join(sorted(tags))}",
        finding_class=FindingClass.EQUAL_AND_OPPOSITE,
        license_number=license_number,
        site_id=a.lot.site_id,
        batch_ids=(a.lot.batch_id, b.lot.batch_id),
        tags=tags,
        unit=a.lot.unit,
        canopy_quantity=a.lot.physical + b.lot.physical,
        metrc_quantity=a.metrc + b.metrc,
        pending_quantity=a.pending + b.pending,
        message=f"Batches {a.lot.code} ({a.rest:+f}) and {b.lot.code} ({b.rest:+f}) differ "
        f"from Metrc by equal and opposite amounts of {a.item}: the stock was booked on the "
        "wrong lot on one side.",
        fix=Fix(kind=kind, description=f"Settle both lots: {how}.", actions=actions),
        evidence=_adjustment_evidence((*a.foreign, *b.foreign)),
    )


def _single_gap(license_number: str, gap: Gap) -> Finding:
    lot = gap.lot
    if gap.foreign:
        total = sum((x.quantity for x in gap.foreign), _ZERO)
        return lot_finding(
            FindingClass.CHANGED_IN_METRC,
            license_number,
            lot,
            metrc=gap.metrc,
            pending=gap.pending,
            message=f"Package {lot.tag} was adjusted in Metrc ({total:+f} {lot.unit} in "
            f"{len(gap.foreign)} adjustment(s)); Canopy holds {lot.physical}, Metrc "
            f"{gap.metrc}.",
            fix=Fix(
                kind=FixKind.LOCAL_MOVEMENT,
                description=f"Record {-gap.rest:+f} {lot.unit} on batch {lot.code} in Canopy "
                f"({MOVEMENT_REASON}, citing Metrc's adjustments).",
                actions=(_gap_fix(gap),),
            ),
            evidence=_adjustment_evidence(gap.foreign),
        )
    return lot_finding(
        FindingClass.QUANTITY_DIFFERS,
        license_number,
        lot,
        metrc=gap.metrc,
        pending=gap.pending,
        message=f"Package {lot.tag} shows {gap.metrc} {lot.unit}, Canopy holds {lot.physical}, "
        "and no queued write or Metrc adjustment explains it.",
        fix=Fix(
            kind=FixKind.PUSH_ADJUSTMENT,
            description=f"Adjust package {lot.tag} in Metrc by {gap.rest:+f} {lot.unit} "
            f"(reason: the site's mapping of {MOVEMENT_REASON}).",
            actions=(_gap_fix(gap),),
        ),
    )
