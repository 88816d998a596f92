"""A batch's Metrc package: its tag (unique among a site's batches that are not closed) and its
source (opening balance, transfer, other batches, harvest), for compliance.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.execute(
        "ALTER TABLE batch ADD COLUMN package_tag text"
        " CHECK (package_tag ~ '^[0-9A-Z]{24}$'), ADD COLUMN package_source jsonb"
    )
    op.execute(
        "CREATE UNIQUE INDEX batch_package_tag_key ON batch (site_id, package_tag)"
        " WHERE package_tag IS NOT NULL AND status <> 'CLOSED'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS batch_package_tag_key")
    op.execute("ALTER TABLE batch DROP COLUMN package_source, DROP COLUMN package_tag")
