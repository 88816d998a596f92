"""What every part of the fake shares: ids, the clock, who may act for which facility, how a
write is validated row by row and applied all-or-nothing, lists with last-modified windows, and
resolving the names and labels of a posted row with Metrc's messages.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from compliance.adapters.metrc.errors import (
    MetrcAuthError,
    MetrcError,
    MetrcNotFoundError,
    MetrcRejectedError,
    MetrcRequestTooLargeError,
    MetrcUnknownOutcomeError,
)
from compliance.adapters.metrc.fake.records import FakeFacility, Shipping
from compliance.adapters.metrc.paging import (
    MAX_PAGE_SIZE,
    MAX_WINDOW,
    ProgressCallback,
    PullProgress,
)
from compliance.adapters.metrc.read_back import ReadBack
from compliance.adapters.metrc.schemas import Package, WriteResult

__all__ = ["FakeCore", "Rows"]

# Each kind of record numbers from its own million, so an Id of the wrong kind finds nothing.
_KINDS = [
    "facility",
    "location",
    "strain",
    "item",
    "tag",
    "package",
    "adjustment",
    "plant_batch",
    "plant",
    "harvest",
    "harvest_waste",
    "template",
    "destination",
    "transfer",
    "delivery",
    "manifest",
]
_ONE_MICROSECOND = timedelta(microseconds=1)
_Stamped = TypeVar("_Stamped", bound="_HasLastModified")
_Input = TypeVar("_Input")


class _HasLastModified(Protocol):
    @property
    def last_modified(self) -> datetime | None: ...


class Rows:
    """The messages of one posted object. A row handler checks everything first and changes
    state only if no check failed, so a failed row leaves nothing behind."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, message: str) -> None:
        self.errors.append(message)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Injected:
    operation: str
    error: MetrcError
    applied: bool


class FakeCore(ReadBack):
    def __init__(
        self,
        *,
        max_write_objects: int = 10,
        now: Callable[[], datetime] | None = None,
        user_name: str = "Fake User",
    ) -> None:
        self.facilities: dict[str, FakeFacility] = {}
        self.shipping = Shipping()
        self.max_write_objects = max_write_objects
        self.user_name = user_name
        self.writes: list[tuple[str, str, list[object]]] = []
        """Every write that reached "Metrc": (operation, license number, objects)."""
        self._now = now or (lambda: datetime.now(UTC))
        self._last = datetime.min.replace(tzinfo=UTC)
        self._ids = {kind: (n + 1) * 1_000_000 for n, kind in enumerate(_KINDS)}
        self._injected: list[_Injected] = []

    # --- time and ids --------------------------------------------------------------------------

    def now(self) -> datetime:
        """The next LastModified stamp: never equal to or before the one before."""
        moment = max(self._now(), self._last + _ONE_MICROSECOND)
        self._last = moment
        return moment

    def today(self, facility: FakeFacility) -> date:
        """Today on the facility's wall clock: Metrc dates are facility-local."""
        return self._now().astimezone(ZoneInfo(facility.time_zone)).date()

    def next_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    # --- failure injection -----------------------------------------------------------------------

    def fail_next(self, operation: str, error: MetrcError) -> None:
        """The next ``operation`` (a method name, e.g. ``"adjust_packages"``) raises ``error``
        without applying anything."""
        self._injected.append(_Injected(operation, error, applied=False))

    def lose_next_response(self, operation: str) -> None:
        """The next ``operation`` is applied, then raises ``MetrcUnknownOutcomeError``."""
        error = MetrcUnknownOutcomeError(
            "no response after the request was sent (injected)", method="POST", path=operation
        )
        self._injected.append(_Injected(operation, error, applied=True))

    def _fire(self, operation: str, *, applied: bool) -> None:
        for injected in self._injected:
            if injected.operation == operation and injected.applied is applied:
                self._injected.remove(injected)
                raise injected.error

    # --- facilities ------------------------------------------------------------------------------

    def acting(self, license_number: str) -> FakeFacility:
        """The facility a call acts for; 401 unless the user may act for it."""
        facility = self.facilities.get(license_number)
        if facility is None or not facility.accessible:
            raise MetrcAuthError(
                f"The user does not have access to the facility with license {license_number}.",
                license_number=license_number,
                status_code=401,
            )
        return facility

    def grower(self, facility: FakeFacility) -> None:
        """Plant endpoints at a facility that cannot grow plants are 401, as Metrc answers."""
        if not facility.can_grow_plants:
            raise MetrcAuthError(
                f"Facility {facility.license_number} is not permitted to grow plants.",
                license_number=facility.license_number,
                status_code=401,
            )

    def may_read(self, license_number: str) -> bool:
        facility = self.facilities.get(license_number)
        return facility is not None and facility.accessible

    def own(
        self, facility: FakeFacility, owner: FakeFacility | None, what: str, key: object
    ) -> None:
        """404 if nobody owns the record, 401 if another facility does (METRC.md 1.3)."""
        if owner is None:
            raise MetrcNotFoundError(
                f"No {what} found with {key}.",
                license_number=facility.license_number,
                status_code=404,
            )
        if owner is not facility:
            raise MetrcAuthError(
                f"The {what} {key} is not valid for facility {facility.license_number}.",
                license_number=facility.license_number,
                status_code=401,
            )

    def holder_of(self, key: int | str) -> tuple[FakeFacility, Package] | None:
        """The facility holding the package with this Id or label, and the package."""
        for facility in self.facilities.values():
            for package in facility.packages.values():
                if key in (package.id, package.label):
                    return facility, package
        return None

    # --- reads -----------------------------------------------------------------------------------

    def window(
        self,
        records: Iterable[_Stamped],
        since: datetime | None,
        until: datetime | None,
        on_progress: ProgressCallback | None = None,
    ) -> list[_Stamped]:
        """Records last modified in ``[since, until]`` (inclusive, as Metrc filters). Only
        ``until`` means the 24 hours before it, as ``MetrcClient`` asks Metrc."""
        if since is None and until is not None:
            since = until - MAX_WINDOW
        found = [
            record
            for record in records
            if since is None
            or (
                record.last_modified is not None
                and since <= record.last_modified
                and (until is None or record.last_modified <= until)
            )
        ]
        self.report(on_progress, len(found))
        return found

    @staticmethod
    def report(on_progress: ProgressCallback | None, records: int) -> None:
        """A whole pull's progress, as ``MetrcClient`` reports its last step."""
        if on_progress is not None:
            pages = max(1, -(-records // MAX_PAGE_SIZE))
            on_progress(PullProgress(pages, pages, records, 1, 1))

    # --- writes ----------------------------------------------------------------------------------

    def write(
        self,
        operation: str,
        license_number: str,
        objects: Sequence[_Input],
        row: Callable[[Rows, FakeFacility, _Input], list[int]],
        *,
        method: str,
        path: str,
        grows: bool = False,
    ) -> WriteResult:
        """Run ``row`` over every object in one all-or-nothing transaction. Later rows see what
        earlier ones did; if any row failed, nothing is kept and every failure is reported."""
        if not objects:
            raise ValueError("a Metrc write needs at least one object")
        if len(objects) > self.max_write_objects:
            raise MetrcRequestTooLargeError(
                f"{len(objects)} objects in one write; Metrc accepts {self.max_write_objects}",
                method=method,
                path=path,
                license_number=license_number,
                status_code=413,
            )
        self._fire(operation, applied=False)
        facility = self.acting(license_number)
        if grows:
            self.grower(facility)
        self.writes.append((operation, license_number, list(objects)))
        saved = self._snapshot()
        failures: list[tuple[int | None, str]] = []
        ids: list[int] = []
        for index, posted in enumerate(objects):
            rows = Rows()
            made = row(rows, facility, posted)
            failures += [(index, message) for message in rows.errors]
            ids += made if rows.ok else []
        if failures:
            self._restore(saved)
            raise MetrcRejectedError(
                "; ".join(message for _, message in failures),
                rows=failures,
                method=method,
                path=path,
                license_number=license_number,
                status_code=400,
            )
        self._fire(operation, applied=True)
        return WriteResult(ids=ids)

    def _snapshot(self) -> tuple[dict[str, dict[str, object]], Shipping, dict[str, int]]:
        state = {key: copy.deepcopy(vars(f)) for key, f in self.facilities.items()}
        return state, copy.deepcopy(self.shipping), dict(self._ids)

    def _restore(
        self, saved: tuple[dict[str, dict[str, object]], Shipping, dict[str, int]]
    ) -> None:
        # In place, so a test holding a FakeFacility keeps seeing the live one.
        state, shipping, ids = saved
        for key, values in state.items():
            vars(self.facilities[key]).update(values)
        self.shipping, self._ids = shipping, ids
