"""When an outgoing transfer manifest's current wait began (its packages not all in Metrc, Metrc
not answering its rounds, its license's keys unusable): the manifest rounds raise a
``TRANSFER_STALLED`` notification once it has waited ``COMPLIANCE_TRANSFER_STALL_SECONDS``.
A nullable column without a default: adding it rewrites nothing and locks the table only for
the catalog change.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.execute("ALTER TABLE transfer_manifest ADD COLUMN waiting_since timestamptz")


def downgrade() -> None:
    op.execute("ALTER TABLE transfer_manifest DROP COLUMN IF EXISTS waiting_since")
