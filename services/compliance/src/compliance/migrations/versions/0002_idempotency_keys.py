"""The Idempotency-Key store of the HTTP API (``shared.http``).

Revision ID: 0002
Revises: 0001
"""

from shared.migrations import create_idempotency_table, drop_idempotency_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    drop_idempotency_table()
