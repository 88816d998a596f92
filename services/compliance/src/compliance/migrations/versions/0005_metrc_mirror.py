"""The Metrc mirror (what a pull read from Metrc, per license), the pull checkpoints a killed
pull resumes from, the last successful pull per feed, and the sync runs users and the schedule
request, and the Metrc GET budget each worker measured per license (README "Pull sync").

Revision ID: 0005
Revises: 0003 (0004 is left to the push work; the lead renumbers when both land)
"""

from alembic import op

revision = "0005"
down_revision = "0003"

UPGRADE = (
    """
    CREATE TABLE metrc_mirror (
        license_number text NOT NULL,
        sync_type text NOT NULL,
        key text NOT NULL,
        status text NOT NULL,
        metrc_id bigint,
        label text,
        last_modified timestamptz,
        quantity numeric,
        unit text,
        item text,
        data jsonb NOT NULL,
        pulled_at timestamptz NOT NULL,
        run_id text NOT NULL,
        PRIMARY KEY (license_number, sync_type, key)
    )
    """,
    "CREATE INDEX metrc_mirror_label ON metrc_mirror (license_number, label)",
    """
    CREATE TABLE metrc_pull_cursors (
        license_number text NOT NULL,
        feed text NOT NULL,
        run_id text NOT NULL,
        as_of timestamptz NOT NULL,
        since timestamptz,
        window_index integer NOT NULL,
        total_pages integer,
        total_records integer,
        pages_done integer[] NOT NULL,
        rereads integer NOT NULL,
        started_at timestamptz,
        PRIMARY KEY (license_number, feed)
    )
    """,
    """
    CREATE TABLE metrc_pull_state (
        license_number text NOT NULL,
        feed text NOT NULL,
        last_success_at timestamptz,
        last_finished_at timestamptz,
        last_failed_at timestamptz,
        last_error_code text,
        last_error_message text,
        failures jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (license_number, feed)
    )
    """,
    """
    CREATE TABLE metrc_sync_runs (
        id uuid PRIMARY KEY,
        license_number text NOT NULL,
        site_id uuid,
        sync_types text[] NOT NULL,
        trigger text NOT NULL,
        state text NOT NULL,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz,
        heartbeat_at timestamptz,
        progress jsonb NOT NULL DEFAULT '{}'::jsonb,
        report jsonb
    )
    """,
    "CREATE INDEX metrc_sync_runs_open ON metrc_sync_runs (license_number) "
    "WHERE state IN ('QUEUED', 'RUNNING')",
    "CREATE INDEX metrc_sync_runs_recent ON metrc_sync_runs (license_number, requested_at DESC)",
    """
    CREATE TABLE metrc_get_budget (
        license_number text PRIMARY KEY,
        measured_at timestamptz NOT NULL,
        used_last_minute integer NOT NULL,
        allowed_per_minute integer NOT NULL,
        rate_limited_last_minute integer NOT NULL,
        in_flight integer NOT NULL
    )
    """,
)

DOWNGRADE = (
    "DROP TABLE metrc_get_budget",
    "DROP TABLE metrc_sync_runs",
    "DROP TABLE metrc_pull_state",
    "DROP TABLE metrc_pull_cursors",
    "DROP TABLE metrc_mirror",
)


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
