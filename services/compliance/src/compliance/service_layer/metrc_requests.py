"""Submissions as Metrc calls (payloads in Metrc's words): every kind that is a Metrc write in one
``WRITES`` table of ``MetrcWrite``s (the package writes here, the cultivation ones from
``cultivation_requests``), sent one way (``metrc_write.send_write``); and Metrc's packages as the
domain's read-back view."""

from __future__ import annotations

from collections.abc import Sequence

from compliance.adapters.metrc.payloads import (
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageIngredient,
    PackageLocationChange,
    PackageUnfinish,
)
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.schemas import Package, WriteResult
from compliance.domain import (
    AdjustPackage,
    ChangeLocation,
    CreatePackage,
    FinishPackage,
    MetrcPackageView,
    Submission,
    SubmissionKind,
    UnfinishPackage,
)
from compliance.service_layer.cultivation_requests import CULTIVATION_WRITES
from compliance.service_layer.metrc_write import MetrcWrite, needed, prepared, send_write

__all__ = ["OPERATIONS", "WRITES", "package_view", "write"]


def _create(s: Submission, _: int | None) -> PackageCreate:
    intent, sent = prepared(s, CreatePackage)
    return PackageCreate(
        tag=sent.tag,
        item=needed(sent.item),
        quantity=intent.quantity,
        unit_of_measure=needed(sent.unit),
        actual_date=intent.date,
        location=sent.location,
        ingredients=[
            PackageIngredient(package=i.tag, quantity=i.quantity, unit_of_measure=i.unit)
            for i in sent.ingredients
        ]
        or None,
    )


def _adjust(s: Submission, _: int | None) -> PackageAdjust:
    intent, sent = prepared(s, AdjustPackage)
    return PackageAdjust(
        label=sent.tag,
        quantity=intent.quantity,
        unit_of_measure=needed(sent.unit),
        adjustment_reason=needed(sent.reason),
        adjustment_date=intent.date,
        reason_note=sent.note,
    )


def _move(s: Submission, _: int | None) -> PackageLocationChange:
    intent, sent = prepared(s, ChangeLocation)
    return PackageLocationChange(
        label=sent.tag, location=needed(sent.location), move_date=intent.date
    )


def _finish(s: Submission, _: int | None) -> PackageFinish:
    intent, sent = prepared(s, FinishPackage)
    return PackageFinish(label=sent.tag, actual_date=intent.date)


def _unfinish(s: Submission, _: int | None) -> PackageUnfinish:
    sent = prepared(s, UnfinishPackage)[1]
    return PackageUnfinish(label=sent.tag)


WRITES: dict[SubmissionKind, MetrcWrite] = {
    SubmissionKind.CREATE_PACKAGE: MetrcWrite(
        "packages.create", lambda m: m.create_packages, _create
    ),
    SubmissionKind.ADJUST_PACKAGE: MetrcWrite(
        "packages.adjust", lambda m: m.adjust_packages, _adjust
    ),
    SubmissionKind.CHANGE_LOCATION: MetrcWrite(
        "packages.location", lambda m: m.change_package_locations, _move
    ),
    SubmissionKind.FINISH_PACKAGE: MetrcWrite(
        "packages.finish", lambda m: m.finish_packages, _finish
    ),
    SubmissionKind.UNFINISH_PACKAGE: MetrcWrite(
        "packages.unfinish", lambda m: m.unfinish_packages, _unfinish
    ),
    **CULTIVATION_WRITES,
}  # fmt: skip
"""Every kind that is a Metrc write, and how it is written."""

OPERATIONS: dict[SubmissionKind, str] = {
    SubmissionKind.LINK_PACKAGE: "packages.link",
    **{kind: w.operation for kind, w in WRITES.items()},
}
"""The sync log's operation name of each kind."""


async def write(
    metrc: MetrcPort, license_number: str, kind: SubmissionKind, subs: Sequence[Submission]
) -> WriteResult:
    """One Metrc write carrying ``subs`` (all of ``kind``), in order."""
    spec = WRITES.get(kind)
    if spec is None:
        raise ValueError(f"{kind} is not a Metrc write")
    return await send_write(spec, metrc, license_number, subs)


def package_view(package: Package | None) -> MetrcPackageView | None:
    if package is None:
        return None
    return MetrcPackageView(
        id=package.id,
        label=package.label,
        quantity=package.quantity,
        original_quantity=package.original_package_quantity,
        unit=package.unit_of_measure_name,
        item=package.item_name,
        location=package.location_name,
        finished=package.is_finished or package.finished_date is not None,
    )
