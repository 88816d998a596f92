"""Registry of integration event types: ``(event_type, version)`` → payload model and topic.

Producers build envelopes with ``shared.outbox.outbox_message``; consumers decode payloads with
:func:`decode`.
Every registered type has a committed JSON Schema snapshot (``shared/events/schemas``) that a test
compares against the model, so an incompatible change cannot slip through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from shared.events.envelope import EventEnvelope
from shared.events.topics import Topic

__all__ = [
    "EventType",
    "UnknownEventTypeError",
    "all_event_types",
    "decode",
    "event_type",
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


def decode(envelope: EventEnvelope) -> BaseModel:
    """Validate an envelope's payload against its registered model."""
    return lookup(envelope.event_type, envelope.event_version).model.model_validate(
        envelope.payload
    )
