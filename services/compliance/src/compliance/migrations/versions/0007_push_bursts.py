"""The writes Metrc accepted, per license by time: the sync watch counts them every few
seconds to see a burst of pushes settle (README "Pull sync", triggers).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.execute(
        "CREATE INDEX submissions_accepted ON submissions (license_number, kind, completed_at) "
        "WHERE state = 'ACCEPTED'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX submissions_accepted")
