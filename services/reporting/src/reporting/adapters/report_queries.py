"""The reports' side of the read models on PostgreSQL.

Every query reads small aggregate tables or a bounded index range, never every batch:

* dashboard: the ``dashboard_total`` rows of the sites, summed per dimension and name (for
  every site, the total rows);
* aging: the ``aging_day`` rows of the sites (or the total rows) added up by bracket; the aging
  members received on the (at most three) straddling days, an index range per site, split at
  the cuts and added up; the oldest members, the first rows of ``batch_view_aging`` per site (a
  LATERAL per site), merged;
* profitability: a view by primary key, or the ``profit_category`` rows of the sites (or the
  total rows);
* movement history: a primary-key range of one batch.

A query for "every site" asks the same indexes per known site (the sites with dashboard rows).
"""

# SQL here is assembled only from this module's constant fragments; every value is a bound
# parameter. Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

import asyncpg
from shared.database import Sql

from reporting.adapters.read_model_store import sync_from_row
from reporting.adapters.rows import (
    VIEW_SELECT,
    movement_from_row,
    position_from_row,
    view_from_row,
)
from reporting.domain import (
    EVERY_SITE,
    AgingCandidate,
    BatchView,
    Dimension,
    FindingKey,
    LicenseKey,
    LinkCounts,
    Movement,
    PartitionPosition,
    ProfitTotals,
    SyncFinished,
    Totals,
)
from reporting.service_layer.ports import Sites

__all__ = ["PgReportQueries"]


class _BySite:
    """A query in two forms: for some sites (``:sites``), and for every site; for an
    aggregate (``total=True``) every site means its total rows (site ``EVERY_SITE``)."""

    __slots__ = ("every", "every_value", "some")

    def __init__(self, template: str, *, total: bool = False) -> None:
        self.some = Sql(template.format(sites="site_id = ANY(CAST(:sites AS uuid[]))"))
        self.every = Sql(template.format(sites="site_id = :every" if total else "TRUE"))
        self.every_value = {"every": EVERY_SITE} if total else {}

    def pick(self, sites: Sites, **values: Any) -> tuple[Any, ...]:
        """The statement's text followed by its arguments (``conn.fetch(*pick(...))``)."""
        if sites is None:
            return (self.every.text, *self.every.args({**values, **self.every_value}))
        return (self.some.text, *self.some.args({**values, "sites": list(sites)}))


_BATCH: Final = Sql(f"SELECT {VIEW_SELECT} FROM batch_view WHERE batch_id = :batch_id")
_MOVEMENTS: Final = Sql(
    "SELECT * FROM movement WHERE batch_id = :batch_id"
    " AND (batch_version, sequence) < (:version, :sequence)"
    " ORDER BY batch_version DESC, sequence DESC LIMIT :limit"
)
_DASHBOARD: Final = _BySite(
    "SELECT dimension, name, sum(batches)::bigint AS batches, sum(units)::text AS units,"
    " sum(value)::text AS value"
    " FROM dashboard_total WHERE {sites} GROUP BY dimension, name",
    total=True,
)
# The days that hold no cut, added up by bracket: the number of cut days after the day.
_AGING_WHOLE_DAYS: Final = _BySite(
    "SELECT (intake_day < :day1)::int + (intake_day < :day2)::int + (intake_day < :day3)::int"
    " AS reached, sum(batches)::bigint AS batches, sum(units)::text AS units,"
    " sum(value)::text AS value FROM aging_day"
    " WHERE {sites} AND intake_day NOT IN (:day1, :day2, :day3) GROUP BY 1",
    total=True,
)
_KNOWN_SITES: Final = Sql(
    "SELECT DISTINCT site_id FROM dashboard_total WHERE dimension = 'status' AND site_id <> :every"
)
# One index range per site and straddling day, split at the cuts and added up here (a few rows
# back instead of every batch of three days). OFFSET 0 keeps the LATERAL subquery a subquery
# run per (site, day) with those as index bounds: pulled up into the join, the planner read
# every aging member of the sites and filtered the days afterwards (0.8 s at 1,000,000).
_AGING_SPLIT: Final = Sql(
    "SELECT (r.created_at <= :cut1)::int + (r.created_at <= :cut2)::int"
    " + (r.created_at <= :cut3)::int AS reached, count(*) AS batches,"
    " sum(r.on_hand)::text AS units, sum(r.on_hand * r.unit_cost)::text AS value"
    " FROM unnest(CAST(:sites AS uuid[])) AS s(site_id)"
    " CROSS JOIN unnest(CAST(:starts AS timestamptz[])) AS d(start)"
    " CROSS JOIN LATERAL (SELECT b.created_at, b.on_hand, b.unit_cost FROM batch_view b"
    " WHERE b.aging_member AND b.site_id = s.site_id"
    " AND b.created_at >= d.start AND b.created_at < d.start + interval '1 day' OFFSET 0) AS r"
    " GROUP BY 1"
)
_OLDEST: Final = Sql(
    "SELECT o.* FROM unnest(CAST(:sites AS uuid[])) AS s(site_id) CROSS JOIN LATERAL ("
    " SELECT b.batch_id, b.site_id, b.code, b.sku, b.product_name, b.created_at, b.on_hand,"
    " b.unit_cost FROM batch_view b WHERE b.aging_member AND b.site_id = s.site_id"
    " ORDER BY b.created_at, b.batch_id LIMIT :limit) AS o"
    " ORDER BY o.created_at, o.batch_id LIMIT :limit"
)
_PROFIT: Final = _BySite(
    "SELECT category, sum(batches_with_sales)::bigint AS batches_with_sales,"
    " sum(units_sold)::text AS units_sold, sum(units_returned)::text AS units_returned,"
    " sum(revenue)::text AS revenue, sum(cogs)::text AS cogs,"
    " sum(unpriced_units)::text AS unpriced_units"
    " FROM profit_category WHERE {sites} GROUP BY category",
    total=True,
)
_LINK_COUNTS: Final = _BySite("SELECT * FROM license_link_count WHERE {sites}")
_FINDING_COUNTS: Final = _BySite(
    "SELECT * FROM license_finding_count WHERE {sites} AND open_count <> 0"
)
_SYNCS: Final = _BySite("SELECT * FROM compliance_sync WHERE {sites}")
_POSITIONS: Final = Sql("SELECT * FROM topic_position ORDER BY topic, partition")
_NEWEST: Final = (2**31 - 1, 2**31 - 1)


def _totals(row: Any) -> Totals:
    # Sums come as text (see adapters.rows: a third of the cost of the binary numeric codec).
    return Totals(row["batches"], Decimal(row["units"]), Decimal(row["value"]))


class PgReportQueries:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def batch(self, batch_id: UUID) -> BatchView | None:
        row = await self._conn.fetchrow(_BATCH.text, *_BATCH.args({"batch_id": batch_id}))
        return None if row is None else view_from_row(row)

    async def movements(
        self, batch_id: UUID, *, before: tuple[int, int] | None, limit: int
    ) -> list[Movement]:
        version, sequence = before or _NEWEST
        args = _MOVEMENTS.args(
            {"batch_id": batch_id, "version": version, "sequence": sequence, "limit": limit}
        )
        return [movement_from_row(row) for row in await self._conn.fetch(_MOVEMENTS.text, *args)]

    async def dashboard_rows(self, sites: Sites) -> list[tuple[Dimension, str, Totals]]:
        rows = await self._conn.fetch(*_DASHBOARD.pick(sites))
        return [(Dimension(row["dimension"]), row["name"], _totals(row)) for row in rows]

    async def aging_whole_days(
        self, sites: Sites, cut_days: Sequence[date]
    ) -> list[tuple[int, Totals]]:
        day1, day2, day3 = cut_days
        rows = await self._conn.fetch(
            *_AGING_WHOLE_DAYS.pick(sites, day1=day1, day2=day2, day3=day3)
        )
        return [(row["reached"], _totals(row)) for row in rows]

    async def _sites(self, sites: Sites) -> list[UUID]:
        if sites is not None:
            return list(sites)
        args = _KNOWN_SITES.args({"every": EVERY_SITE})
        return [row["site_id"] for row in await self._conn.fetch(_KNOWN_SITES.text, *args)]

    async def aging_split_days(
        self, sites: Sites, days: Collection[date], cuts: Sequence[datetime]
    ) -> list[tuple[int, Totals]]:
        if not days:
            return []
        cut1, cut2, cut3 = cuts
        args = _AGING_SPLIT.args({
            "sites": await self._sites(sites),
            "starts": [datetime.combine(day, time(), UTC) for day in days],
            "cut1": cut1, "cut2": cut2, "cut3": cut3,
        })  # fmt: skip
        rows = await self._conn.fetch(_AGING_SPLIT.text, *args)
        return [(row["reached"], _totals(row)) for row in rows]

    async def oldest_aging(self, sites: Sites, limit: int) -> list[AgingCandidate]:
        args = _OLDEST.args({"sites": await self._sites(sites), "limit": limit})
        return [
            AgingCandidate(
                row["batch_id"], row["site_id"], row["code"], row["sku"], row["product_name"],
                row["created_at"], row["on_hand"], row["unit_cost"],
            )
            for row in await self._conn.fetch(_OLDEST.text, *args)
        ]  # fmt: skip

    async def profit_rows(self, sites: Sites) -> list[tuple[str, ProfitTotals]]:
        rows = await self._conn.fetch(*_PROFIT.pick(sites))
        return [
            (
                row["category"],
                ProfitTotals(
                    row["batches_with_sales"], Decimal(row["units_sold"]),
                    Decimal(row["units_returned"]), Decimal(row["revenue"]), Decimal(row["cogs"]),
                    Decimal(row["unpriced_units"]),
                ),
            )
            for row in rows
        ]  # fmt: skip

    async def license_counts(self, sites: Sites) -> list[tuple[LicenseKey, LinkCounts]]:
        rows = await self._conn.fetch(*_LINK_COUNTS.pick(sites))
        return [
            (
                LicenseKey(row["site_id"], row["license_number"]),
                LinkCounts(row["linked"], row["pending"], row["failed"]),
            )
            for row in rows
        ]

    async def open_findings(self, sites: Sites) -> list[tuple[FindingKey, int]]:
        rows = await self._conn.fetch(*_FINDING_COUNTS.pick(sites))
        return [
            (
                FindingKey(row["site_id"], row["license_number"], row["finding_class"]),
                row["open_count"],
            )
            for row in rows
        ]

    async def last_syncs(self, sites: Sites) -> list[SyncFinished]:
        return [sync_from_row(row) for row in await self._conn.fetch(*_SYNCS.pick(sites))]

    async def positions(self) -> list[PartitionPosition]:
        return [position_from_row(row) for row in await self._conn.fetch(_POSITIONS.text)]
