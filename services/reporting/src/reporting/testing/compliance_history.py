"""Compliance events as compliance publishes them (the real models of
``shared.events.compliance``), for tests: a scenario whose status is known by construction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID, uuid4

from pydantic import BaseModel
from shared.events import EventEnvelope
from shared.events import compliance as cev
from shared.events.registry import type_of

__all__ = ["EXPECTED", "LICENSE", "envelope", "scenario"]

LICENSE: Final = "403-X0001"
EXPECTED: Final = {"linked": 2, "pending": 1, "failed": 1}
"""The status of :func:`scenario`'s license."""


def _link(batch: UUID, site: UUID, at: datetime, state: str) -> cev.PackageLinkChangedV1:
    return cev.PackageLinkChangedV1(
        batch_id=batch, site_id=site, license_number=LICENSE, occurred_at=at, actor="compliance",
        state=state, tag=None, metrc_package_id=None, source=None, problem_code=None,
        problem_message=None, guidance=None,
    )  # fmt: skip


def _push(
    model: type[cev.PushEventBase], batch: UUID, site: UUID, submission: UUID, at: datetime
) -> cev.PushEventBase:
    return model(
        batch_id=batch, site_id=site, license_number=LICENSE, occurred_at=at, actor="compliance",
        submission_id=submission, sequence=1, kind="ADJUST_PACKAGE", state="X", attempts=1,
        quantity=None, unit=None, tag=None, metrc_ids=[], error_code=None, error_message=None,
        guidance=None, created_at=at, first_sent_at=None, completed_at=None,
    )  # fmt: skip


def scenario(site: UUID, start: datetime) -> list[BaseModel]:
    """Three batches of one license, in the order compliance publishes their events:

    * batch 1: link PENDING, its push planned then accepted, link LINKED;
    * batch 2: link LINKED, push A planned then failed, push B planned (waiting);
    * batch 3: a push planned, rejected, retried, then dismissed by a person;

    so :data:`EXPECTED`: 2 linked batches, 1 pending push (B), 1 failed push (A)."""
    b1, b2, b3 = uuid4(), uuid4(), uuid4()
    s1, s2, s3, s4 = uuid4(), uuid4(), uuid4(), uuid4()
    t = [start + timedelta(seconds=n) for n in range(6)]
    return [
        _link(b1, site, t[0], "PENDING"),
        _push(cev.PushPlannedV1, b1, site, s1, t[1]),
        _push(cev.PushAcceptedV1, b1, site, s1, t[2]),
        _link(b1, site, t[3], "LINKED"),
        _link(b2, site, t[0], "LINKED"),
        _push(cev.PushPlannedV1, b2, site, s2, t[1]),
        _push(cev.PushFailedV1, b2, site, s2, t[2]),
        _push(cev.PushPlannedV1, b2, site, s3, t[3]),
        _push(cev.PushPlannedV1, b3, site, s4, t[0]),
        _push(cev.PushRejectedV1, b3, site, s4, t[1]),
        _push(cev.PushRetriedV1, b3, site, s4, t[2]),
        _push(cev.PushDismissedV1, b3, site, s4, t[3]),
    ]


def envelope(event: BaseModel) -> EventEnvelope:
    """A compliance event in the envelope compliance's relay publishes it in."""
    assert isinstance(event, cev.ComplianceEventBase)
    registered = type_of(event)
    payload: dict[str, Any] = event.model_dump(mode="json")
    return EventEnvelope(
        event_type=registered.name,
        event_version=registered.version,
        occurred_at=event.occurred_at,
        producer="compliance",
        aggregate_id=str(event.batch_id),
        site_id=str(event.site_id),
        payload=payload,
    )
