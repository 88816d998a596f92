"""Reconciliation: its runs per license and the findings they open, with each finding's
decision (who approved or rejected it, when) and what applying its fix did (README
"Reconciliation").

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"

UPGRADE = (
    """
    CREATE TABLE reconciliation_runs (
        id uuid PRIMARY KEY,
        license_number text NOT NULL,
        actor text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        lots integer NOT NULL,
        packages integer NOT NULL,
        opened integer NOT NULL,
        updated integer NOT NULL,
        settled integer NOT NULL,
        by_class jsonb NOT NULL,
        duration_ms integer NOT NULL
    )
    """,
    "CREATE INDEX reconciliation_runs_license ON reconciliation_runs (license_number, started_at DESC)",
    """
    CREATE TABLE reconciliation_findings (
        id uuid PRIMARY KEY,
        license_number text NOT NULL,
        key text NOT NULL,
        finding_class text NOT NULL,
        state text NOT NULL,
        site_id uuid,
        batch_ids uuid[] NOT NULL,
        tags text[] NOT NULL,
        finding jsonb NOT NULL,
        opened_at timestamptz NOT NULL,
        opened_run uuid NOT NULL,
        updated_at timestamptz NOT NULL,
        last_run uuid NOT NULL,
        decided_by text,
        decided_at timestamptz,
        decision_note text,
        applied jsonb,
        error text,
        settled_at timestamptz
    )
    """,
    # One undecided finding per subject: a run that sees a difference again updates it.
    """
    CREATE UNIQUE INDEX reconciliation_findings_undecided ON reconciliation_findings
        (license_number, key) WHERE state IN ('OPEN', 'APPLYING')
    """,
    "CREATE INDEX reconciliation_findings_license ON reconciliation_findings"
    " (license_number, opened_at DESC)",
)

DOWNGRADE = ("DROP TABLE reconciliation_findings", "DROP TABLE reconciliation_runs")


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
