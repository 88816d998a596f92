"""The guide's validation before a push, and the check of a package received by transfer.

:func:`prepare` turns a submission into the Metrc values it will be sent with (tag, item, unit,
reason, location, ingredients), or into every :class:`Problem` that stops it, following the
guide's tables: a tag of 24 alphanumeric characters, an item that exists and is active in
Metrc, a positive quantity, a valid Metrc unit, dates not in the future in the facility's time
zone, an adjustment reason. ``catalog`` is what Metrc currently lists for the facility.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from compliance.domain.batches import FromBatches, FromHarvest, OpeningBalance
from compliance.domain.errors import RuleViolation
from compliance.domain.field_checks import (
    check_date,
    check_listed,
    check_location,
    check_positive,
    check_tag,
    check_unit,
)
from compliance.domain.jurisdiction import JurisdictionRules
from compliance.domain.links import LinkState, PackageLink
from compliance.domain.metrc_catalog import MetrcCatalog
from compliance.domain.problems import Problem, ProblemCode, problem
from compliance.domain.read_back import MetrcPackageView, metrc_note
from compliance.domain.submissions import (
    AdjustPackage,
    ChangeLocation,
    CreatePackage,
    FinishPackage,
    LinkPackage,
    SentAs,
    SentIngredient,
    Submission,
)

__all__ = ["check_arrived_package", "check_rules_against_catalog", "prepare"]


def prepare(
    s: Submission,
    *,
    link: PackageLink,
    rules: JurisdictionRules,
    catalog: MetrcCatalog,
    tag: str | None,
    tag_owner: UUID | None,
    sources: Mapping[UUID, PackageLink],
    now: datetime,
) -> SentAs | list[Problem]:
    """The values to send ``s`` with, or every problem that stops it.

    ``tag`` is the link's tag, or one assigned from the facility's available tags (``None``: no
    tag). ``tag_owner`` is the batch another link already holds that tag for, if any.
    ``sources`` are the links of the batches a package is made from.
    """
    problems: list[Problem] = []
    intent = s.intent
    if tag is None:
        problems.append(
            problem(
                ProblemCode.TAG_NOT_AVAILABLE,
                f"Batch {link.batch.code} has no Metrc tag.",
                field="tag",
            )
        )
    elif check_tag(problems, tag) and tag_owner is not None and tag_owner != s.batch_id:
        problems.append(
            problem(
                ProblemCode.TAG_IN_USE, f"Tag {tag} is linked to batch {tag_owner}.", field="tag"
            )
        )
    sent = SentAs(tag=tag or "")
    if isinstance(intent, CreatePackage | LinkPackage):
        # A package received by transfer keeps the shipper's item, which Metrc lists under the
        # shipper's license only: the receiver's catalog and product naming say nothing about it.
        item = (
            _item(problems, rules, catalog, intent.product_id, intent.product_name)
            if isinstance(intent, CreatePackage)
            else None
        )
        unit = check_unit(problems, rules, catalog, intent.unit)
        check_positive(problems, intent.quantity, "Quantity", field="quantity")
        sent = SentAs(tag=sent.tag, item=item, unit=unit)
    if isinstance(intent, CreatePackage):
        check_date(problems, rules, intent.date, now)
        location = _location(problems, rules, catalog, intent.location_id)
        ingredients = _ingredients(problems, rules, catalog, intent, sources)
        if isinstance(intent.source, OpeningBalance) and not rules.allow_opening_balance:
            problems.append(
                problem(
                    ProblemCode.OPENING_BALANCE_NOT_ALLOWED,
                    f"Facility {rules.license_number} may not create opening-balance packages.",
                )
            )
        if isinstance(intent.source, FromHarvest) and not intent.source.harvest_name:
            problems.append(
                problem(
                    ProblemCode.SOURCE_REQUIRED,
                    f"Batch {link.batch.code} comes from a harvest without a name; Metrc's "
                    "harvest is found by its name.",
                )
            )
        sent = SentAs(
            tag=sent.tag, item=sent.item, unit=sent.unit, location=location, ingredients=ingredients
        )
    elif isinstance(intent, AdjustPackage):
        unit = check_unit(problems, rules, catalog, intent.unit)
        reason = _reason(problems, rules, catalog, intent.cause)
        check_date(problems, rules, intent.date, now)
        if intent.quantity == 0:
            problems.append(
                problem(ProblemCode.QUANTITY_NOT_POSITIVE, "An adjustment of 0.", field="quantity")
            )
        sent = SentAs(tag=sent.tag, unit=unit, reason=reason, note=metrc_note(intent.note, s.id))
    elif isinstance(intent, ChangeLocation):
        location = _location(problems, rules, catalog, intent.location_id)
        check_date(problems, rules, intent.date, now)
        sent = SentAs(tag=sent.tag, location=location)
    elif isinstance(intent, FinishPackage):
        check_date(problems, rules, intent.date, now)
    return problems or sent


def check_arrived_package(
    s: Submission, sent: SentAs, package: MetrcPackageView | None
) -> Problem | None:
    """A package received by transfer is linked only if Metrc has it under the batch's tag, open,
    with the batch's unit and quantity (its item is the shipper's); ``None`` means it is the
    batch's package."""
    intent = s.intent
    assert isinstance(intent, LinkPackage)
    if package is None:
        return problem(
            ProblemCode.PACKAGE_NOT_RECEIVED,
            f"Metrc has no package {sent.tag} in this facility.",
            field="tag",
        )
    if package.finished:
        return problem(ProblemCode.LINK_MISMATCH, f"Package {sent.tag} is finished in Metrc.")
    differences = []
    if sent.unit is not None and package.unit.casefold() != sent.unit.casefold():
        differences.append(f"unit {package.unit} (batch: {sent.unit})")
    if package.quantity != intent.quantity:
        differences.append(f"quantity {package.quantity} (batch: {intent.quantity})")
    if differences:
        return problem(
            ProblemCode.LINK_MISMATCH,
            f"Package {sent.tag} in Metrc has " + ", ".join(differences) + ".",
        )
    return None


# --- what only packages have -------------------------------------------------------------------


def _item(
    problems: list[Problem],
    rules: JurisdictionRules,
    catalog: MetrcCatalog,
    product_id: str,
    product_name: str,
) -> str | None:
    wanted = rules.metrc_item(product_id, product_name)
    return check_listed(
        problems,
        catalog.item(wanted),
        ProblemCode.ITEM_NOT_FOUND,
        f"Item {wanted!r} does not exist or is not active in Metrc.",
        field="item",
    )


def _reason(
    problems: list[Problem], rules: JurisdictionRules, catalog: MetrcCatalog, cause: str
) -> str | None:
    wanted = rules.metrc_reason(cause)
    if wanted is None:
        problems.append(
            problem(
                ProblemCode.REASON_REQUIRED,
                f"No Metrc adjustment reason is mapped for {cause}.",
                field="reason",
            )
        )
        return None
    found = catalog.reason(wanted)
    if found is None:
        problems.append(
            problem(
                ProblemCode.REASON_REQUIRED,
                f"{wanted!r} (mapped from {cause}) is not one of the state's Metrc adjustment reasons.",
                field="reason",
            )
        )
        return None
    return found.name


def _location(
    problems: list[Problem],
    rules: JurisdictionRules,
    catalog: MetrcCatalog,
    location_id: str | None,
) -> str | None:
    if location_id is None:
        return None
    return check_location(problems, rules, location_id, catalog.location)


def _ingredients(
    problems: list[Problem],
    rules: JurisdictionRules,
    catalog: MetrcCatalog,
    intent: CreatePackage,
    sources: Mapping[UUID, PackageLink],
) -> tuple[SentIngredient, ...]:
    if not isinstance(intent.source, FromBatches):
        return ()
    sent: list[SentIngredient] = []
    for ingredient in intent.source.ingredients:
        source = sources.get(ingredient.batch_id)
        if source is None or source.state is not LinkState.LINKED or source.tag is None:
            problems.append(
                problem(
                    ProblemCode.INGREDIENT_NOT_LINKED,
                    f"Source batch {source.batch.code if source else ingredient.batch_id} is not "
                    "in Metrc.",
                    field="ingredients",
                )
            )
            continue
        unit = check_unit(problems, rules, catalog, source.batch.unit)
        check_positive(
            problems, ingredient.quantity, f"Ingredient {source.tag}:", field="ingredients"
        )
        if unit is not None:
            sent.append(SentIngredient(tag=source.tag, quantity=ingredient.quantity, unit=unit))
    return tuple(sent)


def check_rules_against_catalog(
    rules: JurisdictionRules, catalog: MetrcCatalog
) -> list[RuleViolation]:
    """Every Metrc name in the rules' maps must be one the facility's Metrc lists: adjustment
    reasons (``/packages/v2/adjust/reasons``), units, items and locations."""
    violations: list[RuleViolation] = []
    for cause, reason in rules.reason_map.items():
        if catalog.reason(reason) is None:
            known = ", ".join(r.name for r in catalog.reasons)
            violations.append(
                RuleViolation(
                    f"reason_map.{cause}", f"{reason!r} is not a Metrc reason here ({known})"
                )
            )
    checks = (
        ("unit_map", rules.unit_map, catalog.unit, "unit of measure"),
        ("item_map", rules.item_map, catalog.item, "active item"),
        ("location_map", rules.location_map, catalog.location, "package location"),
    )
    for name, mapping, lookup, what in checks:
        for key, value in mapping.items():
            if lookup(value) is None:
                violations.append(
                    RuleViolation(f"{name}.{key}", f"{value!r} is not a Metrc {what}")
                )
    return violations
