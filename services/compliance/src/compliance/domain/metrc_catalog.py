"""What Metrc lists for a facility (items, units, adjustment reasons, locations, tags, strains),
as the checks of a write before its push look names up in it (``field_checks``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

__all__ = ["AdjustReasonInfo", "MetrcCatalog"]


@dataclass(frozen=True)
class AdjustReasonInfo:
    name: str
    requires_note: bool = False


def _index(names: Iterable[str]) -> dict[str, str]:
    return {name.casefold(): name for name in names}


@dataclass(frozen=True, kw_only=True)
class MetrcCatalog:
    """What Metrc lists for a facility: active items, units, adjustment reasons, locations and
    available package tags (``None`` when Metrc would not list tags)."""

    items: tuple[str, ...]
    units: tuple[str, ...]
    reasons: tuple[AdjustReasonInfo, ...]
    locations: tuple[str, ...]
    fetched_at: datetime
    available_tags: tuple[str, ...] | None = None
    strains: tuple[str, ...] = ()
    plant_locations: tuple[str, ...] = ()
    """Locations that take plant batches (cultivation's writes)."""
    harvest_locations: tuple[str, ...] = ()
    """Locations that take harvests (drying rooms)."""

    def item(self, name: str) -> str | None:
        return _index(self.items).get(name.casefold())

    def unit(self, name: str) -> str | None:
        return _index(self.units).get(name.casefold())

    def location(self, name: str) -> str | None:
        return _index(self.locations).get(name.casefold())

    def strain(self, name: str) -> str | None:
        return _index(self.strains).get(name.casefold())

    def plant_location(self, name: str) -> str | None:
        return _index(self.plant_locations).get(name.casefold())

    def harvest_location(self, name: str) -> str | None:
        return _index(self.harvest_locations).get(name.casefold())

    def reason(self, name: str) -> AdjustReasonInfo | None:
        wanted = name.casefold()
        return next((r for r in self.reasons if r.name.casefold() == wanted), None)
