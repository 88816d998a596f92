"""Who did it, by name; and the ledger list filtered by type, bucket and time, both ways.

* ``performed_by_name`` on ``movement`` and ``audit_log``: the display name the caller had
  when it acted, as the gateway forwards it in the identity token. Stored with the row, like
  the id, so a read never asks the gateway who an id was (and a renamed user's history keeps
  the name it was signed with). Null on rows written before this migration.
* The ledger page is a keyset scan on ``id`` within one batch (id order is time order per
  batch). Until now only ``(batch_id, batch_version, sequence)`` was indexed, so a page of a long
  ledger sorted; these indexes let each filter shape read just its page:
  ``(batch_id, id)`` for the plain list, ``(batch_id, movement_type, id)`` and
  ``(batch_id, bucket, id)`` for the type and bucket filters, ``(batch_id, occurred_at)`` for a
  time range far from the end of a long ledger.
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
    "CREATE INDEX movement_batch_ledger ON movement (batch_id, id)",
    "CREATE INDEX movement_batch_type ON movement (batch_id, movement_type, id)",
    "CREATE INDEX movement_batch_bucket ON movement (batch_id, bucket, id)",
    "CREATE INDEX movement_batch_time ON movement (batch_id, occurred_at)",
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
    "DROP INDEX IF EXISTS movement_batch_time",
    "DROP INDEX IF EXISTS movement_batch_bucket",
    "DROP INDEX IF EXISTS movement_batch_type",
    "DROP INDEX IF EXISTS movement_batch_ledger",
    "ALTER TABLE audit_log DROP COLUMN IF EXISTS performed_by_name",
    "ALTER TABLE movement DROP COLUMN IF EXISTS performed_by_name",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
