"""Transactional outbox: the writer (same transaction as the state change) and the relay."""

from shared.outbox.relay import OutboxRelay, RelayConfig, asyncpg_dsn
from shared.outbox.schema import MESSAGING_DDL, inbox_table, outbox_table
from shared.outbox.writer import enqueue, enqueue_asyncpg, kafka_headers_for, outbox_columns

__all__ = [
    "MESSAGING_DDL",
    "OutboxRelay",
    "RelayConfig",
    "asyncpg_dsn",
    "enqueue",
    "enqueue_asyncpg",
    "inbox_table",
    "kafka_headers_for",
    "outbox_columns",
    "outbox_table",
]
