"""Plant batches, their ledger of whole plants, and tracked plants.

Guarantees held by the database: a plant batch's name is unique in its site (the guide's rule),
a plant's tag is unique in its site; counts are never negative; each ledger row's before +
change = after and ``(plant_batch_id, version, sequence)`` is unique; the ledger is never
updated, deleted or truncated (``refuse_history_change`` of 0002).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"

PLANT_MOVEMENT_TYPES = (
    "'PLANTED','SPLIT_OUT','SPLIT_IN','ADJUSTMENT','MOVE','DESTROYED','GROWTH_PHASE'"
)

UPGRADE = [
    """
    CREATE TABLE plant_batch (
        id                    uuid PRIMARY KEY,
        site_id               uuid NOT NULL REFERENCES site (id),
        name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        type                  text NOT NULL CHECK (type IN ('Seed','Clone')),
        strain                text NOT NULL,
        location_id           uuid NOT NULL REFERENCES location (id),
        planted_date          date NOT NULL,
        count                 integer NOT NULL CHECK (count >= 0),
        tracked_count         integer NOT NULL DEFAULT 0 CHECK (tracked_count >= 0),
        destroyed_count       integer NOT NULL DEFAULT 0 CHECK (destroyed_count >= 0),
        source                text NOT NULL
                              CHECK (source IN ('SEEDS','CLONES','PACKAGE','SPLIT')),
        parent_plant_batch_id uuid REFERENCES plant_batch (id),
        version               integer NOT NULL CHECK (version >= 1),
        created_at            timestamptz NOT NULL,
        updated_at            timestamptz NOT NULL,
        CONSTRAINT plant_batch_name_key UNIQUE (site_id, name)
    )
    """,
    f"""
    CREATE TABLE plant_batch_movement (
        id                bigserial PRIMARY KEY,
        plant_batch_id    uuid NOT NULL REFERENCES plant_batch (id),
        version           integer NOT NULL,
        sequence          integer NOT NULL,
        type              text NOT NULL CHECK (type IN ({PLANT_MOVEMENT_TYPES})),
        change            integer NOT NULL,
        before            integer NOT NULL CHECK (before >= 0),
        after             integer NOT NULL CHECK (after >= 0),
        location_id       uuid NOT NULL REFERENCES location (id),
        actual_date       date NOT NULL,
        reason            text,
        notes             text,
        performed_by      text NOT NULL,
        performed_by_name text,
        occurred_at       timestamptz NOT NULL,
        request_id        text,
        CONSTRAINT plant_batch_movement_adds_up CHECK (before + change = after),
        CONSTRAINT plant_batch_movement_key UNIQUE (plant_batch_id, version, sequence)
    )
    """,
    """
    CREATE TRIGGER plant_batch_movement_append_only BEFORE UPDATE OR DELETE
        ON plant_batch_movement FOR EACH ROW EXECUTE FUNCTION refuse_history_change()
    """,
    """
    CREATE TRIGGER plant_batch_movement_no_truncate BEFORE TRUNCATE
        ON plant_batch_movement FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()
    """,
    """
    CREATE TABLE plant (
        id               uuid PRIMARY KEY,
        tag              text NOT NULL CHECK (tag ~ '^[0-9A-Z]{24}$'),
        site_id          uuid NOT NULL REFERENCES site (id),
        plant_batch_id   uuid NOT NULL REFERENCES plant_batch (id),
        strain           text NOT NULL,
        location_id      uuid NOT NULL REFERENCES location (id),
        growth_phase     text NOT NULL CHECK (growth_phase IN ('Vegetative','Flowering')),
        state            text NOT NULL CHECK (state IN ('TRACKED','HARVESTED','DESTROYED')),
        planted_date     date NOT NULL,
        vegetative_date  date NOT NULL,
        flowering_date   date,
        harvested_date   date,
        harvest_id       uuid,
        harvest_count    integer NOT NULL DEFAULT 0 CHECK (harvest_count >= 0),
        version          integer NOT NULL CHECK (version >= 1),
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        CONSTRAINT plant_tag_key UNIQUE (site_id, tag)
    )
    """,
    "CREATE INDEX plant_batch_plants ON plant (plant_batch_id, tag)",
    "CREATE INDEX plant_site_phase ON plant (site_id, state, growth_phase, tag)",
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS plant",
    "DROP TABLE IF EXISTS plant_batch_movement",
    "DROP TABLE IF EXISTS plant_batch",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
