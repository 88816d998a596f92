"""Integration event contracts: the envelope, the topics and the registry of event types."""

# Importing the service event modules registers their event types.
from shared.events import compliance, cultivation, inventory, transfers
from shared.events.envelope import Actor, EventEnvelope
from shared.events.registry import (
    EventType,
    UnknownEventTypeError,
    all_event_types,
    decode,
    event_type,
)
from shared.events.topics import (
    ALL_TOPICS,
    COMPLIANCE_EVENTS,
    CULTIVATION_EVENTS,
    INVENTORY_EVENTS,
    TRANSFER_EVENTS,
    Topic,
)

__all__ = [
    "ALL_TOPICS",
    "COMPLIANCE_EVENTS",
    "CULTIVATION_EVENTS",
    "INVENTORY_EVENTS",
    "TRANSFER_EVENTS",
    "Actor",
    "EventEnvelope",
    "EventType",
    "Topic",
    "UnknownEventTypeError",
    "all_event_types",
    "compliance",
    "cultivation",
    "decode",
    "event_type",
    "inventory",
    "transfers",
]
