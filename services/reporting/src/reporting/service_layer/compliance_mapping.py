"""Compliance events (``shared.events.compliance``, in their JSON form) -> the status facts of
``reporting.domain.compliance``: the one decoding of compliance events, used by the live
consumer and by the rebuild alike.

A type (and schema version) reporting does not know is tolerated: it maps onto no fact and
only advances the topic's position (compliance adds event types on its own schedule). A known
type whose payload lacks what the fact needs is an :class:`InconsistentEventError` (poison).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from reporting.domain import ComplianceUpdate, InconsistentEventError
from reporting.service_layer.commands import ConsumedComplianceUpdate, Position

__all__ = ["COMPLIANCE_FACTS", "consumed_compliance"]

Fact = Callable[[Mapping[str, Any], Position], ComplianceUpdate]

COMPLIANCE_FACTS: Final[Mapping[tuple[str, int], Fact]] = {}
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
        return ConsumedComplianceUpdate(position, fact(payload, position), occurred_at)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InconsistentEventError(
            f"{event_type}: the payload is not a valid compliance event"
            f" ({type(error).__name__}: {error})"
        ) from error
