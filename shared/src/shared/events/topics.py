"""The topics Canopy declares: one place for names, partition counts, retention and owners.

``deploy/kafka/topics.yaml`` is generated from this list (``make topics-file``); a test keeps them equal.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALL_TOPICS",
    "COMPLIANCE_EVENTS",
    "CULTIVATION_EVENTS",
    "INVENTORY_EVENTS",
    "TRANSFER_EVENTS",
    "Topic",
    "dead_letter_topic",
]

DEAD_LETTER_SUFFIX = ".dlt"
FOREVER = -1


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    partitions: int
    retention_ms: int
    owner: str
    key: str
    description: str

    @property
    def dead_letter(self) -> Topic:
        return Topic(
            name=dead_letter_topic(self.name),
            partitions=1,
            retention_ms=FOREVER,
            owner=self.owner,
            key=self.key,
            description=f"Messages of {self.name} that a consumer gave up on, with the error in headers",
        )


def dead_letter_topic(name: str) -> str:
    return name + DEAD_LETTER_SUFFIX


INVENTORY_EVENTS = Topic(
    name="inventory.batch.events",
    partitions=6,
    # Kept forever: reporting rebuilds its read models by replaying this topic from the start.
    retention_ms=FOREVER,
    owner="inventory",
    key="batch id",
    description="Every state change of a batch: created, adjusted, status changed, reserved ...",
)

CULTIVATION_EVENTS = Topic(
    name="inventory.cultivation.events",
    partitions=6,
    # Kept forever, like the batch events: compliance mirrors every change to Metrc from them.
    retention_ms=FOREVER,
    owner="inventory",
    key="plant batch, plant or harvest id",
    description="Every change of a plant batch, its tracked plants, or a harvest: planted, split,"
    " adjusted, moved, destroyed, into growth, harvested, waste, packaged, finished ...",
)

COMPLIANCE_EVENTS = Topic(
    name="compliance.events",
    partitions=6,
    retention_ms=FOREVER,
    owner="compliance",
    key="batch id or Metrc record id",
    description="Outcomes of Metrc pushes and pulls, and reconciliation findings",
)

TRANSFER_EVENTS = Topic(
    name="inventory.transfer.events",
    partitions=6,
    # Kept forever, like the batch events: compliance makes and follows each manifest from them.
    retention_ms=FOREVER,
    owner="inventory",
    key="transfer id",
    description="Every change of an outgoing or incoming transfer: created, sent, cancelled,"
    " settled (what the receiver accepted or rejected), received",
)

_PRIMARY = (INVENTORY_EVENTS, COMPLIANCE_EVENTS, CULTIVATION_EVENTS, TRANSFER_EVENTS)
ALL_TOPICS: tuple[Topic, ...] = _PRIMARY + tuple(t.dead_letter for t in _PRIMARY)
