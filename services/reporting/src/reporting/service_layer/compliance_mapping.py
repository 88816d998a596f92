"""Compliance events (``shared.events.compliance``, in their JSON form) -> the status facts of
``reporting.domain.compliance``: the one decoding of compliance events, used by the live
consumer and by the rebuild alike.

* ``compliance.package_link_changed``: the batch's link, LINKED or not (NOT_TRACKED, UNLINKED,
  PENDING: its package is not in Metrc yet; the push creating it is counted as pending).
* ``compliance.push_planned`` and ``push_retried``: the push is PENDING; ``push_rejected`` and
  ``push_failed``: FAILED; ``push_accepted`` and ``push_dismissed``: SETTLED.
* ``compliance.finding_changed``: a reconciliation finding, open while OPEN or APPLYING, closed
  once APPLIED, REJECTED or SETTLED; counted by class under its site's license. A finding of no
  site (a license whose sites have no rules) has no reader who may see it here: it maps onto no
  fact (compliance's own routes show it).
* ``compliance.transfer_manifest.settled``: inventory's to act on (the transfer's returns); no
  status fact (the sale and the returns reach reporting as inventory's movements).
* ``compliance.incoming_transfer.changed``: inventory's to record; no status fact (receiving it
  reaches reporting as the intakes of its batches).

The events carry no version of their own: a fact's version is the event's ``occurred_at`` in
microseconds (compliance writes a batch's link and a submission's states one after another),
so a stale copy published again later changes nothing, and a rebuild orders them as the live
consumer did. An event without a license (a batch compliance does not track) counts under the
license ``""``.

A type (and schema version) reporting does not know is tolerated: it maps onto no fact and
only advances the topic's position (compliance adds event types on its own schedule; the
finished pulls will be mapped onto ``SyncFinished`` here). A known type whose payload lacks what the fact needs is an
:class:`InconsistentEventError` (poison).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from uuid import UUID

from reporting.domain import (
    BatchLinkUpdate,
    ComplianceUpdate,
    FindingUpdate,
    InconsistentEventError,
    LinkState,
    PushState,
    PushUpdate,
)
from reporting.service_layer.commands import ConsumedComplianceUpdate, Position

__all__ = ["COMPLIANCE_FACTS", "consumed_compliance"]

Fact = Callable[[Mapping[str, Any]], ComplianceUpdate | None]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def _at(payload: Mapping[str, Any]) -> tuple[datetime, int]:
    at = datetime.fromisoformat(payload["occurred_at"])
    if at.tzinfo is None:
        raise ValueError("occurred_at has no UTC offset")
    at = at.astimezone(UTC)
    return at, (at - _EPOCH) // _MICROSECOND


def _license(payload: Mapping[str, Any]) -> str:
    number = payload["license_number"]
    if number is not None and type(number) is not str:
        raise TypeError("license_number must be a string")
    return number or ""


def _link(payload: Mapping[str, Any]) -> BatchLinkUpdate:
    at, version = _at(payload)
    state = payload["state"]
    if type(state) is not str:
        raise TypeError("state must be a string")
    return BatchLinkUpdate(
        UUID(payload["batch_id"]), UUID(payload["site_id"]), _license(payload),
        LinkState.LINKED if state == "LINKED" else LinkState.UNLINKED, version, at,
    )  # fmt: skip


def _push(state: PushState) -> Fact:
    def fact(payload: Mapping[str, Any]) -> PushUpdate:
        at, version = _at(payload)
        return PushUpdate(
            UUID(payload["submission_id"]), UUID(payload["batch_id"]), UUID(payload["site_id"]),
            _license(payload), state, version, at,
        )  # fmt: skip

    return fact


_OPEN_FINDING_STATES: Final = frozenset({"OPEN", "APPLYING"})


def _finding(payload: Mapping[str, Any]) -> FindingUpdate | None:
    at, version = _at(payload)
    if payload["site_id"] is None:
        return None
    finding_class, state = payload["finding_class"], payload["state"]
    if type(finding_class) is not str or type(state) is not str:
        raise TypeError("finding_class and state must be strings")
    return FindingUpdate(
        UUID(payload["finding_id"]), UUID(payload["site_id"]), _license(payload), finding_class,
        state in _OPEN_FINDING_STATES, version, at,
    )  # fmt: skip


COMPLIANCE_FACTS: Final[Mapping[tuple[str, int], Fact]] = {
    ("compliance.package_link_changed", 1): _link,
    ("compliance.push_planned", 1): _push(PushState.PENDING),
    ("compliance.push_retried", 1): _push(PushState.PENDING),
    ("compliance.push_rejected", 1): _push(PushState.FAILED),
    ("compliance.push_failed", 1): _push(PushState.FAILED),
    ("compliance.push_accepted", 1): _push(PushState.SETTLED),
    ("compliance.push_dismissed", 1): _push(PushState.SETTLED),
    ("compliance.finding_changed", 1): _finding,
    ("compliance.transfer_manifest.settled", 1): lambda _payload: None,
    ("compliance.incoming_transfer.changed", 1): lambda _payload: None,
}
"""(compliance event type, schema version) -> its status fact."""


def consumed_compliance(
    position: Position,
    event_type: str,
    event_version: int,
    payload: Mapping[str, Any],
    occurred_at: datetime,
) -> ConsumedComplianceUpdate:
    """The fact of one consumed compliance event (None: a type the status does not use).

    Raises:
        InconsistentEventError: A known type whose payload lacks a field the fact needs.
    """
    fact = COMPLIANCE_FACTS.get((event_type, event_version))
    if fact is None:
        return ConsumedComplianceUpdate(position, None, occurred_at)
    try:
        return ConsumedComplianceUpdate(position, fact(payload), occurred_at)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InconsistentEventError(
            f"{event_type}: the payload is not a valid compliance event"
            f" ({type(error).__name__}: {error})"
        ) from error
