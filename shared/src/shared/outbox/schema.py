"""Tables of the transactional outbox and the consumer inbox, created in every service's database.

Each service's first Alembic migration runs :data:`MESSAGING_DDL` (through
``shared.migrations.create_messaging_tables``).
"""

from __future__ import annotations

__all__ = ["MESSAGING_DDL", "NOTIFY_CHANNEL"]

NOTIFY_CHANNEL = "outbox"

MESSAGING_DDL: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS outbox (
        id           bigserial PRIMARY KEY,
        event_id     uuid NOT NULL UNIQUE,
        topic        text NOT NULL,
        message_key  text NOT NULL,
        payload      jsonb NOT NULL,
        headers      jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
    )
    """,
    # The relay scans only what is still to send; published rows are purged by age.
    "CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL",
    "CREATE INDEX IF NOT EXISTS outbox_published_at ON outbox (published_at)"
    " WHERE published_at IS NOT NULL",
    # Delivered at commit only, once per transaction: the relay wakes up without polling hard.
    f"""
    CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{NOTIFY_CHANNEL}', '');
        RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS outbox_notify ON outbox",
    "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox"
    " FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()",
    """
    CREATE TABLE IF NOT EXISTS inbox (
        consumer     text NOT NULL,
        event_id     uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS inbox_processed_at ON inbox (processed_at)",
)
