"""An incoming transfer is kept by its license: a delivery Metrc reports for a license no site
holds yet is recorded without a site (``site_id`` NULL) instead of being dropped, and reads
resolve it to the site made with that license later (compliance publishes a delivery once per
change, never again because a site appeared).

A batch bought as a whole keeps what it cost exactly (``batch.cogs_total``, FIXED costing
only): a package received by transfer costs the shipper's price, which its four-place unit cost
times the quantity can miss (1000.00 over 3 units: 999.9999). A nullable column without a
default rewrites no rows; its check is added NOT VALID (no scan under the ACCESS EXCLUSIVE lock
the column takes) and validated after that lock is released, under SHARE UPDATE EXCLUSIVE, which
lets reads and writes of ``batch`` go on while it reads the table once. The autocommit block
commits what came before it, and the version row is written only after ``upgrade`` returns:
after a failed validation the migration runs again from its start, so each statement before
the block is one that may run twice (``IF NOT EXISTS``; the check dropped, then added again).

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"

UPGRADE = [
    "ALTER TABLE incoming_transfer ALTER COLUMN site_id DROP NOT NULL",
    # A site's listing looks up the deliveries of its license that wait for a site.
    """
    CREATE INDEX IF NOT EXISTS incoming_transfer_awaiting_site ON incoming_transfer
        (license_number) WHERE site_id IS NULL
    """,
    "ALTER TABLE batch ADD COLUMN IF NOT EXISTS cogs_total numeric(15,4)",
    "ALTER TABLE batch DROP CONSTRAINT IF EXISTS batch_cogs_total",
    """
    ALTER TABLE batch ADD CONSTRAINT batch_cogs_total
        CHECK (cogs_total IS NULL OR (cogs_total >= 0 AND cogs_mode = 'FIXED')) NOT VALID
    """,
]

# Out of the migration's transaction: inside it the ACCESS EXCLUSIVE lock of ADD COLUMN would be
# held through the scan.
VALIDATE = "ALTER TABLE batch VALIDATE CONSTRAINT batch_cogs_total"

DOWNGRADE = [
    "ALTER TABLE batch DROP COLUMN IF EXISTS cogs_total",
    "DROP INDEX IF EXISTS incoming_transfer_awaiting_site",
    # Deliveries no site holds cannot stay without a site under NOT NULL: those of a license a
    # site holds now take that site; the rest are dropped (compliance's next change of each
    # republishes it).
    """
    UPDATE incoming_transfer t SET site_id = s.id FROM site s
        WHERE t.site_id IS NULL AND s.license_number = t.license_number
    """,
    """
    DELETE FROM incoming_transfer_package WHERE transfer_id IN
        (SELECT id FROM incoming_transfer WHERE site_id IS NULL)
    """,
    "DELETE FROM incoming_transfer WHERE site_id IS NULL",
    "ALTER TABLE incoming_transfer ALTER COLUMN site_id SET NOT NULL",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)
    with op.get_context().autocommit_block():
        op.execute(VALIDATE)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
