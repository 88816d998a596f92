"""Incoming transfers: what compliance last published of each incoming manifest delivery, and the
outgoing manifest rounds' lease and pull window.

Guarantees held by the database: one row per (license, delivery); a delivery's event is staged in
the same transaction as its row changes (the adapter), so a pull that finds it as it was
publishes nothing. ``transfer_manifest.claimed_until`` lets a round talk to Metrc outside any
transaction while no other worker works the same row; ``followed_at`` is where the next look for
the manifest's row in ``/transfers/v2/outgoing`` starts.

Revision ID: 0010
Revises: 0008
"""

from alembic import op

revision = "0010"
down_revision = "0008"

UPGRADE = [
    """
    CREATE TABLE incoming_delivery (
        license_number     text NOT NULL,
        delivery_id        bigint NOT NULL,
        metrc_transfer_id  bigint NOT NULL,
        manifest_number    text,
        last_modified      timestamptz,
        fingerprint        text NOT NULL,
        snapshot           jsonb NOT NULL,
        published_at       timestamptz NOT NULL,
        PRIMARY KEY (license_number, delivery_id)
    )
    """,
    "ALTER TABLE transfer_manifest ADD COLUMN claimed_until timestamptz",
    "ALTER TABLE transfer_manifest ADD COLUMN followed_at timestamptz",
]

DOWNGRADE = [
    "ALTER TABLE transfer_manifest DROP COLUMN IF EXISTS followed_at",
    "ALTER TABLE transfer_manifest DROP COLUMN IF EXISTS claimed_until",
    "DROP TABLE IF EXISTS incoming_delivery",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
