"""Reconciliation: inventory's physical quantity, Metrc's quantity and the writes still on their
way, side by side for every tracked batch and every active Metrc package of a license (pure).

Each difference becomes a :class:`Finding` of one :class:`FindingClass`, with the evidence that
classified it and the :class:`Fix` it proposes. Nothing here changes anything: a fix is applied
only when a person approves it (``service_layer.reconciliation``).

How a tracked batch is judged (``metrc`` is the mirror's quantity, ``open`` the net effect of its
writes still queued, ``stopped`` that of its rejected or failed writes nobody dismissed):

* a batch whose package left on a manifest the receiver accepted, and that holds nothing, is
  not compared (the mirror's last look at the package here is not this license's any more);
* no Metrc package with its tag: its create is queued (``PENDING_PUSH``), stopped
  (``PUSH_FAILED``), or absent (``MISSING_IN_METRC``: push the package again);
* Metrc's unit or item is not the one the site's rules map the batch to
  (``UNIT_OR_ITEM_MISMATCH``: re-map it to what Metrc holds);
* ``metrc + open == physical``: ``PENDING_PUSH`` (it settles on its own);
* ``metrc + open + stopped == physical``: ``PUSH_FAILED`` (retry the stopped writes);
* otherwise the rest of the difference is unexplained by Canopy's writes. With adjustments made
  in Metrc (not carrying a Canopy marker, not already settled by an earlier fix) it is
  ``CHANGED_IN_METRC`` (record the movement in Canopy: a ``COUNT_DISCREPANCY`` adjustment citing
  them); without, ``QUANTITY_DIFFERS`` (Canopy's count is the physical truth: push an
  adjustment to Metrc). Two such batches of one item and unit whose differences are equal and
  opposite (and the only ones of that amount) are one ``EQUAL_AND_OPPOSITE`` finding (stock
  booked on the wrong lot).

An active Metrc package no batch is tracked under is ``MISSING_IN_CANOPY`` (link it to the batch
that carries its tag, or to one the approver names). A license whose package lists could not be
read for its keys or permissions gets one ``KEY_OR_PERMISSION`` finding and nothing else: a
mirror the pull could not refresh proves no difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final
from uuid import UUID

from compliance.domain.links import LinkState
from compliance.domain.reconciliation.findings import (
    Evidence,
    Finding,
    FindingClass,
    lot_finding,
)
from compliance.domain.reconciliation.fixes import WAIT, Fix, FixAction, FixKind
from compliance.domain.reconciliation.gaps import Gap, judge_gaps
from compliance.domain.reconciliation.inputs import (
    Lot,
    MetrcAdjustment,
    MetrcPackage,
    PendingWrite,
    ReconciliationInput,
)
from compliance.domain.submissions import CREATES_PACKAGE, SubmissionKind

__all__ = ["reconcile"]

_ZERO: Final = Decimal(0)


@dataclass
class _Writes:
    open_effect: Decimal = _ZERO
    stopped_effect: Decimal = _ZERO
    open_creates: int = 0
    stopped: list[PendingWrite] = field(default_factory=list)


def reconcile(data: ReconciliationInput) -> list[Finding]:
    """Every finding of the license, in a stable order (class, then tags and batches)."""
    if data.pull_problems:
        return [_key_problem(data)]
    packages = {p.label: p for p in data.packages}
    foreign = _foreign_adjustments(data.adjustments, data.settled_evidence)
    writes = _writes_by_batch(data.writes)
    findings: list[Finding] = []
    gaps: list[Gap] = []
    tracked_tags: set[str] = set()
    for lot in data.lots:
        if lot.state not in (LinkState.PENDING, LinkState.LINKED) or lot.tag is None:
            continue
        tracked_tags.add(lot.tag)
        if lot.batch_id in data.departed and lot.physical == 0:
            continue  # shipped whole and accepted: nothing of it is Metrc's here any more
        w = writes.get(lot.batch_id, _Writes())
        package = packages.get(lot.tag)
        if package is None:
            findings.append(_missing_in_metrc(data.license_number, lot, w))
            continue
        rules = data.rules.get(lot.site_id)
        unit = rules.metrc_unit(lot.unit) if rules else lot.unit
        item = rules.metrc_item(lot.product_id, lot.product_name) if rules else lot.product_name
        mismatch = _mismatch(data.license_number, lot, package, unit, item)
        if mismatch is not None:
            findings.append(mismatch)
            if mismatch.fix.kind is FixKind.REMAP_UNIT:
                continue  # quantities in two units are not comparable
        metrc = package.quantity or _ZERO
        if metrc == lot.physical:
            continue
        finding, gap = _quantity(data.license_number, lot, package, metrc, w, foreign, item)
        if finding is not None:
            findings.append(finding)
        if gap is not None:
            gaps.append(gap)
    findings.extend(judge_gaps(data.license_number, gaps))
    findings.extend(_missing_in_canopy(data, tracked_tags))
    return sorted(findings, key=lambda f: (f.finding_class.value, f.key))


def _key_problem(data: ReconciliationInput) -> Finding:
    feeds = sorted({p.feed for p in data.pull_problems})
    evidence = tuple(
        Evidence(kind="PULL_ERROR", key=p.feed, summary=f"{p.code}: {p.message or ''}".strip())
        for p in sorted(data.pull_problems, key=lambda p: p.feed)
    )
    return Finding(
        key=f"KEY_OR_PERMISSION:{data.license_number}",
        finding_class=FindingClass.KEY_OR_PERMISSION,
        license_number=data.license_number,
        # The license's first site, so that readers scoped to its sites (reporting) see it.
        site_id=min(data.rules, key=str, default=None),
        batch_ids=(),
        tags=(),
        unit=None,
        canopy_quantity=None,
        metrc_quantity=None,
        pending_quantity=None,
        message=(
            f"Metrc refused to show license {data.license_number}'s packages "
            f"({', '.join(feeds)}): nothing was compared."
        ),
        fix=Fix(
            kind=FixKind.REPLACE_KEYS,
            description="Save working Metrc keys for the license (with its permissions), "
            "then sync packages and reconcile again.",
        ),
        evidence=evidence,
    )


def _foreign_adjustments(
    adjustments: Iterable[MetrcAdjustment], settled: frozenset[str]
) -> dict[str, list[MetrcAdjustment]]:
    by_label: dict[str, list[MetrcAdjustment]] = {}
    for a in adjustments:
        if not a.by_canopy and a.key not in settled:
            by_label.setdefault(a.label, []).append(a)
    return by_label


def _writes_by_batch(writes: Iterable[PendingWrite]) -> dict[UUID, _Writes]:
    out: dict[UUID, _Writes] = {}
    for w in writes:
        entry = out.setdefault(w.batch_id, _Writes())
        if w.stopped:
            entry.stopped_effect += w.effect
            entry.stopped.append(w)
        else:
            entry.open_effect += w.effect
            if w.kind in CREATES_PACKAGE or w.kind is SubmissionKind.LINK_PACKAGE:
                entry.open_creates += 1
    return out


def _submissions(writes: Sequence[PendingWrite]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            kind="SUBMISSION",
            key=str(w.submission_id),
            summary=f"{w.kind.value} {w.state.value} ({w.effect:+f})",
        )
        for w in writes
    )


def _retry(lot: Lot, w: _Writes) -> Fix:
    ids = tuple(s.submission_id for s in w.stopped)
    return Fix(
        kind=FixKind.RETRY_PUSH,
        description=f"Retry the {len(ids)} stopped write(s) of package {lot.tag}.",
        actions=(FixAction(batch_id=lot.batch_id, submission_ids=ids),),
    )


def _missing_in_metrc(license_number: str, lot: Lot, w: _Writes) -> Finding:
    if w.open_creates:
        return lot_finding(
            FindingClass.PENDING_PUSH,
            license_number,
            lot,
            metrc=None,
            pending=w.open_effect,
            message=f"Package {lot.tag} of batch {lot.code} is not in Metrc yet: its create "
            "is queued.",
            fix=WAIT,
        )
    if w.stopped:
        return lot_finding(
            FindingClass.PUSH_FAILED,
            license_number,
            lot,
            metrc=None,
            pending=w.open_effect + w.stopped_effect,
            message=f"Package {lot.tag} of batch {lot.code} is not in Metrc: its push stopped.",
            fix=_retry(lot, w),
            evidence=_submissions(w.stopped),
        )
    return lot_finding(
        FindingClass.MISSING_IN_METRC,
        license_number,
        lot,
        metrc=None,
        pending=w.open_effect,
        message=f"Batch {lot.code} is tracked as package {lot.tag}, which Metrc does not hold "
        "in any list.",
        fix=Fix(
            kind=FixKind.PUSH_PACKAGE,
            description=f"Push batch {lot.code} to Metrc again with its current quantity.",
            actions=(FixAction(batch_id=lot.batch_id, tag=lot.tag),),
        ),
    )


def _mismatch(
    license_number: str, lot: Lot, package: MetrcPackage, unit: str, item: str
) -> Finding | None:
    if package.unit is not None and package.unit != unit:
        fix = Fix(
            kind=FixKind.REMAP_UNIT,
            description=f"Map Canopy unit {lot.unit} to Metrc's {package.unit} in the site's "
            "rules.",
            actions=(
                FixAction(site_id=lot.site_id, canopy_unit=lot.unit, metrc_name=package.unit),
            ),
        )
        what = f"unit {package.unit}, Canopy maps {lot.unit} to {unit}"
    elif package.item is not None and package.item != item:
        fix = Fix(
            kind=FixKind.REMAP_ITEM,
            description=f"Map product {lot.product_name} to Metrc item {package.item} in the "
            "site's rules.",
            actions=(
                FixAction(site_id=lot.site_id, product_id=lot.product_id, metrc_name=package.item),
            ),
        )
        what = f"item {package.item}, Canopy maps the product to {item}"
    else:
        return None
    return lot_finding(
        FindingClass.UNIT_OR_ITEM_MISMATCH,
        license_number,
        lot,
        metrc=package.quantity,
        pending=None,
        message=f"Package {lot.tag} of batch {lot.code}: Metrc holds {what}.",
        fix=fix,
        evidence=(
            Evidence(
                kind="METRC_PACKAGE",
                key=lot.tag or "",
                summary=f"{package.item} {package.quantity} {package.unit}",
            ),
        ),
    )


def _quantity(
    license_number: str,
    lot: Lot,
    package: MetrcPackage,
    metrc: Decimal,
    w: _Writes,
    foreign: Mapping[str, list[MetrcAdjustment]],
    item: str,
) -> tuple[Finding | None, Gap | None]:
    if metrc + w.open_effect == lot.physical:
        return (
            lot_finding(
                FindingClass.PENDING_PUSH,
                license_number,
                lot,
                metrc=metrc,
                pending=w.open_effect,
                message=f"Package {lot.tag} shows {metrc}; the queued writes bring it to "
                f"{lot.physical} {lot.unit}.",
                fix=WAIT,
            ),
            None,
        )
    if w.stopped and metrc + w.open_effect + w.stopped_effect == lot.physical:
        return (
            lot_finding(
                FindingClass.PUSH_FAILED,
                license_number,
                lot,
                metrc=metrc,
                pending=w.open_effect + w.stopped_effect,
                message=f"Package {lot.tag} shows {metrc}; stopped writes hold back "
                f"{w.stopped_effect:+f} {lot.unit}.",
                fix=_retry(lot, w),
                evidence=_submissions(w.stopped),
            ),
            None,
        )
    rest = lot.physical - (metrc + w.open_effect)
    gap = Gap(
        lot=lot,
        package=package,
        metrc=metrc,
        pending=w.open_effect,
        rest=rest,
        foreign=tuple(foreign.get(lot.tag or "", ())),
        item=item,
    )
    return None, gap


def _missing_in_canopy(data: ReconciliationInput, tracked: set[str]) -> list[Finding]:
    untracked = {
        lot.package_tag or lot.tag: lot
        for lot in data.lots
        if lot.state not in (LinkState.PENDING, LinkState.LINKED) and (lot.package_tag or lot.tag)
    }
    sites = sorted(set(data.rules), key=str)
    findings: list[Finding] = []
    for package in data.packages:
        if package.status != "active" or package.label in tracked:
            continue
        candidate = untracked.get(package.label)
        action = FixAction(
            batch_id=candidate.batch_id if candidate else None,
            tag=package.label,
            metrc_package_id=package.metrc_id,
            quantity=package.quantity,
        )
        whom = f"batch {candidate.code}, which carries its tag" if candidate else "a batch"
        findings.append(
            Finding(
                key=f"MISSING_IN_CANOPY:{package.label}",
                finding_class=FindingClass.MISSING_IN_CANOPY,
                license_number=data.license_number,
                site_id=candidate.site_id if candidate else (sites[0] if sites else None),
                batch_ids=(candidate.batch_id,) if candidate else (),
                tags=(package.label,),
                unit=package.unit,
                canopy_quantity=candidate.physical if candidate else None,
                metrc_quantity=package.quantity,
                pending_quantity=None,
                message=f"Metrc holds active package {package.label} ({package.item}, "
                f"{package.quantity} {package.unit}) that no Canopy batch is tracked under.",
                fix=Fix(
                    kind=FixKind.LINK_PACKAGE,
                    description=f"Link package {package.label} to {whom}"
                    + ("" if candidate else " (the approver names it)")
                    + ".",
                    actions=(action,),
                ),
                evidence=(
                    Evidence(
                        kind="METRC_PACKAGE",
                        key=package.label,
                        summary=f"{package.item} {package.quantity} {package.unit}",
                    ),
                ),
            )
        )
    return findings
