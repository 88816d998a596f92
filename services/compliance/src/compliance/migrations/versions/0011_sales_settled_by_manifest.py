"""A sent transfer's sales settled by its manifest: the submission state SETTLED (done without a
Metrc write of ours) with how the receiver decided (``submissions.settled_by``), and each settled
manifest's package outcomes kept on its row (``transfer_manifest.outcomes``), so a sale planned
after the manifest settled is settled from them.

The open queue's partial index is rebuilt with the new meaning of "not done" (the adapters'
``NOT_DONE`` repeats it word for word, so the queue's reads keep using the index). The indexes
are built CONCURRENTLY, outside the migration's transaction: ``submissions`` takes the pushes'
writes all the time, and a plain build would hold them (ACCESS EXCLUSIVE with the DROP) until it
ends. The new index is built under another name, the old one dropped, the new one renamed; a
build that failed half-way leaves an invalid index, dropped first when the migration runs again.
The autocommit block commits the columns added before it, and the version row is written only
after ``upgrade`` returns: after a failed build the migration runs again from its start, so each
statement before the block is one that may run twice (``IF NOT EXISTS``).

Downgrade makes each SETTLED sale ACCEPTED before the column goes: the code before this revision
cannot read SETTLED, and it would hold a PENDING sale (and every later write of its batch)
waiting for a manifest that has already settled; ACCEPTED is what happened, done with nothing
left to send.

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

COLUMNS = [
    "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS settled_by jsonb",
    "ALTER TABLE transfer_manifest ADD COLUMN IF NOT EXISTS outcomes jsonb",
]
DROP_COLUMNS = [
    "ALTER TABLE transfer_manifest DROP COLUMN IF EXISTS outcomes",
    "ALTER TABLE submissions DROP COLUMN IF EXISTS settled_by",
]
SETTLED_SALES = (
    "CREATE INDEX CONCURRENTLY submissions_settled_sales ON submissions (license_number)"
    " WHERE kind = 'TRANSFER_OUT' AND state = 'SETTLED'"
)


def _open_queue_index(not_done: str) -> list[str]:
    """The open queue's index rebuilt for ``not_done`` without blocking writes."""
    return [
        "DROP INDEX CONCURRENTLY IF EXISTS submissions_open_next",
        "CREATE INDEX CONCURRENTLY submissions_open_next ON submissions"
        f" (license_number, sequence) WHERE {not_done}",
        "DROP INDEX CONCURRENTLY IF EXISTS submissions_open",
        "ALTER INDEX submissions_open_next RENAME TO submissions_open",
    ]


def upgrade() -> None:
    for statement in COLUMNS:
        op.execute(statement)
    with op.get_context().autocommit_block():
        for statement in _open_queue_index(NOT_DONE):
            op.execute(statement)
        # Reconciliation's packages gone to a receiver, without reading the whole ledger.
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS submissions_settled_sales")
        op.execute(SETTLED_SALES)


def downgrade() -> None:
    op.execute("UPDATE submissions SET state = 'ACCEPTED' WHERE state = 'SETTLED'")
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS submissions_settled_sales")
        for statement in _open_queue_index(OLD_NOT_DONE):
            op.execute(statement)
    for statement in DROP_COLUMNS:
        op.execute(statement)
