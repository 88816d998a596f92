"""The trace a submission continues: the W3C ``traceparent`` of the consumer span that recorded
it (the inventory request's trace), so the push worker's Metrc calls join that trace.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("ALTER TABLE submissions ADD COLUMN trace_parent text")


def downgrade() -> None:
    op.execute("ALTER TABLE submissions DROP COLUMN trace_parent")
