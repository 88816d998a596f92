"""The transactional outbox and the consumer inbox.

Revision ID: 0001
Revises:
"""

from alembic import op
from shared.outbox import MESSAGING_DDL

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in MESSAGING_DDL:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS inbox")
    op.execute("DROP TABLE IF EXISTS outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")
