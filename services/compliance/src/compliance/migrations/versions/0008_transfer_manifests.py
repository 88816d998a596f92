"""Outgoing transfer manifests: one row per inventory transfer, with what its Metrc template and
manifest are known to be.

Guarantees held by the database: one row per transfer, a template name used once (it carries the
transfer's id: the read-back key), a state of the known set.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"

UPGRADE = [
    """
    CREATE TABLE transfer_manifest (
        transfer_id        uuid PRIMARY KEY,
        site_id            uuid NOT NULL,
        license_number     text NOT NULL,
        template_name      text NOT NULL UNIQUE,
        state              text NOT NULL CHECK (state IN ('PENDING','CREATED','SETTLED',
                           'CANCELLED','FAILED')),
        sent               boolean NOT NULL DEFAULT false,
        cancel_requested   boolean NOT NULL DEFAULT false,
        plan               jsonb NOT NULL,
        metrc_template_id  bigint,
        metrc_transfer_id  bigint,
        manifest_number    text,
        attempts           integer NOT NULL DEFAULT 0,
        last_error         text,
        created_at         timestamptz NOT NULL,
        updated_at         timestamptz NOT NULL
    )
    """,
    # The worker's rounds: what still needs Metrc (a template to make or archive, a manifest to
    # follow).
    """
    CREATE INDEX transfer_manifest_open ON transfer_manifest (updated_at)
        WHERE state IN ('PENDING', 'CREATED')
    """,
]

DOWNGRADE = ["DROP TABLE IF EXISTS transfer_manifest"]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
