"""The planner: from what happened to a batch to the Metrc writes that mirror it.

:func:`plan_batch_change` is pure: given the change, the batch's link (``None`` the first time)
and its site's rules, it returns the link as it will be and the writes to queue, in order.

* A site that does not push (not cannabis, no Metrc ids required, no license) plans nothing;
  the link says why (``NOT_TRACKED``).
* A new batch becomes a package according to its source: linked when received by transfer,
  created from its source batches' packages or from its harvest's weight, created as an
  opening balance where the facility may. Without a usable source it is ``UNLINKED`` and waits
  for a manual push.
* Every change of physical quantity (onHand + quarantine + defective) becomes an adjustment,
  one per cause (the row's reason, else its movement type); moves between buckets cancel out
  and plan nothing. Increases are planned before decreases so Metrc never dips below zero.
* A SALE is not an adjustment: it becomes a ``TransferOut`` that waits for a manifest.
  A ``CONSUMPTION`` row (stock that went into another batch) becomes an ``IngredientDraw``,
  because Metrc draws it when it creates the other package.
* A package that leaves on an outgoing transfer (a SALE referencing ``TRANSFER <id>``) leaves
  Metrc's active inventory with the manifest: reaching zero that way plans no finish (accepted,
  the package is the receiver's; rejected, it comes back active). A RETURN referencing the
  transfer (a package the receiver rejected) is no adjustment either: Metrc's package never
  left this facility, so the planned quantity comes back and nothing is written. Both rules
  are about the rows alone, so they hold whether the manifest settles before or after.
* The package follows the location that holds most of the batch (``track_locations``).
* Reaching zero finishes the package; stock coming back to a finished one unfinishes it first.

Rows are planned once: the link remembers the last ledger position planned, so a redelivered
event plans nothing. Before planning a newer version, the planner checks that the writes
planned so far add up to the batch's physical quantity at the previous version, and reports
``QUANTITY_DRIFT`` if not (it never invents an adjustment to hide a gap). The check waits for the
next version because one operation may come as several events that all carry the batch as it
is after the whole operation; a missed change is therefore reported with the change after it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from compliance.domain.batches import (
    CONSUMPTION,
    INTAKE,
    SALE,
    BatchChange,
    BatchFacts,
    FromBatches,
    FromHarvest,
    LedgerEntry,
    OpeningBalance,
    ReceivedByTransfer,
)
from compliance.domain.jurisdiction import JurisdictionRules
from compliance.domain.links import LinkState, PackageLink, PlannedPackage
from compliance.domain.problems import Problem, ProblemCode, problem
from compliance.domain.submissions import (
    TRANSFER_REFERENCE,
    AdjustPackage,
    ChangeLocation,
    CreatePackage,
    FinishPackage,
    IngredientDraw,
    Intent,
    LinkPackage,
    TransferOut,
    UnfinishPackage,
)

__all__ = ["Plan", "plan_batch_change", "plan_manual_push"]

_NOTHING = (0, -1)
_RETURN = "RETURN"


@dataclass(frozen=True)
class Plan:
    """The link after the change, the writes to queue for the batch (in order), and what to
    tell the operator. ``link_changed`` is True when the link's state, tag, package or problem
    changed (compliance then publishes it)."""

    link: PackageLink
    intents: tuple[Intent, ...] = ()
    notes: tuple[Problem, ...] = ()
    link_changed: bool = False


def plan_batch_change(
    change: BatchChange,
    link: PackageLink | None,
    rules: JurisdictionRules | None,
    *,
    settled: frozenset[tuple[int, int]] = frozenset(),
) -> Plan:
    """``settled``: positions of rows Metrc already holds (a movement an approved
    reconciliation fix recorded to match Metrc): they move the planned quantity, and nothing is
    pushed for them."""
    facts = change.batch
    if link is not None and _is_stale(change, link):
        return Plan(link)
    through = max(
        [link.applied_through if link else _NOTHING, *(e.position for e in change.entries)]
    )
    if rules is None or not rules.pushes_to_metrc:
        why = rules.why_not_metrc if rules else "the site has no jurisdiction rules"
        note = problem(ProblemCode.SITE_NOT_METRC, f"Not pushed to Metrc: {why}.")
        if link is not None and link.is_tracked:
            # The package exists (or is on its way): keep the link, push nothing more.
            kept = replace(link, batch=facts, applied_through=through, problem=note)
            news = link.problem != note
            return Plan(kept, notes=(note,) if news else (), link_changed=news)
        return _untracked(change, link, LinkState.NOT_TRACKED, note, through)
    if link is None:
        if change.created:
            return _plan_new_package(change, rules, through)
        note = problem(
            ProblemCode.NEEDS_MANUAL_PUSH,
            f"Batch {facts.code} was not tracked in Metrc when it was created.",
        )
        return _untracked(change, None, LinkState.UNLINKED, note, through)
    if not link.is_tracked:
        if link.state is LinkState.UNLINKED and link.problem is not None:
            note = link.problem
        else:
            note = problem(
                ProblemCode.NEEDS_MANUAL_PUSH,
                f"Batch {facts.code} was not tracked in Metrc when it was created.",
            )
        return _untracked(change, link, LinkState.UNLINKED, note, through)
    return _plan_changes(change, link, rules, through, settled)


def plan_manual_push(link: PackageLink, rules: JurisdictionRules | None, now: datetime) -> Plan:
    """The guide's "Push to Metrc" for a batch that is not in Metrc (created before the
    integration, or without a usable source): its *current* quantity enters Metrc, linked when
    it arrived by transfer, else as an opening balance (its history before tracking began is
    not Metrc's). A batch that is already tracked has nothing to plan here; its failed writes
    are retried instead."""
    facts = link.batch
    if rules is None or not rules.pushes_to_metrc:
        why = rules.why_not_metrc if rules else "the site has no jurisdiction rules"
        return Plan(link, notes=(problem(ProblemCode.SITE_NOT_METRC, f"Not pushed: {why}."),))
    if link.is_tracked:
        return Plan(link)
    if facts.physical <= 0:
        note = problem(
            ProblemCode.QUANTITY_NOT_POSITIVE,
            f"Batch {facts.code} holds no stock; Metrc needs a positive quantity.",
            field="quantity",
        )
        return Plan(link, notes=(note,))
    location = facts.main_location() if rules.track_locations else None
    intent: Intent
    if isinstance(facts.source, ReceivedByTransfer):
        intent = _link_intent(facts)
    elif rules.allow_opening_balance:
        intent = _create_intent(facts, OpeningBalance(), location, rules.local_date(now))
    else:
        note = _opening_balance_refused(facts, rules)
        updated = replace(link, state=LinkState.UNLINKED, problem=note, updated_at=now)
        return Plan(updated, notes=(note,), link_changed=updated != link)
    pending = replace(
        link,
        state=LinkState.PENDING,
        license_number=rules.license_number,
        tag=link.tag or facts.package_tag,
        source=facts.source,
        planned=PlannedPackage(quantity=facts.physical, finished=False, location_id=location),
        problem=None,
        updated_at=now,
    )
    return Plan(pending, intents=(intent,), link_changed=True)


# --- new batches --------------------------------------------------------------------------------


def _plan_new_package(
    change: BatchChange, rules: JurisdictionRules, through: tuple[int, int]
) -> Plan:
    facts = change.batch
    source = facts.source
    location = facts.main_location() if rules.track_locations else None
    # The package is created with what the intake brought in; anything else the same change
    # wrote is planned after it, as for any later change.
    intakes = [e.change for e in change.entries if e.is_physical and e.type == INTAKE]
    quantity = sum(intakes, Decimal(0)) if intakes else facts.physical
    intent: Intent
    if source is None:
        note = problem(
            ProblemCode.SOURCE_REQUIRED,
            f"Batch {facts.code} has no source, so Canopy cannot tell whether its package "
            "exists in Metrc already.",
        )
        return _untracked(change, None, LinkState.UNLINKED, note, through)
    if isinstance(source, ReceivedByTransfer):
        intent = _link_intent(facts, quantity)
    elif isinstance(source, OpeningBalance) and not rules.allow_opening_balance:
        note = _opening_balance_refused(facts, rules)
        return _untracked(change, None, LinkState.UNLINKED, note, through)
    else:
        on = rules.local_date(change.occurred_at)
        intent = _create_intent(facts, source, location, on, quantity)
    link = PackageLink(
        batch_id=facts.batch_id,
        site_id=facts.site_id,
        license_number=rules.license_number,
        state=LinkState.PENDING,
        batch=facts,
        applied_through=through,
        updated_at=change.occurred_at,
        tag=facts.package_tag,
        source=source,
        planned=PlannedPackage(quantity=quantity, finished=False, location_id=location),
    )
    rest = _plan_changes(change, link, rules, through)
    return replace(rest, intents=(intent, *rest.intents), link_changed=True)


def _link_intent(facts: BatchFacts, quantity: Decimal | None = None) -> LinkPackage:
    return LinkPackage(
        quantity=facts.physical if quantity is None else quantity,
        unit=facts.unit,
        product_id=facts.product_id,
        product_name=facts.product_name,
    )


def _create_intent(
    facts: BatchFacts,
    source: OpeningBalance | FromBatches | FromHarvest,
    location: str | None,
    on: date,
    quantity: Decimal | None = None,
) -> CreatePackage:
    return CreatePackage(
        quantity=facts.physical if quantity is None else quantity,
        unit=facts.unit,
        product_id=facts.product_id,
        product_name=facts.product_name,
        location_id=location,
        source=source,
        date=on,
    )


def _opening_balance_refused(facts: BatchFacts, rules: JurisdictionRules) -> Problem:
    return problem(
        ProblemCode.OPENING_BALANCE_NOT_ALLOWED,
        f"Batch {facts.code} would be an opening-balance package, which facility "
        f"{rules.license_number} may not create.",
    )


def _untracked(
    change: BatchChange,
    link: PackageLink | None,
    state: LinkState,
    note: Problem,
    through: tuple[int, int],
) -> Plan:
    facts = change.batch
    updated = PackageLink(
        batch_id=facts.batch_id,
        site_id=facts.site_id,
        license_number=link.license_number if link else None,
        state=state,
        batch=facts,
        applied_through=through,
        updated_at=change.occurred_at,
        tag=facts.package_tag or (link.tag if link else None),
        source=facts.source or (link.source if link else None),
        problem=note,
    )
    is_news = link is None or link.state != state or link.problem != note
    return Plan(updated, notes=(note,) if is_news else (), link_changed=is_news)


# --- changes to a tracked batch -------------------------------------------------------------------


@dataclass
class _Tally:
    deltas: dict[str, Decimal]
    notes: dict[str, str | None]
    sold: Decimal
    sale_reference: tuple[str | None, str | None]
    draws: dict[UUID, Decimal]
    on_manifest: bool = False
    """Stock left on an outgoing transfer's manifest."""
    returned: Decimal = Decimal(0)
    """Stock a receiver rejected on a manifest, back from the transfer."""


def _tally(entries: list[LedgerEntry], created: bool) -> _Tally:
    tally = _Tally(deltas={}, notes={}, sold=Decimal(0), sale_reference=(None, None), draws={})
    for entry in entries:
        if not entry.is_physical or (created and entry.type == INTAKE):
            continue
        into = _consumed_into(entry)
        if entry.type == SALE:
            tally.sold -= entry.change
            tally.on_manifest = tally.on_manifest or entry.reference_type == TRANSFER_REFERENCE
            if tally.sale_reference == (None, None):
                tally.sale_reference = (entry.reference_type, entry.reference_id)
        elif entry.type == _RETURN and entry.reference_type == TRANSFER_REFERENCE:
            tally.returned += entry.change
        elif into is not None:
            tally.draws[into] = tally.draws.get(into, Decimal(0)) - entry.change
        else:
            cause = entry.cause
            tally.deltas[cause] = tally.deltas.get(cause, Decimal(0)) + entry.change
            tally.notes.setdefault(cause, entry.notes)
    return tally


_DRAWN_INTO = frozenset({"BATCH", "PLANT_BATCH"})
"""What a CONSUMPTION draws into: another package, or a plant batch planted from this one;
Metrc takes the quantity out when it makes the other record, so it is no adjustment here."""


def _consumed_into(entry: LedgerEntry) -> UUID | None:
    if entry.type != CONSUMPTION or entry.reference_type not in _DRAWN_INTO:
        return None
    if not entry.reference_id:
        return None
    try:
        return UUID(entry.reference_id)
    except ValueError:
        return None


def _plan_changes(
    change: BatchChange,
    link: PackageLink,
    rules: JurisdictionRules,
    through: tuple[int, int],
    settled: frozenset[tuple[int, int]] = frozenset(),
) -> Plan:
    facts = change.batch
    notes: list[Problem] = []
    planned = link.planned or PlannedPackage(
        quantity=link.batch.physical, finished=False, location_id=None
    )
    if facts.version > link.batch.version and planned.quantity != link.batch.physical:
        notes.append(
            problem(
                ProblemCode.QUANTITY_DRIFT,
                f"Batch {facts.code}: the writes planned for Metrc add up to {planned.quantity}"
                f" {facts.unit}, but the batch held {link.batch.physical} at version "
                f"{link.batch.version}.",
            )
        )
    tag, tag_note = _next_tag(link, facts)
    if tag_note is not None:
        notes.append(tag_note)
    fresh = [e for e in change.entries if e.position > link.applied_through or change.created]
    in_metrc = [e for e in fresh if e.position in settled and e.is_physical]
    tally = _tally([e for e in fresh if e.position not in settled], change.created)
    on = rules.local_date(change.occurred_at)
    intents: list[Intent] = []
    quantity, finished, location = planned.quantity, planned.finished, planned.location_id
    quantity += sum((e.change for e in in_metrc), Decimal(0))
    if tally.returned:
        # Rejected on its manifest: Metrc's package is active here again, as it was.
        quantity += tally.returned
        finished = False
    ups = [(c, d) for c, d in tally.deltas.items() if d > 0]
    downs = [(c, d) for c, d in tally.deltas.items() if d < 0]
    if finished and ups:
        intents.append(UnfinishPackage())
        finished = False
    for cause, delta in ups + downs:
        note = tally.notes.get(cause) or change.notes
        intents.append(
            AdjustPackage(quantity=delta, unit=facts.unit, cause=cause, note=note, date=on)
        )
        quantity += delta
    if tally.sold > 0:
        ref_type, ref_id = tally.sale_reference
        intents.append(
            TransferOut(quantity=tally.sold, reference_type=ref_type, reference_id=ref_id)
        )
        quantity -= tally.sold
    for into, drawn in tally.draws.items():
        if drawn > 0:
            intents.append(IngredientDraw(into_batch_id=into, quantity=drawn))
            quantity -= drawn
    if rules.track_locations and facts.physical > 0:
        main = facts.main_location(location)
        if main is not None and main != location:
            intents.append(ChangeLocation(location_id=main, date=on))
            location = main
    if facts.physical == 0 and not finished:
        # Gone on a manifest, the package left active inventory without a finish of ours.
        if not tally.on_manifest:
            intents.append(FinishPackage(date=on))
        finished = True
    newer = facts.version >= link.batch.version
    updated = replace(
        link,
        batch=facts if newer else link.batch,
        applied_through=through,
        tag=tag,
        planned=PlannedPackage(quantity=quantity, finished=finished, location_id=location),
        problem=None,
        updated_at=max(link.updated_at, change.occurred_at),
    )
    changed = tag != link.tag or link.problem is not None
    return Plan(updated, tuple(intents), tuple(notes), link_changed=changed)


def _next_tag(link: PackageLink, facts: BatchFacts) -> tuple[str | None, Problem | None]:
    wanted = facts.package_tag
    if wanted is None or wanted == link.tag:
        return link.tag, None
    if link.state is LinkState.LINKED and link.tag is not None:
        return link.tag, problem(
            ProblemCode.TAG_CHANGE_AFTER_LINK,
            f"Batch {facts.code} now says tag {wanted}, but its package is {link.tag} in Metrc.",
            field="tag",
        )
    return wanted, None


def _is_stale(change: BatchChange, link: PackageLink) -> bool:
    if change.batch.version < link.batch.version:
        return True
    fresh = any(e.position > link.applied_through for e in change.entries)
    return not fresh and change.batch.version == link.batch.version
