"""Incoming deliveries, without I/O: the mirror keeps one record per delivery, the digest changes
exactly when what the event says changes, and only new or modified deliveries are read again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from compliance.domain.incoming_transfers import (
    IncomingDelivery,
    IncomingPackageView,
    needs_reading,
)
from compliance.domain.mirror import Feed, SyncType, mirror_record

AT = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)


def package(tag: str, state: str = "Shipped") -> IncomingPackageView:
    return IncomingPackageView(
        tag=tag,
        metrc_package_id=1,
        shipped_quantity=Decimal("25"),
        shipped_unit="Grams",
        shipment_state=state,
    )


DELIVERY = IncomingDelivery(
    license_number="CO-2",
    metrc_transfer_id=70,
    delivery_id=7,
    packages=(package("B"), package("A")),
)


def test_the_mirror_keeps_an_incoming_row_per_delivery_under_its_manifest_number() -> None:
    row = {"Id": 70, "DeliveryId": 7, "ManifestNumber": "0000000042", "LastModified": None}
    record = mirror_record(Feed.TRANSFERS_INCOMING, row)
    assert (record.sync_type, record.key, record.label, record.status) == (
        SyncType.TRANSFERS, "7", "0000000042", "incoming",
    )  # fmt: skip


def test_the_fingerprint_changes_exactly_when_the_delivery_does() -> None:
    reordered = replace(DELIVERY, packages=tuple(reversed(DELIVERY.packages)))
    assert reordered.fingerprint() == DELIVERY.fingerprint()
    accepted = replace(DELIVERY, packages=(package("A", "Accepted"), package("B")))
    assert accepted.fingerprint() != DELIVERY.fingerprint()
    assert [p["package_tag"] for p in DELIVERY.to_json()["packages"]] == ["A", "B"]


def test_only_new_or_modified_deliveries_are_read_again() -> None:
    assert needs_reading(AT, None, known=False)
    assert not needs_reading(AT, AT, known=True)
    assert needs_reading(AT.replace(minute=31), AT, known=True)
    assert needs_reading(None, AT, known=True)
