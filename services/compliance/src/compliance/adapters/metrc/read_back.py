"""``ReadBack``: how a caller learns whether a write with an unknown outcome was applied, written
once over the port's list calls, so ``MetrcClient`` and ``FakeMetrc`` answer it alike.

After a ``MetrcUnknownOutcomeError``, read back (``find_package`` by tag, ``recent_packages``,
``package_adjustments_since``, ``find_plant_batch``) and decide; never resend blindly. Wait a
little first: a request the client gave up on may still be running at Metrc, and "not there yet"
is not "not applied".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from compliance.adapters.metrc.endpoints import PackageStatus, PlantBatchStatus
from compliance.adapters.metrc.errors import MetrcNotFoundError
from compliance.adapters.metrc.paging import ProgressCallback
from compliance.adapters.metrc.schemas import Package, PackageAdjustment, PlantBatch

__all__ = ["ReadBack", "adjustment_read_back_day"]

# How far a read-back window reaches into the future, for clock skew between Canopy and Metrc.
_SKEW = timedelta(minutes=2)
# The westernmost offset a facility can have: at any instant, no facility's date is earlier than
# the date at UTC-12.
_WESTERNMOST = timedelta(hours=12)


def adjustment_read_back_day(since: datetime) -> date:
    """The earliest ``AdjustmentDate`` an adjustment sent at or after ``since`` can carry.

    Metrc's ``AdjustmentDate`` is the business date the caller sent: a date at the facility, not
    the moment it was recorded. In a US evening the facility's today is yesterday in UTC, so
    comparing with ``since``'s UTC date would miss the adjustment, and a caller reading back after
    an unknown outcome would send it a second time. Compared with the date at UTC-12 instead, a
    read-back sees every adjustment of that day wherever the facility is, and perhaps a few of the
    day before, which the intent id in the note tells apart.
    """
    return (since.astimezone(UTC) - _WESTERNMOST).date()


class _Lists(Protocol):
    """What the read-back reads with."""

    _now: Callable[[], datetime]

    async def get_package(self, license_number: str, id_or_label: int | str) -> Package: ...

    async def list_packages(
        self,
        license_number: str,
        status: PackageStatus = ...,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Package]: ...

    async def list_package_adjustments(
        self, license_number: str, *, on_progress: ProgressCallback | None = None
    ) -> list[PackageAdjustment]: ...

    async def list_plant_batches(
        self,
        license_number: str,
        status: PlantBatchStatus = ...,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[PlantBatch]: ...


class ReadBack:
    async def find_package(self: _Lists, license_number: str, label: str) -> Package | None:
        """The package with this tag, or ``None`` if Metrc has none (404). A package create whose
        outcome is unknown was applied exactly when its tag now names a package. A tag that
        belongs to another facility is ``MetrcAuthError`` (Metrc answers 401, not 404)."""
        try:
            return await self.get_package(license_number, label)
        except MetrcNotFoundError:
            return None

    async def recent_packages(
        self: _Lists,
        license_number: str,
        *,
        within: timedelta = timedelta(minutes=15),
        statuses: Sequence[PackageStatus] = ("active", "onhold", "intransit", "inactive"),
    ) -> list[Package]:
        """Packages last modified in the past ``within`` (all pages, every status given)."""
        now = self._now()
        since, until = now - within - _SKEW, now + _SKEW
        found: dict[int, Package] = {}
        for status in statuses:
            for package in await self.list_packages(
                license_number, status, since=since, until=until
            ):
                found[package.id] = package
        return list(found.values())

    async def package_adjustments_since(
        self: _Lists, license_number: str, label: str, since: datetime
    ) -> list[PackageAdjustment]:
        """Adjustments of one package dated on or after the day ``since`` falls on at the
        facility (see ``adjustment_read_back_day``); put an intent id in ``ReasonNote`` to tell
        same-day adjustments apart."""
        day = adjustment_read_back_day(since)
        return [
            adjustment
            for adjustment in await self.list_package_adjustments(license_number)
            if adjustment.package_label == label
            and (adjustment.adjustment_date is None or adjustment.adjustment_date.date() >= day)
        ]

    async def find_plant_batch(
        self: _Lists, license_number: str, name: str, *, modified_since: datetime | None = None
    ) -> PlantBatch | None:
        """The plant batch with this name (Metrc matches names case-insensitively), active first,
        then inactive; ``modified_since`` narrows the scan to recently modified batches."""
        wanted = name.casefold()
        statuses: tuple[PlantBatchStatus, ...] = ("active", "inactive")
        for status in statuses:
            for batch in await self.list_plant_batches(
                license_number, status, since=modified_since
            ):
                if batch.name.casefold() == wanted:
                    return batch
        return None
