"""Validating a plant batch write before it is sent, by the guide's Plant Batch Creation table.

Name (unique per facility: Metrc refuses a second one, and its message comes back with the
guidance), type "Seed" or "Clone", count a positive integer, strain that exists in Metrc,
location mapped to a Metrc location that takes plant batches, dates not in the future at the
facility. A change to a plant batch (adjust, move, destroy, split, growth phase) also waits until
the batch is in Metrc: its planting, or the split that made it, accepted (``in_metrc``).

:func:`prepare_cultivation` returns the Metrc values to send with (``SentAs``), or every problem.
A problem with ``retry_at`` clears on its own (the claim requeues the write instead of rejecting
it); the rest reject it with the guide's guidance.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from compliance.domain.cultivation_intents import (
    HarvestFinish,
    HarvestPlant,
    HarvestUnfinish,
    HarvestWasteRecord,
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
    PlantGrowthPhase,
    PlantingSource,
)
from compliance.domain.field_checks import (
    check_date,
    check_listed,
    check_location,
    check_positive,
    check_tag,
    check_unit,
    is_valid_tag,
)
from compliance.domain.jurisdiction import JurisdictionRules
from compliance.domain.links import LinkState, PackageLink
from compliance.domain.metrc_catalog import MetrcCatalog
from compliance.domain.problems import Problem, ProblemCode, problem
from compliance.domain.read_back import metrc_note
from compliance.domain.submissions import SentAs, SentIngredient, Submission

__all__ = ["GROWTH_PHASES", "PLANT_BATCH_TYPES", "WAIT_FOR_PLANT_BATCH", "prepare_cultivation"]

PLANT_BATCH_TYPES = ("Seed", "Clone")
GROWTH_PHASES = ("Vegetative", "Flowering")
WAIT_FOR_PLANT_BATCH = timedelta(seconds=2)
"""How long a change to a plant batch not yet in Metrc waits before it is looked at again."""


def prepare_cultivation(
    s: Submission,
    *,
    rules: JurisdictionRules,
    catalog: MetrcCatalog,
    in_metrc: Collection[UUID],
    now: datetime,
    open_queue: Sequence[Submission] = (),
    sources: Mapping[UUID, PackageLink] | None = None,
) -> SentAs | list[Problem]:
    """The values to send cultivation write ``s`` with, or every problem that stops it (those
    that do not clear on their own first: they name the rejection).
    ``in_metrc``: the plant batches (among ``s``'s) whose create Metrc accepted; ``open_queue``:
    the license's writes not done yet (a plant waits for the write that gave it its tag, a
    harvest for its plants' writes); ``sources``: the package links by batch id (a planting
    from a package is sent with its package's tag)."""
    found = _prepare(s, rules, catalog, in_metrc, now, open_queue, sources or {})
    if isinstance(found, list):
        return sorted(found, key=lambda p: p.retry_at is not None)
    return found


def _prepare(
    s: Submission,
    rules: JurisdictionRules,
    catalog: MetrcCatalog,
    in_metrc: Collection[UUID],
    now: datetime,
    open_queue: Sequence[Submission],
    sources: Mapping[UUID, PackageLink],
) -> SentAs | list[Problem]:
    problems: list[Problem] = []
    intent = s.intent
    if isinstance(intent, PlantGrowthPhase | HarvestPlant):
        _wait_for_plant(problems, s, intent.tag, open_queue, now)
    if isinstance(intent, PlantGrowthPhase):
        if intent.growth_phase not in GROWTH_PHASES:
            problems.append(
                problem(
                    ProblemCode.GROWTH_PHASE_INVALID,
                    f"Plant {intent.tag}: growth phase {intent.growth_phase!r} is not "
                    "Vegetative or Flowering.",
                    field="growthPhase",
                )
            )
        check_tag(problems, intent.tag, what="Plant tag")
        location = _location(problems, rules, catalog, intent.location_id)
        check_date(problems, rules, intent.date, now)
        return problems or SentAs(tag=intent.tag, location=location)
    if isinstance(intent, HarvestPlant):
        check_tag(problems, intent.tag, what="Plant tag")
        check_positive(
            problems, intent.weight, f"Harvest {intent.harvest_name}: weight", field="weight"
        )
        unit = check_unit(problems, rules, catalog, intent.unit, what="Unit of weight")
        drying = check_location(
            problems,
            rules,
            intent.drying_location_id,
            catalog.harvest_location,
            kind=" for harvests",
            field="dryingLocation",
        )
        check_date(problems, rules, intent.date, now)
        return problems or SentAs(tag=intent.tag, unit=unit, location=drying)
    if isinstance(intent, HarvestWasteRecord):
        check_positive(
            problems, intent.weight, f"Harvest {intent.harvest_name}: weight", field="weight"
        )
        unit = check_unit(problems, rules, catalog, intent.unit, what="Unit of weight")
        if not intent.waste_type.strip():
            problems.append(
                problem(ProblemCode.REASON_REQUIRED, "The harvest waste has no waste type.")
            )
        check_date(problems, rules, intent.date, now)
        return problems or SentAs(tag="", unit=unit, reason=intent.waste_type)
    if isinstance(intent, HarvestFinish):
        check_date(problems, rules, intent.date, now)
        return problems or SentAs(tag="")
    if isinstance(intent, HarvestUnfinish):
        return SentAs(tag="")
    if isinstance(intent, PlantBatchPlanting):
        if intent.plant_type not in PLANT_BATCH_TYPES:
            problems.append(
                problem(
                    ProblemCode.PLANT_BATCH_TYPE_INVALID,
                    f"Plant batch {intent.name}: type {intent.plant_type!r} is not Seed or Clone.",
                    field="type",
                )
            )
        _count(problems, intent.name, intent.count)
        strain = _strain(problems, catalog, intent.name, intent.strain)
        location = _location(problems, rules, catalog, intent.location_id)
        check_date(problems, rules, intent.date, now)
        drawn = _source_package(problems, rules, catalog, intent.source, sources)
        return problems or SentAs(tag="", item=strain, location=location, ingredients=drawn)
    if s.batch_id not in in_metrc:
        problems.append(
            problem(
                ProblemCode.PLANT_BATCH_NOT_IN_METRC,
                f"Plant batch {getattr(intent, 'name', s.batch_id)} is not in Metrc yet.",
                retry_at=now + WAIT_FOR_PLANT_BATCH,
            )
        )
    if isinstance(intent, PlantBatchSplitOff):
        _count(problems, intent.name, intent.count)
        strain = _strain(problems, catalog, intent.group_name, intent.strain)
        location = _location(problems, rules, catalog, intent.location_id)
        check_date(problems, rules, intent.date, now)
        return problems or SentAs(tag="", item=strain, location=location)
    if isinstance(intent, PlantBatchCountChange):
        if intent.quantity == 0:
            problems.append(
                problem(ProblemCode.COUNT_NOT_POSITIVE, "An adjustment of 0 plants.", field="count")
            )
        known = catalog.reason(intent.reason) if intent.reason.strip() else None
        reason = known.name if known is not None else None
        if known is None:
            listed = ", ".join(r.name for r in catalog.reasons)
            problems.append(
                problem(
                    ProblemCode.REASON_REQUIRED,
                    f"Plant batch {intent.name}: adjustment reason {intent.reason!r} is not one "
                    f"of the state's reasons ({listed}).",
                    field="reason",
                )
            )
        elif known.requires_note and not (intent.note or "").strip():
            problems.append(
                problem(
                    ProblemCode.REASON_REQUIRED,
                    f"Plant batch {intent.name}: reason {known.name} needs a note.",
                    field="reasonNote",
                )
            )
        check_date(problems, rules, intent.date, now)
        return problems or SentAs(tag="", reason=reason, note=metrc_note(intent.note, s.id))
    if isinstance(intent, PlantBatchMove):
        location = _location(problems, rules, catalog, intent.location_id)
        check_date(problems, rules, intent.date, now)
        return problems or SentAs(tag="", location=location)
    if isinstance(intent, PlantBatchDestroy):
        _count(problems, intent.name, intent.count)
        if intent.waste_weight < 0:
            problems.append(
                problem(
                    ProblemCode.QUANTITY_NOT_POSITIVE,
                    f"Waste weight {intent.waste_weight} is negative.",
                    field="wasteWeight",
                )
            )
        if not intent.waste_reason.strip():
            problems.append(
                problem(ProblemCode.REASON_REQUIRED, "The destruction has no waste reason.")
            )
        check_date(problems, rules, intent.date, now)
        return problems or SentAs(
            tag="", unit=rules.metrc_unit(intent.waste_unit), reason=intent.waste_reason
        )
    if isinstance(intent, PlantBatchGrowthPhase):
        _count(problems, intent.name, intent.count)
        bad = [t for t in intent.tags if not is_valid_tag(t)]
        if bad or len(intent.tags) != intent.count:
            problems.append(
                problem(
                    ProblemCode.TAG_INVALID,
                    f"Plant batch {intent.name}: {intent.count} plants need {intent.count} "
                    f"valid plant tags; got {len(intent.tags)} ({len(bad)} invalid).",
                    field="startingTag",
                )
            )
        location = _location(problems, rules, catalog, intent.location_id)
        check_date(problems, rules, intent.date, now)
        starting = intent.tags[0] if intent.tags else ""
        return problems or SentAs(tag=starting, location=location)
    raise TypeError(f"{s.kind} is not a plant batch write")


def _wait_for_plant(
    problems: list[Problem],
    s: Submission,
    tag: str,
    open_queue: Sequence[Submission],
    now: datetime,
) -> None:
    """A plant's write waits for every earlier open write that makes the plant (the plant
    batch's growth phase change that used its tag) or changes it (its own growth phase)."""
    plant_id = s.intent.plant_id if isinstance(s.intent, HarvestPlant) else None
    for earlier in open_queue:
        if earlier.sequence >= s.sequence or earlier.is_done:
            continue
        makes = isinstance(earlier.intent, PlantBatchGrowthPhase) and tag in earlier.intent.tags
        changes = plant_id is not None and earlier.batch_id == plant_id
        if makes or changes:
            problems.append(
                problem(
                    ProblemCode.PLANT_BATCH_NOT_IN_METRC,
                    f"Plant {tag} waits for an earlier write of it ({earlier.kind.value}).",
                    retry_at=now + WAIT_FOR_PLANT_BATCH,
                )
            )
            return


def _source_package(
    problems: list[Problem],
    rules: JurisdictionRules,
    catalog: MetrcCatalog,
    source: PlantingSource | None,
    sources: Mapping[UUID, PackageLink],
) -> tuple[SentIngredient, ...]:
    """The package a planting draws from, as sent: its tag, the quantity, Metrc's unit."""
    if source is None:
        return ()
    link = sources.get(source.batch_id)
    if link is None or link.state is not LinkState.LINKED or link.tag is None:
        code = link.batch.code if link is not None else source.batch_id
        problems.append(
            problem(
                ProblemCode.INGREDIENT_NOT_LINKED,
                f"The package the plant batch is planted from (batch {code}) is not in Metrc.",
                field="sourceBatchId",
            )
        )
        return ()
    check_positive(problems, source.quantity, f"Package {link.tag}: {source.quantity}",
                   field="sourceQuantity")  # fmt: skip
    unit = check_unit(problems, rules, catalog, source.unit)
    if unit is None:
        return ()
    return (SentIngredient(tag=link.tag, quantity=source.quantity, unit=unit),)


def _count(problems: list[Problem], name: str, count: int) -> None:
    if count <= 0:
        problems.append(
            problem(
                ProblemCode.COUNT_NOT_POSITIVE,
                f"Plant batch {name}: count {count} is not a positive whole number.",
                field="count",
            )
        )


def _strain(problems: list[Problem], catalog: MetrcCatalog, name: str, strain: str) -> str | None:
    return check_listed(
        problems,
        catalog.strain(strain),
        ProblemCode.STRAIN_NOT_FOUND,
        f"Plant batch {name}: strain {strain!r} is not in Metrc for this facility.",
        field="strain",
    )


def _location(
    problems: list[Problem], rules: JurisdictionRules, catalog: MetrcCatalog, location_id: str
) -> str | None:
    return check_location(
        problems, rules, location_id, catalog.plant_location, kind=" for plant batches"
    )
