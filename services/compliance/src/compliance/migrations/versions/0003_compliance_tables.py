"""The compliance tables: jurisdiction rules, sealed credentials, package links, the submission
ledger (and the sequence that orders it), the sync log and the notification feed (README §4).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"

NOT_DONE = (
    "NOT (state = 'ACCEPTED' OR (state IN ('REJECTED', 'FAILED') AND dismissed_at IS NOT NULL))"
)
"""A submission still in the queue (``Submission.is_done`` is false); the adapters repeat it."""

UPGRADE = (
    """
    CREATE TABLE jurisdiction_rules (
        site_id uuid PRIMARY KEY,
        state text NOT NULL,
        program text NOT NULL,
        require_metrc_id boolean NOT NULL,
        metrc_base_url text,
        license_number text,
        time_zone text NOT NULL,
        reason_map jsonb NOT NULL,
        unit_map jsonb NOT NULL,
        item_map jsonb NOT NULL,
        location_map jsonb NOT NULL,
        track_locations boolean NOT NULL,
        allow_opening_balance boolean NOT NULL,
        updated_at timestamptz,
        updated_by text
    )
    """,
    "CREATE INDEX jurisdiction_rules_license ON jurisdiction_rules (license_number)",
    """
    CREATE TABLE metrc_credentials (
        license_number text PRIMARY KEY,
        state text NOT NULL,
        vendor_key text NOT NULL,
        user_key text NOT NULL,
        vendor_key_hint text NOT NULL,
        user_key_hint text NOT NULL,
        status text NOT NULL,
        validated_at timestamptz,
        validation_message text,
        expires_at timestamptz,
        notify_emails text[] NOT NULL,
        saved_at timestamptz NOT NULL,
        saved_by text NOT NULL
    )
    """,
    """
    CREATE TABLE package_links (
        batch_id uuid PRIMARY KEY,
        site_id uuid NOT NULL,
        license_number text,
        state text NOT NULL,
        tag text,
        source jsonb,
        batch jsonb NOT NULL,
        applied_version integer NOT NULL,
        applied_sequence integer NOT NULL,
        planned_quantity numeric(15, 4),
        planned_finished boolean,
        planned_location_id text,
        metrc_package_id bigint,
        problem jsonb,
        updated_at timestamptz NOT NULL,
        CONSTRAINT package_links_tag_per_license UNIQUE (license_number, tag)
    )
    """,
    "CREATE INDEX package_links_metrc_package ON package_links (metrc_package_id)",
    "CREATE SEQUENCE submission_sequence",
    """
    CREATE TABLE submissions (
        id uuid PRIMARY KEY,
        sequence bigint NOT NULL UNIQUE,
        license_number text NOT NULL,
        site_id uuid NOT NULL,
        batch_id uuid NOT NULL,
        kind text NOT NULL,
        intent jsonb NOT NULL,
        into_batch_id uuid,
        state text NOT NULL,
        attempts integer NOT NULL,
        manual_retries integer NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        sent_as jsonb,
        last_error jsonb,
        metrc_ids bigint[] NOT NULL,
        created_at timestamptz NOT NULL,
        first_sent_at timestamptz,
        sent_at timestamptz,
        completed_at timestamptz,
        caused_by uuid,
        actor text NOT NULL,
        dismissed_by text,
        dismissed_at timestamptz
    )
    """,
    f"CREATE INDEX submissions_open ON submissions (license_number, sequence) WHERE {NOT_DONE}",
    "CREATE INDEX submissions_due ON submissions (next_attempt_at) WHERE state = 'PENDING'",
    "CREATE INDEX submissions_in_flight ON submissions (sent_at) WHERE state = 'IN_FLIGHT'",
    "CREATE INDEX submissions_batch ON submissions (batch_id, sequence)",
    "CREATE INDEX submissions_into_batch ON submissions (into_batch_id)",
    """
    CREATE TABLE sync_log (
        id uuid PRIMARY KEY,
        operation text NOT NULL,
        direction text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        actor text NOT NULL,
        license_number text,
        site_id uuid,
        objects integer NOT NULL,
        accepted integer NOT NULL,
        rejected integer NOT NULL,
        batch_ids uuid[] NOT NULL,
        submission_ids uuid[] NOT NULL,
        http_status integer,
        error_code text,
        error_message text,
        guidance text
    )
    """,
    "CREATE INDEX sync_log_license ON sync_log (license_number, started_at DESC)",
    "CREATE INDEX sync_log_site ON sync_log (site_id, started_at DESC)",
    "CREATE INDEX sync_log_status ON sync_log (status, started_at DESC)",
    "CREATE INDEX sync_log_operation ON sync_log (operation, started_at DESC)",
    """
    CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        kind text NOT NULL,
        severity text NOT NULL,
        title text NOT NULL,
        message text NOT NULL,
        guidance text NOT NULL,
        created_at timestamptz NOT NULL,
        license_number text,
        site_id uuid,
        subject text,
        dedup_key text,
        resolved_at timestamptz,
        emailed_at timestamptz
    )
    """,
    """
    CREATE UNIQUE INDEX notifications_open_dedup ON notifications (dedup_key)
        WHERE resolved_at IS NULL
    """,
    "CREATE INDEX notifications_undelivered ON notifications (created_at) WHERE emailed_at IS NULL",
    "CREATE INDEX notifications_license ON notifications (license_number, created_at DESC)",
)

TABLES = (
    "notifications",
    "sync_log",
    "submissions",
    "package_links",
    "metrc_credentials",
    "jurisdiction_rules",
)


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
    op.execute("DROP SEQUENCE IF EXISTS submission_sequence")
