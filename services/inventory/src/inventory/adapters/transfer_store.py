"""Outgoing transfers on PostgreSQL (``TransferRepository``): one row per transfer, one per
package line; handlers lock the transfer row (``SELECT ... FOR UPDATE``) in the unit of work's
transaction, and a save is conditional on the version read."""

# SQL here is assembled only from constants of this module (column lists); every value is a
# bound parameter ($n). Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from shared.database import Connection
from shared.outbox import OutboxMessage, write_outbox

from inventory.domain.transfers import (
    Shipment,
    TransferLine,
    TransferLineState,
    TransferState,
    TransferStatus,
)
from inventory.service_layer.ports import Row

__all__ = ["TransferStore"]

_SHIPMENT = (
    "destination_license_number", "destination_name", "transfer_type", "planned_route",
    "transporter_license_number", "transporter_name", "driver_name",
    "driver_occupational_license_number", "driver_license_number", "vehicle_make",
    "vehicle_model", "vehicle_license_plate", "phone_number", "estimated_departure",
    "estimated_arrival",
)  # fmt: skip
_TRANSFER = (
    "id, site_id, status, manifest_number, settlement_problem, version, created_at, updated_at, "
    + ", ".join(_SHIPMENT)
)
_LINE = (
    "transfer_id, position, batch_id, batch_code, package_tag, product_name, quantity, unit,"
    " wholesale_price, state, received_quantity"
)


class InvisibleWriteError(RuntimeError):
    """A save found the transfer at another version than the one locked: a bug."""


def _line(row: Row) -> TransferLine:
    return TransferLine(
        batch_id=str(row["batch_id"]),
        batch_code=row["batch_code"],
        package_tag=row["package_tag"],
        product_name=row["product_name"],
        quantity=row["quantity"],
        unit=row["unit"],
        state=TransferLineState(row["state"]),
        wholesale_price=row["wholesale_price"],
        received_quantity=row["received_quantity"],
    )


def _transfer(row: Row, lines: Sequence[Row]) -> TransferState:
    return TransferState(
        transfer_id=str(row["id"]),
        site_id=str(row["site_id"]),
        shipment=Shipment(**{name: row[name] for name in _SHIPMENT}),
        status=TransferStatus(row["status"]),
        lines=tuple(_line(line) for line in lines),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        manifest_number=row["manifest_number"],
        settlement_problem=row["settlement_problem"],
    )


class TransferStore:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def insert(self, state: TransferState, created_by: str) -> None:
        s = state.shipment
        columns = ["id", "site_id", "status", "version", "created_by", "created_at", "updated_at"]
        values = [
            UUID(state.transfer_id), UUID(state.site_id), state.status.value, state.version,
            created_by, state.created_at, state.updated_at,
        ]  # fmt: skip
        columns += list(_SHIPMENT)
        values += [getattr(s, name) for name in _SHIPMENT]
        marks = ", ".join(f"${n}" for n in range(1, len(values) + 1))
        await self._conn.execute(
            f"INSERT INTO outgoing_transfer ({', '.join(columns)}) VALUES ({marks})", *values
        )
        await self._conn.executemany(
            f"INSERT INTO outgoing_transfer_line ({_LINE})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            [
                (
                    UUID(state.transfer_id), n, UUID(line.batch_id), line.batch_code,
                    line.package_tag, line.product_name, line.quantity, line.unit,
                    line.wholesale_price, line.state.value, line.received_quantity,
                )
                for n, line in enumerate(state.lines)
            ],
        )  # fmt: skip

    async def _read(self, transfer_id: UUID, *, lock: bool) -> TransferState | None:
        row = await self._conn.fetchrow(
            f"SELECT {_TRANSFER} FROM outgoing_transfer WHERE id = $1"
            + (" FOR UPDATE" if lock else ""),
            transfer_id,
        )
        if row is None:
            return None
        lines = await self._conn.fetch(
            f"SELECT {_LINE} FROM outgoing_transfer_line WHERE transfer_id = $1 ORDER BY position",
            transfer_id,
        )
        return _transfer(row, lines)

    async def lock(self, transfer_id: UUID) -> TransferState | None:
        return await self._read(transfer_id, lock=True)

    async def get(self, transfer_id: UUID) -> TransferState | None:
        return await self._read(transfer_id, lock=False)

    async def save(self, before_version: int, state: TransferState) -> None:
        done = await self._conn.fetchval(
            "UPDATE outgoing_transfer SET status = $2, manifest_number = $3, version = $4,"
            " updated_at = $5 WHERE id = $1 AND version = $6 RETURNING id",
            UUID(state.transfer_id), state.status.value, state.manifest_number, state.version,
            state.updated_at, before_version,
        )  # fmt: skip
        if done is None:
            raise InvisibleWriteError(f"transfer {state.transfer_id} moved on under its lock")
        await self._conn.executemany(
            "UPDATE outgoing_transfer_line SET state = $3, received_quantity = $4"
            " WHERE transfer_id = $1 AND position = $2",
            [
                (UUID(state.transfer_id), n, line.state.value, line.received_quantity)
                for n, line in enumerate(state.lines)
            ],
        )

    async def record_problem(self, transfer_id: UUID, problem: str, at: datetime) -> bool:
        done = await self._conn.fetchval(
            "UPDATE outgoing_transfer SET settlement_problem = $2, updated_at = $3"
            " WHERE id = $1 RETURNING id",
            transfer_id,
            problem,
            at,
        )
        return done is not None

    async def page(
        self,
        site_id: UUID,
        *,
        status: TransferStatus | None = None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[TransferState]:
        created, last_id = after or (None, None)
        rows = await self._conn.fetch(
            f"SELECT {_TRANSFER} FROM outgoing_transfer WHERE site_id = $1"
            " AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))"
            " AND ($5::text IS NULL OR status = $5)"
            " ORDER BY created_at DESC, id DESC LIMIT $4",
            site_id, created, last_id, limit, None if status is None else status.value,
        )  # fmt: skip
        if not rows:
            return []
        lines = await self._conn.fetch(
            f"SELECT {_LINE} FROM outgoing_transfer_line WHERE transfer_id = ANY($1::uuid[])"
            " ORDER BY transfer_id, position",
            [row["id"] for row in rows],
        )
        by_transfer: dict[UUID, list[Row]] = {}
        for line in lines:
            by_transfer.setdefault(line["transfer_id"], []).append(line)
        return [_transfer(row, by_transfer.get(row["id"], [])) for row in rows]

    async def write_events(self, events: Sequence[OutboxMessage]) -> None:
        await write_outbox(self._conn, events)
