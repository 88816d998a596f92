"""Submissions as Metrc calls (payloads in Metrc's words), and Metrc's packages as the domain's
read-back view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from compliance.adapters.metrc.payloads import (
    MetrcPayload,
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
    CULTIVATION_KINDS,
    AdjustPackage,
    ChangeLocation,
    CreatePackage,
    FinishPackage,
    MetrcPackageView,
    Submission,
    SubmissionKind,
    UnfinishPackage,
)
from compliance.service_layer.cultivation_requests import CULTIVATION_OPERATIONS, write_cultivation

__all__ = ["OPERATIONS", "package_view", "payload", "write"]

P = TypeVar("P", bound=MetrcPayload)

OPERATIONS: dict[SubmissionKind, str] = {
    SubmissionKind.CREATE_PACKAGE: "packages.create",
    SubmissionKind.LINK_PACKAGE: "packages.link",
    SubmissionKind.ADJUST_PACKAGE: "packages.adjust",
    SubmissionKind.CHANGE_LOCATION: "packages.location",
    SubmissionKind.FINISH_PACKAGE: "packages.finish",
    SubmissionKind.UNFINISH_PACKAGE: "packages.unfinish",
    **CULTIVATION_OPERATIONS,
}
"""The sync log's operation name of each kind."""


def payload(s: Submission) -> MetrcPayload:
    """The Metrc object for ``s``, from the values it was prepared with (``sent_as``)."""
    sent, intent = s.sent_as, s.intent
    assert sent is not None, "a submission is prepared before it is sent"
    if isinstance(intent, CreatePackage):
        assert sent.item is not None
        assert sent.unit is not None
        return PackageCreate(
            tag=sent.tag,
            item=sent.item,
            quantity=intent.quantity,
            unit_of_measure=sent.unit,
            actual_date=intent.date,
            location=sent.location,
            ingredients=[
                PackageIngredient(package=i.tag, quantity=i.quantity, unit_of_measure=i.unit)
                for i in sent.ingredients
            ]
            or None,
        )
    if isinstance(intent, AdjustPackage):
        assert sent.unit is not None
        assert sent.reason is not None
        return PackageAdjust(
            label=sent.tag,
            quantity=intent.quantity,
            unit_of_measure=sent.unit,
            adjustment_reason=sent.reason,
            adjustment_date=intent.date,
            reason_note=sent.note,
        )
    if isinstance(intent, ChangeLocation):
        assert sent.location is not None
        return PackageLocationChange(label=sent.tag, location=sent.location, move_date=intent.date)
    if isinstance(intent, FinishPackage):
        return PackageFinish(label=sent.tag, actual_date=intent.date)
    if isinstance(intent, UnfinishPackage):
        return PackageUnfinish(label=sent.tag)
    raise ValueError(f"{s.kind} is not a Metrc write")


async def write(
    metrc: MetrcPort, license_number: str, kind: SubmissionKind, subs: Sequence[Submission]
) -> WriteResult:
    """One Metrc write carrying ``subs`` (all of ``kind``), in order."""
    if kind in CULTIVATION_KINDS:
        return await write_cultivation(metrc, license_number, kind, subs)
    objects = [payload(s) for s in subs]
    if kind is SubmissionKind.CREATE_PACKAGE:
        return await metrc.create_packages(license_number, _of(PackageCreate, objects))
    if kind is SubmissionKind.ADJUST_PACKAGE:
        return await metrc.adjust_packages(license_number, _of(PackageAdjust, objects))
    if kind is SubmissionKind.CHANGE_LOCATION:
        return await metrc.change_package_locations(
            license_number, _of(PackageLocationChange, objects)
        )
    if kind is SubmissionKind.FINISH_PACKAGE:
        return await metrc.finish_packages(license_number, _of(PackageFinish, objects))
    if kind is SubmissionKind.UNFINISH_PACKAGE:
        return await metrc.unfinish_packages(license_number, _of(PackageUnfinish, objects))
    raise ValueError(f"{kind} is not a Metrc write")


def _of(cls: type[P], objects: Sequence[MetrcPayload]) -> list[P]:
    out: list[P] = []
    for o in objects:
        assert isinstance(o, cls)
        out.append(o)
    return out


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
