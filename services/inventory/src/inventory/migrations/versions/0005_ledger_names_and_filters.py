"""Who did it, by name; and the ledger list filtered by type, bucket and time, both ways.

* ``performed_by_name`` on ``movement`` and ``audit_log``: the display name the caller had
  when it acted, as the gateway forwards it in the identity token. Stored with the row, like
  the id, so a read never asks the gateway who an id was (and a renamed user's history keeps
  the name it was signed with). Null on rows written before this migration.
* The ledger page is a keyset scan in time order (ties by id) within one batch. Until now only
  ``(batch_id, batch_version, sequence)`` was indexed, so a page of a long ledger sorted or
  filtered its way through all of it; these indexes let each filter shape, with or without a
  time range, in either order, read just its page: ``(batch_id, occurred_at, id)``,
  ``(batch_id, movement_type, occurred_at, id)`` and ``(batch_id, bucket, occurred_at, id)``
  (tests/integration/test_inventory_api_ledger.py checks the rows each shape reads on a
  40,000-movement batch).
* The list's status column is named ``status`` now (as in reads, changes and bulk changes); a
  saved view that sorted on its old name ``batchStatus`` sorts on ``status``.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = [
    "ALTER TABLE movement ADD COLUMN performed_by_name text",
    "ALTER TABLE audit_log ADD COLUMN performed_by_name text",
    "CREATE INDEX movement_batch_time ON movement (batch_id, occurred_at, id)",
    "CREATE INDEX movement_batch_type ON movement (batch_id, movement_type, occurred_at, id)",
    "CREATE INDEX movement_batch_bucket ON movement (batch_id, bucket, occurred_at, id)",
    """
    UPDATE saved_view SET filters = jsonb_set(filters, '{sortBy}', '"status"')
        WHERE filters->>'sortBy' = 'batchStatus'
    """,
]

DOWNGRADE = [
    """
    UPDATE saved_view SET filters = jsonb_set(filters, '{sortBy}', '"batchStatus"')
        WHERE filters->>'sortBy' = 'status'
    """,
    "DROP INDEX IF EXISTS movement_batch_bucket",
    "DROP INDEX IF EXISTS movement_batch_type",
    "DROP INDEX IF EXISTS movement_batch_time",
    "ALTER TABLE audit_log DROP COLUMN IF EXISTS performed_by_name",
    "ALTER TABLE movement DROP COLUMN IF EXISTS performed_by_name",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
