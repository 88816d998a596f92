"""The reporting service's own small command and query types: what its handlers take, from an
HTTP route or a Kafka consumer alike (never an HTTP model)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from shared.events.topics import COMPLIANCE_EVENTS, INVENTORY_EVENTS

from reporting.domain import AgingThresholds, ComplianceUpdate, InvalidReportParametersError
from reporting.service_layer.errors import SiteAccessDeniedError

__all__ = [
    "DEFAULT_TOPICS",
    "AgingQuery",
    "BatchProfitabilityQuery",
    "ComplianceStatusQuery",
    "ConsumedComplianceUpdate",
    "ConsumedInventoryEvent",
    "DashboardQuery",
    "MovementHistoryQuery",
    "Position",
    "ProfitabilitySummaryQuery",
    "SiteScope",
    "Topics",
    "Watermark",
]


@dataclass(frozen=True, slots=True)
class SiteScope:
    """The sites a caller may see: every site, or the granted ones (inventory's rule)."""

    all_sites: bool
    site_ids: frozenset[UUID] = frozenset()

    @classmethod
    def every_site(cls) -> SiteScope:
        return cls(all_sites=True)

    @classmethod
    def of(cls, site_ids: Collection[UUID]) -> SiteScope:
        return cls(all_sites=False, site_ids=frozenset(site_ids))

    def can_see(self, site_id: UUID) -> bool:
        return self.all_sites or site_id in self.site_ids

    def narrowed(self, requested: Collection[UUID]) -> frozenset[UUID] | None:
        """The sites a report covers: the ``requested`` ones (each must be visible), or, when
        none are requested, every visible one (None: every site).

        Raises:
            SiteAccessDeniedError: A requested site is not granted.
        """
        if not requested:
            return None if self.all_sites else self.site_ids
        denied = sorted(s for s in requested if not self.can_see(s))
        if denied:
            raise SiteAccessDeniedError(denied)
        return frozenset(requested)


@dataclass(frozen=True, slots=True)
class Topics:
    """The topics the read models are built from (tests use their own)."""

    inventory: str = INVENTORY_EVENTS.name
    compliance: str = COMPLIANCE_EVENTS.name


DEFAULT_TOPICS: Final = Topics()


@dataclass(frozen=True, slots=True)
class Position:
    """Where a consumed message sits in Kafka."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class Watermark:
    """A partition's high watermark (offset of the next message) as a consumer saw it, and
    the offset before which the consumer has handled every message (its group's committed
    offset: applied, or a duplicate, or dead-lettered; 0 if none), so that a poison message or
    a duplicate at the end of a partition does not look like a message still to apply."""

    topic: str
    partition: int
    high_watermark: int
    observed_at: datetime
    handled: int = 0


@dataclass(frozen=True, slots=True)
class ConsumedInventoryEvent:
    """An inventory event as a consumer hands it over: where it was read, what the envelope
    says, and the payload in its JSON form (an object of ``shared.events.inventory``'s model,
    not validated yet: ``service_layer.event_mapping`` reads it)."""

    position: Position
    event_id: UUID
    event_type: str
    event_version: int
    aggregate_id: str
    aggregate_version: int | None
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ConsumedComplianceUpdate:
    """A compliance event mapped onto its fact (see ``reporting.domain.compliance``), or, as
    ``update=None``, an event of ``compliance.events`` that the status does not use (a type
    reporting does not know yet): it changes nothing but the topic's position."""

    position: Position
    update: ComplianceUpdate | None
    occurred_at: datetime


def _limit(value: int, *, name: str, most: int) -> None:
    if not 1 <= value <= most:
        raise InvalidReportParametersError(f"{name} must be between 1 and {most}")


@dataclass(frozen=True, slots=True)
class DashboardQuery:
    scope: SiteScope
    site_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class AgingQuery:
    scope: SiteScope
    site_ids: tuple[UUID, ...] = ()
    thresholds: AgingThresholds = field(default_factory=AgingThresholds)
    top: int = 5

    def __post_init__(self) -> None:
        _limit(self.top, name="top", most=100)


@dataclass(frozen=True, slots=True)
class BatchProfitabilityQuery:
    scope: SiteScope
    batch_id: UUID


@dataclass(frozen=True, slots=True)
class ProfitabilitySummaryQuery:
    scope: SiteScope
    site_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class MovementHistoryQuery:
    """A batch's ledger rows, newest first; ``before`` = (version, sequence) of the last row
    of the previous page."""

    scope: SiteScope
    batch_id: UUID
    limit: int = 50
    before: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        _limit(self.limit, name="limit", most=500)


@dataclass(frozen=True, slots=True)
class ComplianceStatusQuery:
    scope: SiteScope
    site_ids: tuple[UUID, ...] = ()
