"""The one decoding of inventory events (``service_layer.event_mapping``), shared by the live
consumer and the rebuild: it reads the payload's JSON form without pydantic, so what it checks
itself is tested here: every refusal is an ``InconsistentEventError`` (poison), never another
exception and never a silently wrong value."""

from __future__ import annotations

import copy
import random
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from reporting.domain import InconsistentEventError
from reporting.service_layer.commands import ConsumedInventoryEvent
from reporting.service_layer.event_mapping import INVENTORY_SCHEMAS, batch_change
from reporting.testing.inventory_history import in_order, random_batch
from shared.events import inventory as ev
from shared.events.registry import all_event_types


def _event() -> ConsumedInventoryEvent:
    events = in_order([random_batch(random.Random(3), 0, steps=8)])
    return next(e for e in events if e.payload["movements"])


def _with(
    event: ConsumedInventoryEvent, path: tuple[Any, ...], value: Any
) -> ConsumedInventoryEvent:
    payload = copy.deepcopy(dict(event.payload))
    target: Any = payload
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return replace(event, payload=payload)


_DELETE = object()


class TestTheMappingReadsWhatThePublishedModelsWrite:
    def test_every_inventory_batch_event_type_is_known_with_its_schema_version(self) -> None:
        registered = {
            (t.name, t.version) for t in all_event_types() if issubclass(t.model, ev.BatchEventBase)
        }
        assert registered
        assert registered == INVENTORY_SCHEMAS

    def test_the_json_form_gives_the_values_the_models_hold(self) -> None:
        event = _event()
        model = ev.BatchEventBase.model_validate(event.payload)
        change = batch_change(event)
        assert change.batch.batch_id == model.batch.batch_id
        assert change.batch.balances.on_hand == model.batch.balances.on_hand
        assert change.batch.costs.unit_cogs == model.batch.costs.unit_cogs
        assert change.batch.created_at == model.batch.created_at
        assert [m.change for m in change.movements] == [m.change for m in model.movements]
        assert [m.occurred_at for m in change.movements] == [m.occurred_at for m in model.movements]


class TestWhatTheMappingRefusesIsPoison:
    def test_an_unknown_schema_version_is_refused(self) -> None:
        with pytest.raises(InconsistentEventError, match="version 99"):
            batch_change(replace(_event(), event_version=99))

    def test_an_unknown_type_is_refused(self) -> None:
        with pytest.raises(InconsistentEventError, match="not an inventory batch event"):
            batch_change(replace(_event(), event_type="inventory.batch.teleported"))

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            (("batch", "balances", "on_hand"), 12.5),  # a JSON number, not a decimal string
            (("batch", "balances", "on_hand"), "NaN"),
            (("batch", "balances", "on_hand"), "twelve"),
            (("batch", "created_at"), "2026-03-02T09:30:00"),  # no UTC offset
            (("batch", "status"), "MISPLACED"),
            (("batch", "version"), "3"),
            (("batch", "site", "id"), "not-a-uuid"),
            (("batch", "costs"), _DELETE),
            (("movements", 0, "bucket"), "POCKET"),
            (("movements", 0, "change"), None),
            (("movements",), {"not": "a list"}),
            (("batch",), None),
        ],
    )
    def test_a_field_missing_or_of_the_wrong_form_is_refused(
        self, path: tuple[Any, ...], value: Any
    ) -> None:
        with pytest.raises(InconsistentEventError, match="not a valid inventory batch event"):
            batch_change(_with(_event(), path, value))

    def test_an_envelope_of_another_batch_is_refused(self) -> None:
        with pytest.raises(InconsistentEventError, match="envelope of batch"):
            batch_change(replace(_event(), aggregate_id="another"))

    def test_a_time_with_an_offset_is_converted_to_utc(self) -> None:
        event = _with(_event(), ("batch", "created_at"), "2026-03-02T11:30:00+02:00")
        created = batch_change(event).batch.created_at
        assert created.utcoffset() is not None
        assert created.isoformat() == "2026-03-02T09:30:00+00:00"

    def test_decimals_are_exact(self) -> None:
        event = _with(_event(), ("batch", "balances", "on_hand"), "0.1000")
        assert batch_change(event).batch.balances.on_hand == Decimal("0.1000")
