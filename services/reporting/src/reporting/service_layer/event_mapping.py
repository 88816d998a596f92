"""Inventory events (``shared.events.inventory``, in their JSON form) -> the domain's
:class:`BatchChange`: the one decoding of inventory events, used by the live consumer and by the
rebuild alike.

Every inventory event type maps the same way: the batch after the change and the ledger rows it
wrote are all the projection needs (the type-specific fields, a sale's quantity or a return's
refund flag, are in those rows). The type is kept with each ledger row for the history.

The payload is read as the JSON object it travels as, without validating it against its
pydantic model: inventory validated it when it published it, and the model's field-by-field
validation cost 60 us an event, more than the fold. What is checked here is what the
projection relies on: the type and its schema version are a registered inventory batch event,
every field it reads is present with the JSON type it needs, decimals are finite decimal
strings, times are aware, enumerations known, and the envelope agrees with the payload. Any
failure is an :class:`InconsistentEventError` (a poison message: nothing is applied).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from uuid import UUID

from shared.events import inventory as ev
from shared.events.registry import all_event_types
from shared.events.topics import INVENTORY_EVENTS

from reporting.domain import (
    Balances,
    BatchChange,
    BatchFacts,
    BatchStatus,
    Bucket,
    CogsMode,
    Costs,
    InconsistentEventError,
    Movement,
)
from reporting.service_layer.commands import ConsumedInventoryEvent

__all__ = ["INVENTORY_SCHEMAS", "batch_change"]

INVENTORY_SCHEMAS: Final = frozenset(
    (t.name, t.version)
    for t in all_event_types()
    if t.topic == INVENTORY_EVENTS and issubclass(t.model, ev.BatchEventBase)
)
"""(event type, schema version) of every inventory batch event the projection reads."""

# Dict lookups convert the enumerations (a tenth of the cost of calling the enum, which counts
# at 10,000 events a second); a value the domain does not know is a KeyError, hence refused.
_STATUS: Final = {s.value: s for s in BatchStatus}
_BUCKET: Final = {b.value: b for b in Bucket}
_COGS: Final = {c.value: c for c in CogsMode}


_UUIDS: dict[str, UUID] = {}
_MEMO_KEPT: Final = 200_000
"""Entries each memo of parsed values keeps (cleared when full: memory stays bounded)."""


def _uuid(value: Any) -> UUID:
    # The same few ids (a batch's, its site's, product's, locations') come in every event of a
    # batch; parsing one costs 2 us, a lookup 0.05. The memo is bounded: cleared when full.
    known = _UUIDS.get(value)
    if known is None:
        if len(_UUIDS) >= _MEMO_KEPT:
            _UUIDS.clear()
        known = _UUIDS[value] = UUID(value)
    return known


_DECIMALS: dict[str, Decimal] = {}
_TIMES: dict[str, datetime] = {}


def _decimal(value: Any) -> Decimal:
    # Decimals travel as strings (never JSON numbers: a float has already lost digits).
    if type(value) is not str:
        raise TypeError(f"a decimal must be a string, not {type(value).__name__}")
    # Memoized like the ids (a batch's costs and most balances recur from event to event).
    number = _DECIMALS.get(value)
    if number is None:
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError(f"{value!r} is not a finite decimal")
        if len(_DECIMALS) >= _MEMO_KEPT:
            _DECIMALS.clear()
        _DECIMALS[value] = number
    return number


def _optional_decimal(value: Any) -> Decimal | None:
    return None if value is None else _decimal(value)


def _time(value: Any) -> datetime:
    # Memoized: an event's time recurs in its batch, its ledger rows and its payload, and a
    # batch's receipt in every event of it.
    at = _TIMES.get(value) if type(value) is str else None
    if at is None:
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            raise ValueError(f"{value!r} has no UTC offset")
        if at.tzinfo is not UTC:
            at = at.astimezone(UTC)
        if len(_TIMES) >= _MEMO_KEPT:
            _TIMES.clear()
        _TIMES[value] = at
    return at


def _optional_time(value: Any) -> datetime | None:
    return None if value is None else _time(value)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, not {type(value).__name__}")
    return value


def _facts(batch: Mapping[str, Any]) -> BatchFacts:
    # Positional arguments, in the dataclasses' field order: this runs for every event.
    balances, costs, product, site = (
        batch["balances"],
        batch["costs"],
        batch["product"],
        batch["site"],
    )
    return BatchFacts(
        _uuid(batch["batch_id"]), _uuid(site["id"]), _text(site["license_number"]),
        _text(batch["code"]), _text(batch["sku"]), _uuid(product["id"]), _text(product["name"]),
        _text(product["category"]), _optional_text(product.get("subcategory")),
        _STATUS[batch["status"]],
        Balances(_decimal(balances["on_hand"]), _decimal(balances["reserved"]),
                 _decimal(balances["quarantine"]), _decimal(balances["hold"]),
                 _decimal(balances["defective"])),
        Costs(_COGS[costs["cogs_mode"]], _optional_decimal(costs.get("unit_cogs")),
              _optional_decimal(costs.get("unit_cogs_min")),
              _optional_decimal(costs.get("unit_cogs_max")), _optional_decimal(costs.get("ticket"))),
        _int(batch["version"]), _time(batch["created_at"]), _time(batch["updated_at"]),
        _optional_time(batch.get("deleted_at")),
    )  # fmt: skip


def _movement(batch_id: UUID, event_type: str, m: Mapping[str, Any]) -> Movement:
    reference, location = m.get("reference"), m.get("location")
    return Movement(
        batch_id, _int(m["batch_version"]), _int(m["sequence"]), event_type, _BUCKET[m["bucket"]],
        _text(m["type"]), _decimal(m["change"]), _decimal(m["before"]), _decimal(m["after"]),
        _optional_text(m.get("reason")), _optional_text(m.get("notes")),
        None if reference is None else _text(reference["type"]),
        None if reference is None else _text(reference["id"]),
        None if location is None else _uuid(location["id"]),
        None if location is None else _text(location["label"]),
        _text(m["actor"]), _time(m["occurred_at"]),
    )  # fmt: skip


def _decoded(event: ConsumedInventoryEvent) -> BatchChange:
    if (event.event_type, event.event_version) not in INVENTORY_SCHEMAS:
        raise InconsistentEventError(
            f"{event.event_type} version {event.event_version} is not an inventory batch event"
            " reporting reads"
        )
    payload = event.payload
    batch = _facts(payload["batch"])
    if event.aggregate_id != str(batch.batch_id):
        raise InconsistentEventError(
            f"envelope of batch {event.aggregate_id}, payload of batch {batch.batch_id}"
        )
    if event.aggregate_version is not None and event.aggregate_version != batch.version:
        raise InconsistentEventError(
            f"envelope version {event.aggregate_version}, payload version {batch.version}"
        )
    movements = payload["movements"]
    if type(movements) is not list:
        raise TypeError("movements must be a list")
    return BatchChange(
        event_type=event.event_type,
        batch=batch,
        movements=tuple(_movement(batch.batch_id, event.event_type, m) for m in movements),
        occurred_at=_time(payload["occurred_at"]),
    )


def batch_change(event: ConsumedInventoryEvent) -> BatchChange:
    """The domain's view of one consumed inventory event.

    Raises:
        InconsistentEventError: Not a registered inventory batch event (type and schema
            version), a field missing or of the wrong form, or the envelope and the payload
            disagree about the batch or its version (a poison message: nothing is applied).
    """
    try:
        return _decoded(event)
    except InconsistentEventError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as error:
        raise InconsistentEventError(
            f"{event.event_type}: the payload is not a valid inventory batch event"
            f" ({type(error).__name__}: {error})"
        ) from error
