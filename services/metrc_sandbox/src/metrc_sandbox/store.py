"""The in-memory database of the emulated Metrc: tables, id counters, and write transactions.

Metrc writes are all-or-nothing (one bad row rejects the call), yet rows of one call may depend on
each other (row 2 consumes the package row 1 created). So a write runs its rows against the live
state inside a ``Tx`` that journals every change, and rolls the journal back if any row failed.
Everything runs on the event loop thread without awaiting, so no reader sees a half-applied write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from metrc_sandbox.model import (
    Adjustment,
    Delivery,
    Facility,
    Harvest,
    HarvestWaste,
    Item,
    Location,
    Package,
    Plant,
    PlantBatch,
    Record,
    Strain,
    Tag,
    TemplateDestination,
    Transfer,
    TransferTemplate,
    User,
)

R = TypeVar("R", bound=Record)
_N = TypeVar("_N", Location, Item, Strain, PlantBatch)

# Distinct id ranges per table make a client that sends a package Id where a plant Id belongs fail
# loudly instead of hitting some unrelated record with the same number.
ID_BASES: dict[str, int] = {
    "location": 1_001,
    "strain": 2_001,
    "item": 3_001,
    "tag": 1_000_001,
    "package": 10_000_001,
    "adjustment": 15_000_001,
    "plant_batch": 20_000_001,
    "plant": 30_000_001,
    "harvest": 40_000_001,
    "harvest_waste": 45_000_001,
    "template": 50_000_001,
    "template_destination": 51_000_001,
    "transfer": 60_000_001,
    "delivery": 61_000_001,
    "manifest_number": 1,
}


class Clock:
    """UTC ``now`` that never repeats or goes backwards, so LastModified orders every change."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=UTC)

    def now(self) -> datetime:
        current = datetime.now(UTC)
        if current <= self._last:
            current = self._last + timedelta(microseconds=1)
        self._last = current
        return current


class Table(Generic[R]):
    """Rows by id, in id order (ids only grow), with an optional unique string key (tag label)."""

    def __init__(self, key: Callable[[R], str] | None = None) -> None:
        self.rows: dict[int, R] = {}
        self.by_key: dict[str, int] = {}
        self._key = key

    def get(self, record_id: int) -> R | None:
        return self.rows.get(record_id)

    def get_key(self, key: str) -> R | None:
        record_id = self.by_key.get(key)
        return None if record_id is None else self.rows[record_id]

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows.values())

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, record: R, tx: Tx | None) -> R:
        self.rows[record.id] = record
        key = self._key(record) if self._key is not None else None
        if key is not None:
            self.by_key[key] = record.id
        if tx is not None:
            record.last_modified = tx.now
            tx.on_rollback(lambda: self._remove(record.id, key))
        return record

    def rekey(self, record: R, old_key: str, new_key: str, tx: Tx) -> None:
        del self.by_key[old_key]
        self.by_key[new_key] = record.id

        def undo() -> None:
            self.by_key.pop(new_key, None)
            self.by_key[old_key] = record.id

        tx.on_rollback(undo)

    def _remove(self, record_id: int, key: str | None) -> None:
        self.rows.pop(record_id, None)
        if key is not None:
            self.by_key.pop(key, None)


class Tx:
    """Journal of one write request: snapshots, creations and counter values to restore on failure."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.now = state.clock.now()
        self._undo: list[Callable[[], None]] = []
        # id(record) -> position of its snapshot in _undo, so a partial rollback can forget it.
        self._touched: dict[int, int] = {}
        self._counters = dict(state.counters)

    def touch(self, record: Record) -> None:
        """Call before changing ``record``: snapshots it once and bumps its LastModified."""
        if id(record) not in self._touched:
            self._touched[id(record)] = len(self._undo)
            snapshot = dict(vars(record))
            self._undo.append(lambda: vars(record).update(snapshot))
        record.last_modified = self.now

    def savepoint(self) -> tuple[int, dict[str, int]]:
        return len(self._undo), dict(self.state.counters)

    def rollback_to(self, savepoint: tuple[int, dict[str, int]]) -> None:
        """Undo everything since ``savepoint`` (one failed row) and keep what came before."""
        mark, counters = savepoint
        while len(self._undo) > mark:
            self._undo.pop()()
        self._touched = {key: pos for key, pos in self._touched.items() if pos < mark}
        self.state.counters.clear()
        self.state.counters.update(counters)

    def on_rollback(self, undo: Callable[[], None]) -> None:
        self._undo.append(undo)

    def rollback(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        self.state.counters.clear()
        self.state.counters.update(self._counters)


class SandboxState:
    """Every table of the emulated Metrc plus the seed-derived facts (keys, facilities)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.clock = Clock()
        self.counters: dict[str, int] = dict(ID_BASES)
        self.vendor_keys: set[str] = set()
        self.users: dict[str, User] = {}
        self.facilities: dict[int, Facility] = {}
        self.facilities_by_license: dict[str, Facility] = {}
        self.tag_serials: dict[tuple[int, str], int] = {}
        self.locations: Table[Location] = Table()
        self.strains: Table[Strain] = Table()
        self.items: Table[Item] = Table()
        self.tags: Table[Tag] = Table(key=lambda tag: tag.label)
        self.packages: Table[Package] = Table(key=lambda package: package.label)
        self.adjustments: Table[Adjustment] = Table()
        self.plant_batches: Table[PlantBatch] = Table()
        self.plants: Table[Plant] = Table(key=lambda plant: plant.label)
        self.harvests: Table[Harvest] = Table()
        self.harvest_waste: Table[HarvestWaste] = Table()
        self.templates: Table[TransferTemplate] = Table()
        self.template_destinations: Table[TemplateDestination] = Table()
        self.transfers: Table[Transfer] = Table()
        self.deliveries: Table[Delivery] = Table()

    def next_id(self, table: str) -> int:
        value = self.counters[table]
        self.counters[table] = value + 1
        return value

    def facility(self, facility_id: int) -> Facility:
        return self.facilities[facility_id]

    def location_named(self, facility_id: int, name: str) -> Location | None:
        return _active_named(self.locations, facility_id, name)

    def item_named(self, facility_id: int, name: str) -> Item | None:
        return _active_named(self.items, facility_id, name)

    def strain_named(self, facility_id: int, name: str) -> Strain | None:
        return _active_named(self.strains, facility_id, name)

    def plant_batch_named(self, facility_id: int, name: str) -> PlantBatch | None:
        return _active_named(self.plant_batches, facility_id, name)

    def harvest_named(self, facility_id: int, name: str) -> Harvest | None:
        folded = name.casefold()
        return next(
            (
                harvest
                for harvest in self.harvests
                if harvest.facility_id == facility_id
                and harvest.finished_date is None
                and harvest.name.casefold() == folded
            ),
            None,
        )


def _active_named(table: Table[_N], facility_id: int, name: str) -> _N | None:
    folded = name.casefold()
    return next(
        (
            row
            for row in table
            if row.facility_id == facility_id and row.active and row.name.casefold() == folded
        ),
        None,
    )
