"""A sent transfer's sales settled by its manifest: the submission state SETTLED (done without a
Metrc write of ours) with how the receiver decided (``submissions.settled_by``), and each settled
manifest's package outcomes kept on its row (``transfer_manifest.outcomes``), so a sale planned
after the manifest settled is settled from them.

The open queue's partial index is rebuilt with the new meaning of "not done" (the adapters'
``NOT_DONE`` repeats it word for word, so the queue's reads keep using the index).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"

NOT_DONE = (
    "NOT (state IN ('ACCEPTED', 'SETTLED')"
    " OR (state IN ('REJECTED', 'FAILED') AND dismissed_at IS NOT NULL))"
)
OLD_NOT_DONE = (
    "NOT (state = 'ACCEPTED' OR (state IN ('REJECTED', 'FAILED') AND dismissed_at IS NOT NULL))"
)

UPGRADE = [
    "ALTER TABLE submissions ADD COLUMN settled_by jsonb",
    "ALTER TABLE transfer_manifest ADD COLUMN outcomes jsonb",
    "DROP INDEX IF EXISTS submissions_open",
    f"CREATE INDEX submissions_open ON submissions (license_number, sequence) WHERE {NOT_DONE}",
    # Reconciliation's packages gone to a receiver, without reading the whole ledger.
    "CREATE INDEX submissions_settled_sales ON submissions (license_number)"
    " WHERE kind = 'TRANSFER_OUT' AND state = 'SETTLED'",
]

DOWNGRADE = [
    "DROP INDEX IF EXISTS submissions_settled_sales",
    "DROP INDEX IF EXISTS submissions_open",
    f"CREATE INDEX submissions_open ON submissions (license_number, sequence) WHERE {OLD_NOT_DONE}",
    "ALTER TABLE transfer_manifest DROP COLUMN IF EXISTS outcomes",
    "ALTER TABLE submissions DROP COLUMN IF EXISTS settled_by",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
