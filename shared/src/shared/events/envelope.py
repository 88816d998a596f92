"""The envelope every integration event travels in, on every topic.

The payload is a plain JSON object on the wire; :mod:`shared.events.registry` maps
``(event_type, event_version)`` to the pydantic model that validates it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["Actor", "EventEnvelope"]


class Actor(BaseModel):
    """Who caused the event: a user acting through the gateway, an API key, or a system process."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="User id, API key id or process name")
    kind: str = Field(default="user", description="user | api_key | system")
    display_name: str | None = Field(default=None, description="For audit trails")


class EventEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: uuid.UUID = Field(
        default_factory=uuid.uuid4, description="Unique per event; inbox key"
    )
    event_type: str = Field(description="e.g. inventory.batch.adjusted")
    event_version: int = Field(ge=1, description="Bumped only on a breaking payload change")
    occurred_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str = Field(description="The service that wrote the event")
    aggregate_id: str = Field(description="Partition key: events of one aggregate stay in order")
    aggregate_version: int | None = Field(default=None, description="Version after the change")
    site_id: str | None = Field(
        default=None, description="The site (facility) the event belongs to"
    )
    actor: Actor | None = None
    correlation_id: str | None = Field(default=None, description="Request id that started it all")
    causation_id: uuid.UUID | None = Field(default=None, description="Event that caused this one")
    payload: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> EventEnvelope:
        return cls.model_validate_json(raw)
