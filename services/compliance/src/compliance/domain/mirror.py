"""The mirror of what Metrc holds for a license, and how a pull reads it (pure).

A *sync type* is what a user asks to sync (the guide's "packages, plants, harvests"); each reads
one or more Metrc lists, its *feeds* (packages are read from the active, inactive, on-hold and
in-transit lists). A feed is read in last-modified windows of at most 24 hours after its first
full pull; lists Metrc offers no time filter on (tags, adjustment history) are read whole every
time. Every record is kept under ``(license, sync type, key)``; when the same record comes back
twice (from two pages, two windows, or two lists while it moved between them) the copy Metrc
modified last wins, so a pull read in any order ends with Metrc's latest state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

__all__ = [
    "FEEDS",
    "MAX_WINDOW",
    "Feed",
    "FeedCursor",
    "FeedOutcome",
    "MirrorRecord",
    "PullReport",
    "PullWindow",
    "SyncType",
    "mirror_record",
    "plan_windows",
]

MAX_WINDOW = timedelta(hours=24)


class SyncType(StrEnum):
    PACKAGES = "packages"
    PLANTS = "plants"
    PLANT_BATCHES = "plant_batches"
    HARVESTS = "harvests"
    ITEMS = "items"
    STRAINS = "strains"
    LOCATIONS = "locations"
    TAGS = "tags"
    ADJUSTMENTS = "adjustments"
    TRANSFERS = "transfers"
    """Incoming manifests, one row per delivery (their packages: ``incoming_transfers``)."""


class Feed(StrEnum):
    """One Metrc list; the value is ``<sync type>.<status>``."""

    PACKAGES_ACTIVE = "packages.active"
    PACKAGES_INACTIVE = "packages.inactive"
    PACKAGES_ONHOLD = "packages.onhold"
    PACKAGES_INTRANSIT = "packages.intransit"
    PLANTS_VEGETATIVE = "plants.vegetative"
    PLANTS_FLOWERING = "plants.flowering"
    PLANTS_INACTIVE = "plants.inactive"
    PLANT_BATCHES_ACTIVE = "plant_batches.active"
    PLANT_BATCHES_INACTIVE = "plant_batches.inactive"
    HARVESTS_ACTIVE = "harvests.active"
    HARVESTS_INACTIVE = "harvests.inactive"
    ITEMS_ACTIVE = "items.active"
    STRAINS_ACTIVE = "strains.active"
    LOCATIONS_ACTIVE = "locations.active"
    TAGS_PACKAGE = "tags.package"
    TAGS_PLANT = "tags.plant"
    ADJUSTMENTS = "adjustments.all"
    TRANSFERS_INCOMING = "transfers.incoming"

    @property
    def sync_type(self) -> SyncType:
        return SyncType(self.value.split(".", 1)[0])

    @property
    def status(self) -> str:
        return self.value.split(".", 1)[1]

    @property
    def time_aware(self) -> bool:
        """Whether Metrc filters this list by last-modified time (METRC.md 1.7)."""
        return self.sync_type not in (SyncType.TAGS, SyncType.ADJUSTMENTS)

    @property
    def replaced_whole(self) -> bool:
        """Lists read whole each time, whose records may disappear (a used tag is no longer
        available): what a complete pull did not return is removed from the mirror."""
        return self.sync_type is SyncType.TAGS


FEEDS: dict[SyncType, tuple[Feed, ...]] = {
    sync_type: tuple(f for f in Feed if f.sync_type is sync_type) for sync_type in SyncType
}


@dataclass(frozen=True)
class PullWindow:
    """A closed ``[start, end]`` last-modified interval (aware UTC)."""

    start: datetime
    end: datetime


def plan_windows(
    feed: Feed,
    *,
    since: datetime | None,
    as_of: datetime,
    overlap: timedelta,
    max_span: timedelta = MAX_WINDOW,
) -> list[PullWindow | None]:
    """The windows one pull of ``feed`` reads, oldest first; ``[None]`` is the whole list.

    The first pull (``since`` None) and lists without a time filter read everything. After
    that a pull reads from the last successful pull's start minus ``overlap`` (clocks differ,
    and Metrc may stamp a record a moment before it becomes visible) to ``as_of``, in windows
    of at most ``max_span`` that share their boundaries (Metrc's filter is inclusive, so a
    record stamped exactly there is read twice, never zero times).
    """
    if since is None or not feed.time_aware:
        return [None]
    if since.tzinfo is None or as_of.tzinfo is None:
        raise ValueError("pull windows need aware datetimes")
    if max_span <= timedelta(0):
        raise ValueError("max_span must be positive")
    start = min(since - overlap, as_of)
    windows: list[PullWindow | None] = []
    cursor = start
    while True:
        upper = min(cursor + max_span, as_of)
        windows.append(PullWindow(cursor.astimezone(UTC), upper.astimezone(UTC)))
        if upper >= as_of:
            return windows
        cursor = upper


@dataclass(frozen=True)
class FeedCursor:
    """Where an unfinished pull of one feed stands: the checkpoint a killed pull resumes from.

    ``as_of`` and ``since`` fix the pull's windows, so a resumed pull reads exactly the windows
    it had planned; ``window_index`` is the window being read, ``pages_done`` its pages whose
    records are stored (each page's records and its number are committed together), and
    ``total_records`` what its first page said, so a resume can tell whether the list moved.
    """

    license_number: str
    feed: Feed
    run_id: str
    as_of: datetime
    since: datetime | None
    window_index: int = 0
    total_pages: int | None = None
    total_records: int | None = None
    pages_done: frozenset[int] = frozenset()
    rereads: int = 0
    started_at: datetime | None = None

    def windows(
        self, overlap: timedelta, max_span: timedelta = MAX_WINDOW
    ) -> list[PullWindow | None]:
        return plan_windows(
            self.feed, since=self.since, as_of=self.as_of, overlap=overlap, max_span=max_span
        )


@dataclass(frozen=True)
class MirrorRecord:
    """One Metrc record as the mirror keeps it.

    ``key`` is Metrc's Id, or for records without one (adjustment lines, tags) a digest of the
    record (tags: the label). ``quantity`` is a package's quantity or a harvest's current weight.
    """

    sync_type: SyncType
    key: str
    status: str
    metrc_id: int | None
    label: str | None
    last_modified: datetime | None
    quantity: Decimal | None
    unit: str | None
    item: str | None
    data: Mapping[str, Any]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    text = value.replace("Z", "+00:00")
    # Metrc writes up to 7 fractional digits; Python reads at most 6.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _digest(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def mirror_record(feed: Feed, data: Mapping[str, Any]) -> MirrorRecord:
    """The mirror's view of one raw Metrc record read from ``feed``."""
    sync_type = feed.sync_type
    metrc_id = data.get("Id")
    metrc_id = metrc_id if isinstance(metrc_id, int) and not isinstance(metrc_id, bool) else None
    label = _text(data.get("Label")) or _text(data.get("PackageLabel")) or _text(data.get("Name"))
    delivery_id = data.get("DeliveryId")
    if sync_type is SyncType.TAGS and label is not None:
        key = label
    elif sync_type is SyncType.TRANSFERS and isinstance(delivery_id, int):
        # One row per delivery, under the transfer's Id: the delivery is the record.
        key = str(delivery_id)
        label = _text(data.get("ManifestNumber"))
    elif sync_type is SyncType.ADJUSTMENTS or metrc_id is None:
        key = _digest(data)
    else:
        key = str(metrc_id)
    item = data.get("Item")
    item_name = (
        _text(item.get("Name")) if isinstance(item, Mapping) else _text(data.get("ItemName"))
    )
    if sync_type is SyncType.HARVESTS:
        quantity = _decimal(data.get("CurrentWeight"))
        unit = _text(data.get("UnitOfWeightName"))
    elif sync_type is SyncType.ADJUSTMENTS:
        quantity = _decimal(data.get("AdjustmentQuantity"))
        unit = _text(data.get("AdjustmentUnitOfMeasureName"))
    else:
        quantity = _decimal(data.get("Quantity"))
        unit = _text(data.get("UnitOfMeasureName"))
    last_modified = _moment(data.get("LastModified")) or _moment(data.get("AdjustmentDate"))
    return MirrorRecord(
        sync_type=sync_type,
        key=key,
        status=feed.status,
        metrc_id=metrc_id,
        label=label,
        last_modified=last_modified,
        quantity=quantity,
        unit=unit,
        item=item_name,
        data=data,
    )


@dataclass(frozen=True)
class FeedOutcome:
    """How one feed's pull ended: pages and records read, and the error that stopped it."""

    feed: Feed
    pages: int = 0
    records: int = 0
    windows: int = 0
    resumed: bool = False
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None


@dataclass(frozen=True)
class PullReport:
    """A pull's final report: per sync type, records and pages read, and every error."""

    license_number: str
    started_at: datetime
    finished_at: datetime
    outcomes: Sequence[FeedOutcome] = field(default_factory=tuple)

    def by_type(self) -> dict[SyncType, dict[str, int]]:
        counts: dict[SyncType, dict[str, int]] = {}
        for outcome in self.outcomes:
            entry = counts.setdefault(outcome.feed.sync_type, {"records": 0, "pages": 0})
            entry["records"] += outcome.records
            entry["pages"] += outcome.pages
        return counts

    @property
    def errors(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        return not self.errors
