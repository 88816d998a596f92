"""Plant batches, tracked plants and harvests on PostgreSQL (``CultivationRepository``).

Handlers lock what they change (``SELECT ... FOR UPDATE``) inside the unit of work's transaction;
a save is still conditional on the version read, and raises if it finds another (under the row
lock that can only be a bug). Ledger rows are appended with ``executemany`` (the cultivation
paths write a handful of rows; growth writes one plant row per plant).
"""

# SQL here is assembled only from constants of this module (column lists); every value is a
# bound parameter ($n). Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.database import Connection, from_row
from shared.outbox import OutboxMessage, write_outbox

from inventory.domain.cultivation import (
    GrowthPhase,
    HarvestChange,
    HarvestState,
    HarvestStatus,
    Plant,
    PlantBatchChange,
    PlantBatchState,
    PlantBatchType,
    PlantingSourceKind,
    PlantState,
)
from inventory.service_layer.cultivation_ports import PlantFilter, Written
from inventory.service_layer.ports import DuplicateKeyError, Row

__all__ = ["CultivationStore"]

_PLANT_BATCH = (
    "id, site_id, name, type, strain, location_id, planted_date, count, tracked_count,"
    " destroyed_count, source, parent_plant_batch_id, version, created_at, updated_at"
)
_PLANT = (
    "p.id, p.tag, p.site_id, p.plant_batch_id, pb.name AS plant_batch_name, p.strain,"
    " p.location_id, p.growth_phase, p.state, p.planted_date, p.vegetative_date,"
    " p.flowering_date, p.harvested_date, p.harvest_id, p.harvest_count, p.version,"
    " p.created_at, p.updated_at"
)
_HARVEST = (
    "id, site_id, name, drying_location_id, unit_of_weight, harvest_date, wet_weight,"
    " waste_weight, packaged_weight, plant_count, strains, status, finished_date, version,"
    " created_at, updated_at"
)
_INSERT_PLANT_MOVEMENT = """
    INSERT INTO plant_batch_movement (plant_batch_id, version, sequence, type, change, before,
        after, location_id, actual_date, reason, notes, performed_by, performed_by_name,
        occurred_at, request_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    RETURNING id
"""
_INSERT_HARVEST_MOVEMENT = """
    INSERT INTO harvest_movement (harvest_id, version, sequence, type, change, before, after,
        actual_date, plant_id, batch_id, waste_type, performed_by, performed_by_name,
        occurred_at, request_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    RETURNING id
"""


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _plant_batch(row: Row) -> PlantBatchState:
    return from_row(
        PlantBatchState,
        row,
        plant_batch_id=str(row["id"]),
        site_id=str(row["site_id"]),
        type=PlantBatchType(row["type"]),
        location_id=str(row["location_id"]),
        source=PlantingSourceKind(row["source"]),
        parent_plant_batch_id=_str(row["parent_plant_batch_id"]),
    )


def _plant(row: Row) -> Plant:
    return from_row(
        Plant,
        row,
        plant_id=str(row["id"]),
        site_id=str(row["site_id"]),
        plant_batch_id=str(row["plant_batch_id"]),
        location_id=str(row["location_id"]),
        growth_phase=GrowthPhase(row["growth_phase"]),
        state=PlantState(row["state"]),
        harvest_id=_str(row["harvest_id"]),
    )


def _harvest(row: Row) -> HarvestState:
    return from_row(
        HarvestState,
        row,
        harvest_id=str(row["id"]),
        site_id=str(row["site_id"]),
        drying_location_id=str(row["drying_location_id"]),
        strains=tuple(row["strains"]),
        status=HarvestStatus(row["status"]),
    )


class CultivationStore:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _unique(self, query: str, *args: Any) -> Any:
        try:
            return await self._conn.execute(query, *args)
        except Exception as error:
            constraint = getattr(error, "constraint_name", None)
            if type(error).__name__ == "UniqueViolationError":
                raise DuplicateKeyError(constraint) from None
            raise

    # ------------------------------------------------------------------ plant batches

    async def lock_plant_batch(self, plant_batch_id: UUID) -> PlantBatchState | None:
        row = await self._conn.fetchrow(
            f"SELECT {_PLANT_BATCH} FROM plant_batch WHERE id = $1 FOR UPDATE", plant_batch_id
        )
        return None if row is None else _plant_batch(row)

    async def plant_batch(self, plant_batch_id: UUID) -> PlantBatchState | None:
        row = await self._conn.fetchrow(
            f"SELECT {_PLANT_BATCH} FROM plant_batch WHERE id = $1", plant_batch_id
        )
        return None if row is None else _plant_batch(row)

    async def _plant_movements(self, change: PlantBatchChange, written: Written) -> list[int]:
        return [
            await self._conn.fetchval(
                _INSERT_PLANT_MOVEMENT,
                UUID(m.plant_batch_id),
                m.version,
                m.sequence,
                m.type.value,
                m.change,
                m.before,
                m.after,
                UUID(m.location_id),
                m.actual_date,
                m.reason,
                m.notes,
                m.actor,
                written.actor_name,
                m.occurred_at,
                written.request_id,
            )
            for m in change.movements
        ]

    async def insert_plant_batch(self, change: PlantBatchChange, written: Written) -> list[int]:
        s = change.state
        await self._unique(
            f"INSERT INTO plant_batch ({_PLANT_BATCH})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            UUID(s.plant_batch_id), UUID(s.site_id), s.name, s.type.value, s.strain,
            UUID(s.location_id), s.planted_date, s.count, s.tracked_count, s.destroyed_count,
            s.source.value, None if s.parent_plant_batch_id is None else UUID(s.parent_plant_batch_id),
            s.version, s.created_at, s.updated_at,
        )  # fmt: skip
        return await self._plant_movements(change, written)

    async def save_plant_batch(
        self, before_version: int, change: PlantBatchChange, written: Written
    ) -> list[int]:
        s = change.state
        updated = await self._conn.fetchval(
            "UPDATE plant_batch SET location_id = $3, count = $4, tracked_count = $5,"
            " destroyed_count = $6, version = $7, updated_at = $8"
            " WHERE id = $1 AND version = $2 RETURNING id",
            UUID(s.plant_batch_id), before_version, UUID(s.location_id), s.count,
            s.tracked_count, s.destroyed_count, s.version, s.updated_at,
        )  # fmt: skip
        if updated is None:
            raise RuntimeError(f"plant batch {s.plant_batch_id} moved past {before_version}")
        return await self._plant_movements(change, written)

    # ------------------------------------------------------------------ tracked plants

    async def insert_plants(self, plants: Sequence[Plant]) -> None:
        if not plants:
            return
        rows = [
            (
                UUID(p.plant_id),
                p.tag,
                UUID(p.site_id),
                UUID(p.plant_batch_id),
                p.strain,
                UUID(p.location_id),
                p.growth_phase.value,
                p.state.value,
                p.planted_date,
                p.vegetative_date,
                p.flowering_date,
                p.version,
                p.created_at,
                p.updated_at,
            )
            for p in plants
        ]
        try:
            await self._conn.executemany(
                "INSERT INTO plant (id, tag, site_id, plant_batch_id, strain, location_id,"
                " growth_phase, state, planted_date, vegetative_date, flowering_date, version,"
                " created_at, updated_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                rows,
            )
        except Exception as error:
            if type(error).__name__ == "UniqueViolationError":
                raise DuplicateKeyError(getattr(error, "constraint_name", None)) from None
            raise

    async def lock_plants(self, site_id: str, tags: Sequence[str]) -> dict[str, Plant]:
        rows = await self._conn.fetch(
            f"SELECT {_PLANT} FROM plant p JOIN plant_batch pb ON pb.id = p.plant_batch_id"
            " WHERE p.site_id = $1 AND p.tag = ANY($2::text[]) ORDER BY p.id FOR UPDATE OF p",
            UUID(site_id),
            list(tags),
        )
        return {row["tag"]: _plant(row) for row in rows}

    async def save_plants(self, plants: Sequence[Plant]) -> None:
        await self._conn.executemany(
            "UPDATE plant SET location_id = $2, growth_phase = $3, state = $4,"
            " flowering_date = $5, harvested_date = $6, harvest_id = $7, harvest_count = $8,"
            " version = $9, updated_at = $10 WHERE id = $1",
            [
                (
                    UUID(p.plant_id),
                    UUID(p.location_id),
                    p.growth_phase.value,
                    p.state.value,
                    p.flowering_date,
                    p.harvested_date,
                    None if p.harvest_id is None else UUID(p.harvest_id),
                    p.harvest_count,
                    p.version,
                    p.updated_at,
                )
                for p in plants
            ],
        )

    # ------------------------------------------------------------------ harvests

    async def lock_harvest(self, harvest_id: UUID) -> HarvestState | None:
        row = await self._conn.fetchrow(
            f"SELECT {_HARVEST} FROM harvest WHERE id = $1 FOR UPDATE", harvest_id
        )
        return None if row is None else _harvest(row)

    async def harvest(self, harvest_id: UUID) -> HarvestState | None:
        row = await self._conn.fetchrow(f"SELECT {_HARVEST} FROM harvest WHERE id = $1", harvest_id)
        return None if row is None else _harvest(row)

    async def _harvest_movements(self, change: HarvestChange, written: Written) -> list[int]:
        return [
            await self._conn.fetchval(
                _INSERT_HARVEST_MOVEMENT,
                UUID(m.harvest_id),
                m.version,
                m.sequence,
                m.type.value,
                m.change,
                m.before,
                m.after,
                m.actual_date,
                None if m.plant_id is None else UUID(m.plant_id),
                None if m.batch_id is None else UUID(m.batch_id),
                None if m.waste_type is None else m.waste_type.value,
                m.actor,
                written.actor_name,
                m.occurred_at,
                written.request_id,
            )
            for m in change.movements
        ]

    async def insert_harvest(self, change: HarvestChange, written: Written) -> list[int]:
        s = change.state
        await self._unique(
            f"INSERT INTO harvest ({_HARVEST}) VALUES"
            " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            UUID(s.harvest_id), UUID(s.site_id), s.name, UUID(s.drying_location_id),
            s.unit_of_weight, s.harvest_date, s.wet_weight, s.waste_weight, s.packaged_weight,
            s.plant_count, list(s.strains), s.status.value, s.finished_date, s.version,
            s.created_at, s.updated_at,
        )  # fmt: skip
        return await self._harvest_movements(change, written)

    async def save_harvest(
        self, before_version: int, change: HarvestChange, written: Written
    ) -> list[int]:
        s = change.state
        updated = await self._conn.fetchval(
            "UPDATE harvest SET waste_weight = $3, packaged_weight = $4, status = $5,"
            " finished_date = $6, version = $7, updated_at = $8"
            " WHERE id = $1 AND version = $2 RETURNING id",
            UUID(s.harvest_id), before_version, s.waste_weight, s.packaged_weight,
            s.status.value, s.finished_date, s.version, s.updated_at,
        )  # fmt: skip
        if updated is None:
            raise RuntimeError(f"harvest {s.harvest_id} moved past {before_version}")
        return await self._harvest_movements(change, written)

    async def write_events(self, events: Sequence[OutboxMessage]) -> None:
        await write_outbox(self._conn, events)

    # ------------------------------------------------------------------ reads

    async def plant_batches(
        self, site_id: UUID, *, include_empty: bool, after: tuple[str, UUID] | None, limit: int
    ) -> list[PlantBatchState]:
        name, last_id = after or (None, None)
        rows = await self._conn.fetch(
            f"SELECT {_PLANT_BATCH} FROM plant_batch WHERE site_id = $1"
            " AND ($2 OR count > 0)"
            " AND ($3::text IS NULL OR (name, id) > ($3::text, $4::uuid))"
            " ORDER BY name, id LIMIT $5",
            site_id, include_empty, name, last_id, limit,
        )  # fmt: skip
        return [_plant_batch(row) for row in rows]

    async def plant_movements(
        self, plant_batch_id: UUID, *, after: int | None, limit: int
    ) -> list[Row]:
        return list(
            await self._conn.fetch(
                "SELECT id, plant_batch_id, version, sequence, type, change, before, after,"
                " location_id, actual_date, reason, notes, performed_by, performed_by_name,"
                " occurred_at FROM plant_batch_movement"
                " WHERE plant_batch_id = $1 AND ($2::bigint IS NULL OR id > $2)"
                " ORDER BY id LIMIT $3",
                plant_batch_id,
                after,
                limit,
            )
        )

    async def plants(self, where: PlantFilter, *, after: str | None, limit: int) -> list[Plant]:
        rows = await self._conn.fetch(
            f"SELECT {_PLANT} FROM plant p JOIN plant_batch pb ON pb.id = p.plant_batch_id"
            " WHERE p.site_id = $1 AND ($2::uuid IS NULL OR p.plant_batch_id = $2)"
            " AND ($3::text IS NULL OR p.growth_phase = $3)"
            " AND ($4::text IS NULL OR p.state = $4)"
            " AND ($5::text IS NULL OR p.tag > $5) ORDER BY p.tag LIMIT $6",
            where.site_id, where.plant_batch_id,
            None if where.growth_phase is None else where.growth_phase.value,
            None if where.state is None else where.state.value, after, limit,
        )  # fmt: skip
        return [_plant(row) for row in rows]

    async def harvests(
        self,
        site_id: UUID,
        *,
        status: HarvestStatus | None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[HarvestState]:
        at, last_id = after or (None, None)
        rows = await self._conn.fetch(
            f"SELECT {_HARVEST} FROM harvest WHERE site_id = $1"
            " AND ($2::text IS NULL OR status = $2)"
            " AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))"
            " ORDER BY created_at DESC, id DESC LIMIT $5",
            site_id, None if status is None else status.value, at, last_id, limit,
        )  # fmt: skip
        return [_harvest(row) for row in rows]

    async def harvest_movements(self, harvest_id: UUID) -> list[Row]:
        return list(
            await self._conn.fetch(
                "SELECT id, version, sequence, type, change, before, after, actual_date,"
                " plant_id, batch_id, waste_type, performed_by, performed_by_name, occurred_at"
                " FROM harvest_movement WHERE harvest_id = $1 ORDER BY id",
                harvest_id,
            )
        )

    async def harvest_plants(self, harvest_id: UUID) -> list[Plant]:
        rows = await self._conn.fetch(
            f"SELECT {_PLANT} FROM plant p JOIN plant_batch pb ON pb.id = p.plant_batch_id"
            " WHERE p.id IN (SELECT plant_id FROM harvest_movement"
            " WHERE harvest_id = $1 AND plant_id IS NOT NULL) ORDER BY p.tag",
            harvest_id,
        )
        return [_plant(row) for row in rows]
