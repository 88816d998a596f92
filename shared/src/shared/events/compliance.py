"""Integration events of the compliance service, on ``compliance.events`` keyed by batch id (an
outgoing transfer's manifest events by the inventory transfer's id).

What the batch detail shows as its Metrc link (``compliance.package_link_changed``) and the
state of each push (one event per state change a person may care about: planned, accepted,
rejected, failed, retried, dismissed). Transient retries and in-flight moments are not
published; the compliance API shows them. Quantities are decimal strings; times aware UTC.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.types import DecimalString, UtcDateTime
from shared.events.registry import event_type
from shared.events.topics import COMPLIANCE_EVENTS

__all__ = [
    "ComplianceEventBase",
    "FindingChangedV1",
    "IncomingPackage",
    "IncomingTransferChangedV1",
    "ManifestPackageOutcome",
    "PackageLinkChangedV1",
    "PushAcceptedV1",
    "PushDismissedV1",
    "PushEventBase",
    "PushFailedV1",
    "PushPlannedV1",
    "PushRejectedV1",
    "PushRetriedV1",
    "TransferManifestSettledV1",
]

_AT = "2026-03-02T09:30:05Z"
_COMMON: dict[str, Any] = {
    "batch_id": "0f8b8a52-5a43-4d8e-8a57-2f7b2b1f0c11",
    "site_id": "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60",
    "license_number": "403-X0001",
    "occurred_at": _AT,
    "actor": "compliance",
}
_TAG = "1A4FF0100000022000000123"


def _push_example(**fields: Any) -> ConfigDict:
    example: dict[str, Any] = {
        **_COMMON,
        "submission_id": "3c2b1a09-8f7e-4d6c-9b5a-493827160504",
        "sequence": 1042,
        "kind": "CREATE_PACKAGE",
        "state": "ACCEPTED",
        "attempts": 1,
        "quantity": "100.0000",
        "unit": "Grams",
        "tag": _TAG,
        "metrc_ids": [55021],
        "error_code": None,
        "error_message": None,
        "guidance": None,
        "created_at": "2026-03-02T09:30:00Z",
        "first_sent_at": "2026-03-02T09:30:01Z",
        "completed_at": _AT,
        **fields,
    }
    return ConfigDict(frozen=True, json_schema_extra={"examples": [example]})


class ComplianceEventBase(BaseModel):
    model_config = ConfigDict(frozen=True)

    batch_id: UUID
    site_id: UUID
    license_number: str | None
    occurred_at: UtcDateTime
    actor: str


@event_type("compliance.package_link_changed", version=1, topic=COMPLIANCE_EVENTS)
class PackageLinkChangedV1(ComplianceEventBase):
    """A batch's Metrc link changed: ``state`` NOT_TRACKED, UNLINKED, PENDING or LINKED, with
    the tag and Metrc's package id once known, and the problem when it is not tracked."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_COMMON,
                    "state": "LINKED",
                    "tag": _TAG,
                    "metrc_package_id": 55021,
                    "source": "OPENING_BALANCE",
                    "problem_code": None,
                    "problem_message": None,
                    "guidance": None,
                }
            ]
        },
    )

    state: str
    tag: str | None
    metrc_package_id: int | None
    source: str | None
    problem_code: str | None
    problem_message: str | None
    guidance: str | None


class PushEventBase(ComplianceEventBase):
    """One write to Metrc (a submission of the ledger) as it now stands."""

    submission_id: UUID
    sequence: int
    kind: str
    state: str
    attempts: int
    quantity: DecimalString | None
    unit: str | None
    tag: str | None
    metrc_ids: list[int]
    error_code: str | None
    error_message: str | None
    guidance: str | None
    created_at: UtcDateTime
    first_sent_at: UtcDateTime | None
    completed_at: UtcDateTime | None


@event_type("compliance.push_planned", version=1, topic=COMPLIANCE_EVENTS)
class PushPlannedV1(PushEventBase):
    """A write to Metrc was planned from an inventory change (state PENDING)."""

    model_config = _push_example(
        state="PENDING", attempts=0, metrc_ids=[], first_sent_at=None, completed_at=None
    )


@event_type("compliance.push_accepted", version=1, topic=COMPLIANCE_EVENTS)
class PushAcceptedV1(PushEventBase):
    """Metrc applied the write (or a read-back found it applied)."""

    model_config = _push_example()


@event_type("compliance.push_rejected", version=1, topic=COMPLIANCE_EVENTS)
class PushRejectedV1(PushEventBase):
    """The write was refused, by validation before the push or by Metrc, with the guidance."""

    model_config = _push_example(
        state="REJECTED",
        metrc_ids=[],
        error_code="ITEM_NOT_FOUND",
        error_message="Item 'Blue Dream 3.5g' is not active in Metrc",
        guidance="The item must exist and be active in Metrc.",
    )


@event_type("compliance.push_failed", version=1, topic=COMPLIANCE_EVENTS)
class PushFailedV1(PushEventBase):
    """The write kept failing (Metrc unavailable) and was given up after the policy's attempts;
    a person retries or dismisses it."""

    model_config = _push_example(
        state="FAILED",
        attempts=8,
        metrc_ids=[],
        error_code="METRC_UNAVAILABLE",
        error_message="Metrc answered 503",
        guidance="Metrc did not answer. The push is retried on its own.",
    )


@event_type("compliance.push_retried", version=1, topic=COMPLIANCE_EVENTS)
class PushRetriedV1(PushEventBase):
    """A person retried a rejected or failed write (state PENDING again)."""

    model_config = _push_example(state="PENDING", attempts=0, metrc_ids=[], completed_at=None)


@event_type("compliance.push_dismissed", version=1, topic=COMPLIANCE_EVENTS)
class PushDismissedV1(PushEventBase):
    """A person settled a rejected or failed write by hand; the writes behind it may go."""

    model_config = _push_example(
        state="FAILED",
        metrc_ids=[],
        error_code="METRC_UNAVAILABLE",
        error_message="Metrc answered 503",
        guidance="Metrc did not answer. The push is retried on its own.",
    )


@event_type("compliance.finding_changed", version=1, topic=COMPLIANCE_EVENTS)
class FindingChangedV1(BaseModel):
    """A reconciliation finding as it now stands (keyed by ``finding_id``): opened by a run
    (``OPEN``), being applied (``APPLYING``), its fix applied (``APPLIED``) or rejected
    (``REJECTED``) by ``decided_by``, or settled on its own (``SETTLED``: a later run no longer
    saw it). ``finding_class`` is one of PENDING_PUSH, PUSH_FAILED, CHANGED_IN_METRC,
    QUANTITY_DIFFERS, MISSING_IN_METRC, MISSING_IN_CANOPY, UNIT_OR_ITEM_MISMATCH,
    KEY_OR_PERMISSION, EQUAL_AND_OPPOSITE; ``fix`` the kind of fix it proposes."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "finding_id": "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                    "license_number": "403-X0001",
                    "site_id": _COMMON["site_id"],
                    "finding_class": "CHANGED_IN_METRC",
                    "state": "APPLIED",
                    "batch_ids": [_COMMON["batch_id"]],
                    "tags": [_TAG],
                    "unit": "Grams",
                    "canopy_quantity": "100.0000",
                    "metrc_quantity": "98.5000",
                    "pending_quantity": "0",
                    "fix": "LOCAL_MOVEMENT",
                    "message": "Package 1A4FF0100000022000000123 was adjusted in Metrc.",
                    "decided_by": "user-7",
                    "decided_at": _AT,
                    "opened_at": "2026-03-01T18:00:00Z",
                    "occurred_at": _AT,
                    "actor": "user-7",
                }
            ]
        },
    )

    finding_id: UUID
    license_number: str
    site_id: UUID | None
    finding_class: str
    state: str
    batch_ids: list[UUID]
    tags: list[str]
    unit: str | None
    canopy_quantity: DecimalString | None
    metrc_quantity: DecimalString | None
    pending_quantity: DecimalString | None
    fix: str
    message: str
    decided_by: str | None
    decided_at: UtcDateTime | None
    opened_at: UtcDateTime
    occurred_at: UtcDateTime
    actor: str


# ---------------------------------------------------------------------------- transfers


class ManifestPackageOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    package_tag: str
    accepted: bool
    received_quantity: DecimalString | None = None


@event_type("compliance.transfer_manifest.settled", version=1, topic=COMPLIANCE_EVENTS)
class TransferManifestSettledV1(BaseModel):
    """The receiving facility decided every package of an outgoing transfer's manifest, as
    Metrc shows it (keyed by the inventory transfer's id): inventory settles the transfer from
    it (accepted packages with their received quantity; rejected or returned ones come back)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "transfer_id": "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e",
                    "site_id": _COMMON["site_id"],
                    "license_number": _COMMON["license_number"],
                    "metrc_template_id": 7001,
                    "metrc_transfer_id": 9001,
                    "manifest_number": "0000000042",
                    "packages": [
                        {"package_tag": _TAG, "accepted": True, "received_quantity": "99.5000"},
                        {
                            "package_tag": "1A4FF0100000022000000124",
                            "accepted": False,
                            "received_quantity": None,
                        },
                    ],
                    "occurred_at": _AT,
                }
            ]
        },
    )

    transfer_id: UUID
    site_id: UUID
    license_number: str
    metrc_template_id: int
    metrc_transfer_id: int
    manifest_number: str | None = None
    packages: list[ManifestPackageOutcome]
    occurred_at: UtcDateTime


class IncomingPackage(BaseModel):
    """A package of an incoming delivery as Metrc shows it to the receiving facility."""

    model_config = ConfigDict(frozen=True)

    package_tag: str
    metrc_package_id: int
    item_name: str | None = None
    item_category: str | None = None
    item_strain: str | None = None
    shipped_quantity: DecimalString
    shipped_unit: str
    shipment_state: str
    """Metrc's ShipmentPackageState: Shipped, Accepted, Rejected or Returned."""
    received_quantity: DecimalString | None = None
    wholesale_price: DecimalString | None = None
    """The shipper's price for the whole package, where Metrc has one."""


@event_type("compliance.incoming_transfer.changed", version=1, topic=COMPLIANCE_EVENTS)
class IncomingTransferChangedV1(BaseModel):
    """An incoming manifest delivery to a license, as Metrc shows it, new or changed since the
    last one published (keyed by ``<license>:<delivery id>``): inventory records it for the
    receiving site, whose people receive its packages as batches. Published once per change:
    a pull that finds the delivery as it was publishes nothing."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "license_number": _COMMON["license_number"],
                    "metrc_transfer_id": 9001,
                    "delivery_id": 9101,
                    "manifest_number": "0000000042",
                    "shipper_license_number": "403-X0002",
                    "shipper_name": "North Farm",
                    "shipment_type": "Wholesale",
                    "estimated_arrival": _AT,
                    "received_at": None,
                    "packages": [
                        {
                            "package_tag": _TAG,
                            "metrc_package_id": 55021,
                            "item_name": "Blue Dream 3.5g",
                            "item_category": "Buds",
                            "item_strain": "Blue Dream",
                            "shipped_quantity": "25",
                            "shipped_unit": "Grams",
                            "shipment_state": "Shipped",
                            "received_quantity": None,
                            "wholesale_price": "250.00",
                        }
                    ],
                    "fingerprint": "sha256:0f3c5e",
                    "occurred_at": _AT,
                }
            ]
        },
    )

    license_number: str
    metrc_transfer_id: int
    delivery_id: int
    manifest_number: str | None = None
    shipper_license_number: str | None = None
    shipper_name: str | None = None
    shipment_type: str | None = None
    estimated_arrival: UtcDateTime | None = None
    received_at: UtcDateTime | None = None
    """When the receiver received the delivery in Metrc (None while it is on its way)."""
    packages: list[IncomingPackage]
    fingerprint: str
    """A digest of everything above: a change in Metrc changes it."""
    occurred_at: UtcDateTime
