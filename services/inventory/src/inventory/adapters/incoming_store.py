"""Incoming transfers on PostgreSQL (``IncomingTransferRepository``): one row per Metrc delivery,
one per package; handlers lock the transfer row (``SELECT ... FOR UPDATE``) in the unit of work's
transaction, and a save is conditional on the version read.

A delivery recorded while no site held its license has no ``site_id``: every read resolves it to
the site holding the license now (sites are unique per license and never change it), so a site
made later sees it without a step that could miss a delivery being recorded meanwhile; a save
pins the resolved site."""

# SQL here is assembled only from constants of this module (column lists); every value is a
# bound parameter ($n). Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from shared.contracts.transfer_enums import IncomingPackageState, IncomingTransferStatus
from shared.database import Connection

from inventory.domain.transfers.incoming import IncomingPackage, IncomingTransferState, Manifest
from inventory.service_layer.ports import Row

__all__ = ["IncomingStore"]

_MANIFEST = (
    "license_number", "delivery_id", "metrc_transfer_id", "fingerprint", "manifest_number",
    "shipper_license_number", "shipper_name", "shipment_type", "estimated_arrival",
    "metrc_received_at",
)  # fmt: skip
_HEAD = (
    "t.id, COALESCE(t.site_id, s.id) AS site_id, "
    + ", ".join(
        f"t.{name}"
        for name in (
            "status", "received_by", "received_at", "version", "created_at", "updated_at",
            *_MANIFEST,
        )
    )
)  # fmt: skip
_FROM = (
    "incoming_transfer t LEFT JOIN site s"
    " ON t.site_id IS NULL AND s.license_number = t.license_number"
)
_PACKAGE = (
    "package_tag", "metrc_package_id", "item_name", "item_category", "item_strain",
    "shipped_quantity", "unit", "wholesale_price", "metrc_state", "metrc_received_quantity",
    "state", "received_quantity", "batch_id",
)  # fmt: skip
_PACKAGES = "transfer_id, position, " + ", ".join(_PACKAGE)


class InvisibleWriteError(RuntimeError):
    """A save found the transfer at another version than the one locked: a bug."""


def _package(row: Row) -> IncomingPackage:
    values = {name: row[name] for name in _PACKAGE}
    values["state"] = IncomingPackageState(values["state"])
    values["batch_id"] = None if row["batch_id"] is None else str(row["batch_id"])
    return IncomingPackage(**values)


def _transfer(row: Row, packages: Sequence[Row]) -> IncomingTransferState:
    return IncomingTransferState(
        transfer_id=str(row["id"]),
        site_id=None if row["site_id"] is None else str(row["site_id"]),
        manifest=Manifest(**{name: row[name] for name in _MANIFEST}),
        status=IncomingTransferStatus(row["status"]),
        packages=tuple(_package(p) for p in packages),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        received_by=row["received_by"],
        received_at=row["received_at"],
    )


def _package_rows(state: IncomingTransferState) -> list[tuple[object, ...]]:
    return [
        (
            UUID(state.transfer_id), n, p.package_tag, p.metrc_package_id, p.item_name,
            p.item_category, p.item_strain, p.shipped_quantity, p.unit, p.wholesale_price,
            p.metrc_state, p.metrc_received_quantity, p.state.value, p.received_quantity,
            None if p.batch_id is None else UUID(p.batch_id),
        )
        for n, p in enumerate(state.packages)
    ]  # fmt: skip


def _site(state: IncomingTransferState) -> UUID | None:
    return None if state.site_id is None else UUID(state.site_id)


class IncomingStore:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def site_for_license(self, license_number: str) -> UUID | None:
        found = await self._conn.fetchval(
            "SELECT id FROM site WHERE license_number = $1", license_number
        )
        return None if found is None else UUID(str(found))

    async def _packages(self, transfer_ids: list[UUID]) -> dict[UUID, list[Row]]:
        rows = await self._conn.fetch(
            f"SELECT {_PACKAGES} FROM incoming_transfer_package"
            " WHERE transfer_id = ANY($1::uuid[]) ORDER BY transfer_id, position",
            transfer_ids,
        )
        grouped: dict[UUID, list[Row]] = {}
        for row in rows:
            grouped.setdefault(row["transfer_id"], []).append(row)
        return grouped

    async def _one(self, where: str, *args: object, lock: bool) -> IncomingTransferState | None:
        row = await self._conn.fetchrow(
            f"SELECT {_HEAD} FROM {_FROM} WHERE {where}" + (" FOR UPDATE OF t" if lock else ""),
            *args,
        )
        if row is None:
            return None
        packages = await self._packages([row["id"]])
        return _transfer(row, packages.get(row["id"], []))

    async def by_delivery(
        self, license_number: str, delivery_id: int
    ) -> IncomingTransferState | None:
        """Locked: the worker records Metrc's report under it."""
        return await self._one(
            "t.license_number = $1 AND t.delivery_id = $2", license_number, delivery_id, lock=True
        )

    async def lock(self, transfer_id: UUID) -> IncomingTransferState | None:
        return await self._one("t.id = $1", transfer_id, lock=True)

    async def get(self, transfer_id: UUID) -> IncomingTransferState | None:
        return await self._one("t.id = $1", transfer_id, lock=False)

    async def insert(self, state: IncomingTransferState) -> None:
        m = state.manifest
        columns = ["id", "site_id", "status", "version", "created_at", "updated_at", *_MANIFEST]
        values = [
            UUID(state.transfer_id), _site(state), state.status.value, state.version,
            state.created_at, state.updated_at, *(getattr(m, name) for name in _MANIFEST),
        ]  # fmt: skip
        marks = ", ".join(f"${n}" for n in range(1, len(values) + 1))
        await self._conn.execute(
            f"INSERT INTO incoming_transfer ({', '.join(columns)}) VALUES ({marks})", *values
        )
        await self._insert_packages(state)

    async def _insert_packages(self, state: IncomingTransferState) -> None:
        marks = ", ".join(f"${n}" for n in range(1, len(_PACKAGE) + 3))
        await self._conn.executemany(
            f"INSERT INTO incoming_transfer_package ({_PACKAGES}) VALUES ({marks})",
            _package_rows(state),
        )

    async def save(self, before_version: int, state: IncomingTransferState) -> None:
        """The transfer and its packages as ``state`` says, conditional on ``before_version``."""
        m = state.manifest
        sets = ", ".join(
            f"{name} = ${n}"
            for n, name in enumerate(
                (
                    "site_id",
                    "status",
                    "received_by",
                    "received_at",
                    "version",
                    "updated_at",
                    *_MANIFEST,
                ),
                start=3,
            )
        )
        done = await self._conn.fetchval(
            f"UPDATE incoming_transfer SET {sets} WHERE id = $1 AND version = $2 RETURNING id",
            UUID(state.transfer_id), before_version, _site(state), state.status.value,
            state.received_by,
            state.received_at, state.version, state.updated_at,
            *(getattr(m, name) for name in _MANIFEST),
        )  # fmt: skip
        if done is None:
            raise InvisibleWriteError(f"incoming transfer {state.transfer_id} moved on")
        await self._conn.execute(
            "DELETE FROM incoming_transfer_package WHERE transfer_id = $1",
            UUID(state.transfer_id),
        )
        await self._insert_packages(state)

    async def page(
        self,
        site_id: UUID,
        status: IncomingTransferStatus | None,
        *,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[IncomingTransferState]:
        created, last_id = after or (None, None)
        # The site's own, and those of its license recorded before it existed.
        rows = await self._conn.fetch(
            f"SELECT {_HEAD} FROM {_FROM} WHERE (t.site_id = $1 OR (t.site_id IS NULL"
            " AND t.license_number = (SELECT license_number FROM site WHERE id = $1)))"
            " AND ($2::text IS NULL OR t.status = $2)"
            " AND ($3::timestamptz IS NULL OR (t.created_at, t.id) < ($3::timestamptz, $4::uuid))"
            " ORDER BY t.created_at DESC, t.id DESC LIMIT $5",
            site_id, None if status is None else status.value, created, last_id, limit,
        )  # fmt: skip
        if not rows:
            return []
        packages = await self._packages([row["id"] for row in rows])
        return [_transfer(row, packages.get(row["id"], [])) for row in rows]
