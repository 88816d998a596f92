"""``CultivationReadBack``: how a caller learns whether a cultivation or transfer write with an
unknown outcome was applied, written over the port's list calls so ``MetrcClient`` and
``FakeMetrc`` answer it alike (as ``ReadBack`` does for packages).

What identifies each write's result, since Metrc has no idempotency key (METRC.md 6.2):

* a planting, a split, a batch from a package: the new batch's name (``find_plant_batch``);
* a growth phase change of a batch: the plant tags it consumed (``find_plants``);
* a harvest or manicure: the harvest's name and its weights (``find_harvest``);
* a transfer template: its name (``find_transfer_templates``; put the intent id in the name);
* a sent manifest: its number (``find_outgoing_transfer``).

``modified_since`` narrows a scan to records modified since then (read in windows of at most 24
hours, oldest first); leave it out to scan every record of the lists.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from compliance.adapters.metrc.endpoints import HarvestStatus, PlantStatus, TransferDirection
from compliance.adapters.metrc.schemas import Harvest, Plant, Transfer

__all__ = ["CultivationReadBack"]


class _Lists(Protocol):
    async def list_plants(
        self,
        license_number: str,
        status: PlantStatus = ...,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Plant]: ...

    async def list_harvests(
        self,
        license_number: str,
        status: HarvestStatus = ...,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Harvest]: ...

    async def list_transfers(
        self,
        license_number: str,
        direction: TransferDirection,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Transfer]: ...

    async def list_outgoing_transfer_templates(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Transfer]: ...


class CultivationReadBack:
    async def find_plants(
        self: _Lists,
        license_number: str,
        labels: Collection[str],
        *,
        modified_since: datetime | None = None,
    ) -> dict[str, Plant]:
        """The plants among ``labels`` that exist, by label (vegetative, flowering and inactive:
        a plant harvested or destroyed since still proves its tag was used)."""
        wanted = set(labels)
        found: dict[str, Plant] = {}
        statuses: tuple[PlantStatus, ...] = ("vegetative", "flowering", "inactive")
        for status in statuses:
            if len(found) == len(wanted):
                break
            for plant in await self.list_plants(license_number, status, since=modified_since):
                if plant.label in wanted:
                    found[plant.label] = plant
        return found

    async def find_harvest(
        self: _Lists, license_number: str, name: str, *, modified_since: datetime | None = None
    ) -> Harvest | None:
        """The harvest with this name (case-insensitive), active first, then finished; the most
        recent when several finished ones share it."""
        wanted = name.casefold()
        statuses: tuple[HarvestStatus, ...] = ("active", "inactive")
        for status in statuses:
            matches = [
                harvest
                for harvest in await self.list_harvests(
                    license_number, status, since=modified_since
                )
                if harvest.name.casefold() == wanted
            ]
            if matches:
                return max(matches, key=lambda harvest: harvest.id)
        return None

    async def find_transfer_templates(
        self: _Lists, license_number: str, name: str, *, modified_since: datetime | None = None
    ) -> list[Transfer]:
        """Every outgoing template with this exact name, oldest first (Metrc does not make
        template names unique; a name that carries the intent id finds one)."""
        templates = await self.list_outgoing_transfer_templates(
            license_number, since=modified_since
        )
        return sorted((t for t in templates if t.name == name), key=lambda t: t.id)

    async def find_outgoing_transfer(
        self: _Lists,
        license_number: str,
        manifest_number: str,
        *,
        modified_since: datetime | None = None,
    ) -> list[Transfer]:
        """The rows (one per delivery) of this facility's outgoing manifest ``manifest_number``;
        empty when there is none."""
        rows = await self.list_transfers(license_number, "outgoing", since=modified_since)
        return [row for row in rows if row.manifest_number == manifest_number]
