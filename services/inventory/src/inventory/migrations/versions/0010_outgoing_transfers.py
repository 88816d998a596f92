"""Outgoing transfers and their package lines.

Guarantees held by the database: a transfer's status and each line's state are of the known
sets; a batch is on a transfer once; each line's quantity is positive and its received quantity
never negative; the estimated arrival is after the departure. The stock itself moves in the batch
ledger (RESERVE, SALE, RELEASE_RESERVATION, RETURN referencing ``TRANSFER <id>``).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"

QTY = "numeric(15,4)"

UPGRADE = [
    """
    CREATE TABLE outgoing_transfer (
        id                                 uuid PRIMARY KEY,
        site_id                            uuid NOT NULL REFERENCES site (id),
        status                             text NOT NULL CHECK (status IN ('CREATED','SENT',
                                           'ACCEPTED','PARTIALLY_ACCEPTED','REJECTED','CANCELLED')),
        destination_license_number         text NOT NULL,
        destination_name                   text NOT NULL,
        transfer_type                      text NOT NULL,
        planned_route                      text NOT NULL,
        transporter_license_number         text NOT NULL,
        transporter_name                   text,
        driver_name                        text NOT NULL,
        driver_occupational_license_number text NOT NULL,
        driver_license_number              text NOT NULL,
        vehicle_make                       text NOT NULL,
        vehicle_model                      text NOT NULL,
        vehicle_license_plate              text NOT NULL,
        phone_number                       text,
        estimated_departure                timestamptz NOT NULL,
        estimated_arrival                  timestamptz NOT NULL,
        manifest_number                    text,
        version                            integer NOT NULL CHECK (version >= 1),
        created_by                         text NOT NULL,
        created_at                         timestamptz NOT NULL,
        updated_at                         timestamptz NOT NULL,
        CONSTRAINT outgoing_transfer_arrives_after CHECK (estimated_arrival > estimated_departure)
    )
    """,
    "CREATE INDEX outgoing_transfer_site_newest ON outgoing_transfer (site_id, created_at DESC, id DESC)",
    f"""
    CREATE TABLE outgoing_transfer_line (
        transfer_id       uuid NOT NULL REFERENCES outgoing_transfer (id),
        position          integer NOT NULL CHECK (position >= 0),
        batch_id          uuid NOT NULL REFERENCES batch (id),
        batch_code        text NOT NULL,
        package_tag       text NOT NULL CHECK (length(package_tag) = 24),
        product_name      text NOT NULL,
        quantity          {QTY} NOT NULL CHECK (quantity > 0),
        unit              text NOT NULL,
        wholesale_price   {QTY} CHECK (wholesale_price >= 0),
        state             text NOT NULL CHECK (state IN ('RESERVED','SHIPPED','ACCEPTED',
                          'REJECTED','RELEASED')),
        received_quantity {QTY} CHECK (received_quantity >= 0),
        PRIMARY KEY (transfer_id, position),
        CONSTRAINT outgoing_transfer_line_batch_once UNIQUE (transfer_id, batch_id)
    )
    """,
    "CREATE INDEX outgoing_transfer_line_batch ON outgoing_transfer_line (batch_id)",
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS outgoing_transfer_line",
    "DROP TABLE IF EXISTS outgoing_transfer",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
