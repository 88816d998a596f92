"""Submissions as Metrc calls (payloads in Metrc's words): every kind that is a Metrc write in one
``WRITES`` table of ``MetrcWrite``s (the package writes here, the cultivation ones from
``cultivation_requests``), sent one way (``metrc_write.send_write``); and Metrc's packages as the
domain's read-back view."""

from __future__ import annotations

from collections.abc import Sequence

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
from compliance.service_layer.metrc_write import MetrcWrite, send_write

__all__ = ["OPERATIONS", "WRITES", "package_view", "payload", "write"]


def payload(s: Submission, _: int | None = None) -> MetrcPayload:
    """The Metrc object for package write ``s``, from the values it was prepared with
    (``sent_as``)."""
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


WRITES: dict[SubmissionKind, MetrcWrite] = {
    SubmissionKind.CREATE_PACKAGE: MetrcWrite(
        "packages.create", lambda m: m.create_packages, payload
    ),
    SubmissionKind.ADJUST_PACKAGE: MetrcWrite(
        "packages.adjust", lambda m: m.adjust_packages, payload
    ),
    SubmissionKind.CHANGE_LOCATION: MetrcWrite(
        "packages.location", lambda m: m.change_package_locations, payload
    ),
    SubmissionKind.FINISH_PACKAGE: MetrcWrite(
        "packages.finish", lambda m: m.finish_packages, payload
    ),
    SubmissionKind.UNFINISH_PACKAGE: MetrcWrite(
        "packages.unfinish", lambda m: m.unfinish_packages, payload
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
