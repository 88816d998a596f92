"""Transactional outbox: the writer (same transaction as the state change) and the relay."""

from shared.outbox.relay import OutboxRelay, RelayConfig
from shared.outbox.schema import MESSAGING_DDL
from shared.outbox.writer import (
    OUTBOX_INSERT,
    OutboxMessage,
    outbox_message,
    outbox_values,
    write_outbox,
)

__all__ = [
    "MESSAGING_DDL",
    "OUTBOX_INSERT",
    "OutboxMessage",
    "OutboxRelay",
    "RelayConfig",
    "outbox_message",
    "outbox_values",
    "write_outbox",
]
