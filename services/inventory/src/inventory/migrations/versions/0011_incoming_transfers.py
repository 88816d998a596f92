"""Incoming transfers (Metrc manifest deliveries to a site, as compliance pulled them) and their
packages; and what a refused settlement of an outgoing transfer was (shown on the transfer).

Guarantees held by the database: one incoming transfer per (license, Metrc delivery); a package
once per transfer; statuses and states of the known sets; quantities positive, prices never
negative; an accepted package names the batch it became, a pending or rejected one none.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"

QTY = "numeric(15,4)"

UPGRADE = [
    """
    CREATE TABLE incoming_transfer (
        id                      uuid PRIMARY KEY,
        site_id                 uuid NOT NULL REFERENCES site (id),
        license_number          text NOT NULL,
        delivery_id             bigint NOT NULL,
        metrc_transfer_id       bigint NOT NULL,
        manifest_number         text,
        shipper_license_number  text,
        shipper_name            text,
        shipment_type           text,
        estimated_arrival       timestamptz,
        metrc_received_at       timestamptz,
        fingerprint             text NOT NULL,
        status                  text NOT NULL CHECK (status IN ('PENDING', 'RECEIVED')),
        received_by             text,
        received_at             timestamptz,
        version                 integer NOT NULL CHECK (version >= 1),
        created_at              timestamptz NOT NULL,
        updated_at              timestamptz NOT NULL,
        CONSTRAINT incoming_transfer_delivery_once UNIQUE (license_number, delivery_id)
    )
    """,
    "CREATE INDEX incoming_transfer_site_newest ON incoming_transfer (site_id, created_at DESC, id DESC)",
    f"""
    CREATE TABLE incoming_transfer_package (
        transfer_id              uuid NOT NULL REFERENCES incoming_transfer (id),
        position                 integer NOT NULL CHECK (position >= 0),
        package_tag              text NOT NULL,
        metrc_package_id         bigint NOT NULL,
        item_name                text,
        item_category            text,
        item_strain              text,
        shipped_quantity         {QTY} NOT NULL CHECK (shipped_quantity >= 0),
        unit                     text NOT NULL,
        wholesale_price          {QTY} CHECK (wholesale_price >= 0),
        metrc_state              text NOT NULL,
        metrc_received_quantity  {QTY},
        state                    text NOT NULL CHECK (state IN ('PENDING','ACCEPTED','REJECTED')),
        received_quantity        {QTY} CHECK (received_quantity > 0),
        batch_id                 uuid REFERENCES batch (id),
        PRIMARY KEY (transfer_id, position),
        CONSTRAINT incoming_transfer_package_once UNIQUE (transfer_id, package_tag),
        CONSTRAINT incoming_transfer_package_batch CHECK ((state = 'ACCEPTED') = (batch_id IS NOT NULL))
    )
    """,
    "ALTER TABLE outgoing_transfer ADD COLUMN settlement_problem text",
]

DOWNGRADE = [
    "ALTER TABLE outgoing_transfer DROP COLUMN IF EXISTS settlement_problem",
    "DROP TABLE IF EXISTS incoming_transfer_package",
    "DROP TABLE IF EXISTS incoming_transfer",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
