"""Registry of integration event types: ``(event_type, version)`` → payload model and topic.

Producers build envelopes with :func:`new_event`; consumers decode payloads with :func:`decode`.
Every registered type has a committed JSON Schema snapshot (``shared/events/schemas``) that a test
compares against the model, so an incompatible change cannot slip through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel

from shared.events.envelope import Actor, EventEnvelope
from shared.events.topics import Topic

__all__ = [
    "EventType",
    "UnknownEventTypeError",
    "all_event_types",
    "decode",
    "event_type",
    "new_event",
]

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    version: int
    topic: Topic
    model: type[BaseModel]

    @property
    def schema_file(self) -> str:
        return f"{self.name}.v{self.version}.json"


class UnknownEventTypeError(LookupError):
    pass


_BY_KEY: dict[tuple[str, int], EventType] = {}
_BY_MODEL: dict[type[BaseModel], EventType] = {}


def event_type(name: str, *, version: int, topic: Topic) -> Callable[[type[P]], type[P]]:
    """Class decorator registering a payload model as the contract of one event type version."""

    def register(model: type[P]) -> type[P]:
        key = (name, version)
        if key in _BY_KEY and _BY_KEY[key].model is not model:
            raise ValueError(f"event type {name} v{version} is registered twice")
        registered = EventType(name=name, version=version, topic=topic, model=model)
        _BY_KEY[key] = registered
        _BY_MODEL[model] = registered
        return model

    return register


def all_event_types() -> Iterator[EventType]:
    yield from sorted(_BY_KEY.values(), key=lambda t: (t.name, t.version))


def lookup(name: str, version: int) -> EventType:
    try:
        return _BY_KEY[(name, version)]
    except KeyError:
        raise UnknownEventTypeError(f"unknown event type {name} v{version}") from None


def registered_model(model: type[BaseModel]) -> EventType:
    """The event type a payload model is registered as."""
    try:
        return _BY_MODEL[model]
    except KeyError:
        raise UnknownEventTypeError(f"{model.__name__} is not a registered event") from None


def type_of(payload: BaseModel) -> EventType:
    return registered_model(type(payload))


def new_event(
    payload: BaseModel,
    *,
    producer: str,
    aggregate_id: str,
    aggregate_version: int | None = None,
    site_id: str | None = None,
    actor: Actor | None = None,
    correlation_id: str | None = None,
    causation_id: UUID | None = None,
    occurred_at: datetime | None = None,
) -> EventEnvelope:
    """Wrap a registered payload in an envelope; the event type and version come from the registry."""
    registered = type_of(payload)
    extra: dict[str, Any] = {} if occurred_at is None else {"occurred_at": occurred_at}
    return EventEnvelope(
        event_type=registered.name,
        event_version=registered.version,
        producer=producer,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        site_id=site_id,
        actor=actor,
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=payload.model_dump(mode="json"),
        **extra,
    )


def decode(envelope: EventEnvelope) -> BaseModel:
    """Validate an envelope's payload against its registered model."""
    return lookup(envelope.event_type, envelope.event_version).model.model_validate(
        envelope.payload
    )
