"""Harvests and their ledger of weight.

Guarantees held by the database: a harvest's name is unique in its site; its wet, waste and
packaged weights are never negative and waste + packaged never exceed wet (the current weight
is never below zero); each ledger row's before + change = after, ``(harvest_id, version,
sequence)`` is unique, and the ledger is append-only (``refuse_history_change`` of 0002).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"

QTY = "numeric(15,4)"

UPGRADE = [
    f"""
    CREATE TABLE harvest (
        id                 uuid PRIMARY KEY,
        site_id            uuid NOT NULL REFERENCES site (id),
        name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        drying_location_id uuid NOT NULL REFERENCES location (id),
        unit_of_weight     text NOT NULL
                           CHECK (unit_of_weight IN ('Grams','Kilograms','Ounces','Pounds')),
        harvest_date       date NOT NULL,
        wet_weight         {QTY} NOT NULL CHECK (wet_weight > 0),
        waste_weight       {QTY} NOT NULL DEFAULT 0 CHECK (waste_weight >= 0),
        packaged_weight    {QTY} NOT NULL DEFAULT 0 CHECK (packaged_weight >= 0),
        plant_count        integer NOT NULL CHECK (plant_count >= 1),
        strains            text[] NOT NULL,
        status             text NOT NULL CHECK (status IN ('ACTIVE','FINISHED')),
        finished_date      date,
        version            integer NOT NULL CHECK (version >= 1),
        created_at         timestamptz NOT NULL,
        updated_at         timestamptz NOT NULL,
        CONSTRAINT harvest_name_key UNIQUE (site_id, name),
        CONSTRAINT harvest_weight_left CHECK (waste_weight + packaged_weight <= wet_weight)
    )
    """,
    "CREATE INDEX harvest_site_newest ON harvest (site_id, created_at DESC, id DESC)",
    f"""
    CREATE TABLE harvest_movement (
        id                bigserial PRIMARY KEY,
        harvest_id        uuid NOT NULL REFERENCES harvest (id),
        version           integer NOT NULL,
        sequence          integer NOT NULL,
        type              text NOT NULL CHECK (type IN ('HARVESTED','WASTE','PACKAGED')),
        change            {QTY} NOT NULL,
        before            {QTY} NOT NULL CHECK (before >= 0),
        after             {QTY} NOT NULL CHECK (after >= 0),
        actual_date       date NOT NULL,
        plant_id          uuid REFERENCES plant (id),
        batch_id          uuid REFERENCES batch (id),
        waste_type        text,
        performed_by      text NOT NULL,
        performed_by_name text,
        occurred_at       timestamptz NOT NULL,
        request_id        text,
        CONSTRAINT harvest_movement_adds_up CHECK (before + change = after),
        CONSTRAINT harvest_movement_key UNIQUE (harvest_id, version, sequence)
    )
    """,
    """
    CREATE TRIGGER harvest_movement_append_only BEFORE UPDATE OR DELETE
        ON harvest_movement FOR EACH ROW EXECUTE FUNCTION refuse_history_change()
    """,
    """
    CREATE TRIGGER harvest_movement_no_truncate BEFORE TRUNCATE
        ON harvest_movement FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()
    """,
    "ALTER TABLE plant ADD CONSTRAINT plant_harvest_fk FOREIGN KEY (harvest_id) REFERENCES harvest (id)",
]

DOWNGRADE = [
    "ALTER TABLE plant DROP CONSTRAINT IF EXISTS plant_harvest_fk",
    "DROP TABLE IF EXISTS harvest_movement",
    "DROP TABLE IF EXISTS harvest",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
