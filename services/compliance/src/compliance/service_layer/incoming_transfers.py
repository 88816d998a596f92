"""Incoming transfers after a pull: each incoming manifest delivery the ``transfers`` sync type
brought into the mirror, with its packages and the shipper's prices, published once per change
as ``compliance.incoming_transfer.changed`` (inventory records it; its people receive it).

Metrc is read outside any transaction (a delivery's packages and prices are sub-resources, one
GET each); then one transaction per license stages every changed delivery's event in the outbox
with its row, so a re-pull that finds a delivery as it was publishes nothing, and a crash between
the reads and the commit publishes it at the next pull. Only deliveries new to us, or whose row
Metrc modified since we read them, are read again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from compliance.adapters.metrc.errors import MetrcError
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.schemas import Transfer, TransferDeliveryPackage
from compliance.domain import Problem
from compliance.domain.incoming_transfers import (
    IncomingDelivery,
    IncomingPackageView,
    needs_reading,
)
from compliance.domain.mirror import Feed, MirrorRecord, PullReport, SyncType
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.mirror_ports import MirrorStore

__all__ = [
    "IncomingAfterPull",
    "IncomingDeliveryStore",
    "IncomingUnitOfWork",
    "delivery_of",
    "publish_incoming",
]

log = logging.getLogger("compliance.incoming")


class IncomingDeliveryStore(Protocol):
    async def recorded(self, license_number: str) -> dict[int, datetime | None]:
        """Each delivery published for the license, with the row's LastModified then."""

    async def record(
        self, delivery: IncomingDelivery, last_modified: datetime | None, at: datetime
    ) -> bool:
        """Keep the delivery; stage its event when it is new or its fingerprint changed (True)."""


class IncomingUnitOfWork(Protocol):
    @property
    def incoming_deliveries(self) -> IncomingDeliveryStore: ...
    async def commit(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def _package(p: TransferDeliveryPackage, price: Decimal | None) -> IncomingPackageView:
    return IncomingPackageView(
        tag=p.package_label,
        metrc_package_id=p.package_id,
        item_name=p.item_name,
        item_category=p.item_category_name,
        item_strain=p.item_strain_name,
        shipped_quantity=p.shipped_quantity if p.shipped_quantity is not None else Decimal(0),
        shipped_unit=p.shipped_unit_of_measure_name or "",
        shipment_state="" if p.shipment_package_state is None else str(p.shipment_package_state),
        received_quantity=p.received_quantity,
        wholesale_price=price if price is not None else p.shipper_wholesale_price,
    )


def delivery_of(
    license_number: str,
    row: Transfer,
    packages: list[TransferDeliveryPackage],
    prices: Mapping[str, Decimal | None],
) -> IncomingDelivery:
    """The delivery as the event tells it; ``prices``: the shipper's price per package label
    (``/deliveries/{id}/packages/wholesale``), else the package row's own."""
    assert row.delivery_id is not None
    return IncomingDelivery(
        license_number=license_number,
        metrc_transfer_id=row.id,
        delivery_id=row.delivery_id,
        manifest_number=row.manifest_number,
        shipper_license_number=row.shipper_facility_license_number,
        shipper_name=row.shipper_facility_name,
        shipment_type=row.shipment_type_name,
        estimated_arrival=row.estimated_arrival_date_time,
        received_at=row.received_date_time,
        packages=tuple(_package(p, prices.get(p.package_label)) for p in packages),
    )


async def _read(metrc: MetrcPort, license_number: str, row: Transfer) -> IncomingDelivery:
    assert row.delivery_id is not None
    packages = await metrc.list_transfer_delivery_packages(row.delivery_id)
    prices = {
        p.package_label: p.shipper_wholesale_price
        for p in await metrc.list_delivery_wholesale_prices(row.delivery_id)
    }
    return delivery_of(license_number, row, packages, prices)


async def publish_incoming(
    uow: Callable[[], IncomingUnitOfWork],
    metrc: MetrcPort,
    records: list[MirrorRecord],
    license_number: str,
    now: Callable[[], datetime],
) -> dict[str, int]:
    """Publish the license's changed incoming deliveries (``records``: the mirror's
    ``transfers.incoming`` rows). A delivery Metrc does not answer for is left for the next pull
    (counted as ``failed``); the others are published."""
    async with uow() as unit:
        known = await unit.incoming_deliveries.recorded(license_number)
    read: list[tuple[IncomingDelivery, datetime | None]] = []
    failed = 0
    for record in records:
        if (
            record.sync_type is not SyncType.TRANSFERS
            or record.status != Feed.TRANSFERS_INCOMING.status
        ):
            continue
        row = Transfer.model_validate(record.data)
        if row.delivery_id is None or not needs_reading(
            record.last_modified,
            known.get(row.delivery_id),
            known=row.delivery_id in known,
        ):
            continue
        try:
            read.append((await _read(metrc, license_number, row), record.last_modified))
        except MetrcError as error:
            failed += 1
            log.warning(
                "incoming delivery %s of %s not read: %s", row.delivery_id, license_number, error
            )
    published = 0
    if read:
        async with uow() as unit:
            for delivery, last_modified in read:
                published += await unit.incoming_deliveries.record(delivery, last_modified, now())
            await unit.commit()
    return {"read": len(read), "published": published, "failed": failed}


class IncomingAfterPull:
    """What a sync run of the ``transfers`` type does after its pull (``SyncService``): publish
    the license's changed incoming deliveries, unless the pull of the list failed (the next
    pull tries again from its checkpoint). Its answer goes into the run's report."""

    def __init__(
        self,
        ctx: ServiceContext,
        store: MirrorStore,
        uow: Callable[[], IncomingUnitOfWork],
    ) -> None:
        self._ctx = ctx
        self._store = store
        self._uow = uow

    async def __call__(self, license_number: str, report: PullReport) -> dict[str, object]:
        if any(o.feed is Feed.TRANSFERS_INCOMING and not o.ok for o in report.outcomes):
            return {"skipped": "the incoming list was not read"}
        metrc = await self._ctx.metrc_for(license_number)
        if isinstance(metrc, Problem):
            return {"skipped": metrc.message}
        records = await self._store.records(
            license_number, SyncType.TRANSFERS, status=Feed.TRANSFERS_INCOMING.status
        )
        counts = await publish_incoming(self._uow, metrc, records, license_number, self._ctx.now)
        return dict(counts)
