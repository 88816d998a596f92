"""The inventory schema: reference data, batches and their buckets, per-location quantities,
reservations, the append-only movement ledger, the audit log, saved views and idempotency keys.

Guarantees held by the database itself, not only by the code:

* no bucket is negative and reserved + hold never exceeds on-hand (CHECK constraints);
* the quantities at a batch's locations add up to its physical quantity (on-hand + quarantine +
  defective) at every commit (deferred constraint triggers on both tables);
* movements and audit rows are never updated, deleted or truncated (triggers refuse it), and
  each movement's before + change = after; ``(batch_id, batch_version, sequence)`` is unique.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from shared.database import IDEMPOTENCY_DDL

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUSES = (
    "'AWAITING_INTAKE','LIVE','PHOTOGRAPHY_COMPLETE','ON_HOLD','QUARANTINED','SOLD_OUT','CLOSED'"
)
BUCKETS = "'ON_HAND','RESERVED','QUARANTINE','HOLD','DEFECTIVE'"
MOVEMENT_TYPES = (
    "'INTAKE','SALE','RETURN','REFUND_RETURN','ADJUSTMENT','QUARANTINE',"
    "'RELEASE_FROM_QUARANTINE','DISPOSAL','TRANSFER','SAMPLE','RESERVE','RELEASE_RESERVATION',"
    "'HOLD','RELEASE_HOLD','DEFECTIVE','CORRECTION'"
)
REASONS = "'DAMAGED','EXPIRED','LOST','THEFT','COUNT_DISCREPANCY','QUALITY_ISSUE','REWEIGH','OTHER'"
PAYMENT_TERMS = "'COD','NET_7','NET_15','NET_30','CONSIGNMENT','PARTIAL'"
QTY = "numeric(15,4)"

UPGRADE = [
    # Trigram indexes make "contains" search over SKU, code and product name indexable.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE TABLE site (
        id             uuid PRIMARY KEY,
        name           text NOT NULL,
        license_number text NOT NULL UNIQUE,
        state          char(2) NOT NULL CHECK (state ~ '^[A-Z]{2}$'),
        created_at     timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE location (
        id         uuid PRIMARY KEY,
        site_id    uuid NOT NULL REFERENCES site (id),
        zone       text NOT NULL,
        rack       text,
        shelf      text,
        bin        text,
        label      text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT location_place_unique UNIQUE NULLS NOT DISTINCT (site_id, zone, rack, shelf, bin)
    )
    """,
    """
    CREATE TABLE vendor (
        id             uuid PRIMARY KEY,
        name           text NOT NULL,
        is_seller      boolean NOT NULL DEFAULT true,
        license_number text,
        created_at     timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE UNIQUE INDEX vendor_name_unique ON vendor (lower(name))",
    """
    CREATE TABLE brand (
        id         uuid PRIMARY KEY,
        name       text NOT NULL,
        vendor_id  uuid REFERENCES vendor (id),
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE UNIQUE INDEX brand_name_unique ON brand (lower(name))",
    """
    CREATE TABLE product (
        id              uuid PRIMARY KEY,
        name            text NOT NULL,
        category        text NOT NULL,
        subcategory     text,
        strain          text,
        brand_id        uuid NOT NULL REFERENCES brand (id),
        unit_of_measure text NOT NULL,
        sku             text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (lower(category) <> 'flower' OR strain IS NOT NULL)
    )
    """,
    "CREATE UNIQUE INDEX product_name_unique ON product (brand_id, lower(name))",
    """
    CREATE TABLE lot (
        id         uuid PRIMARY KEY,
        vendor_id  uuid NOT NULL REFERENCES vendor (id),
        code       text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (vendor_id, code)
    )
    """,
    f"""
    CREATE TABLE batch (
        id                  uuid PRIMARY KEY,
        code                text NOT NULL UNIQUE,
        sku                 text NOT NULL,
        site_id             uuid NOT NULL REFERENCES site (id),
        product_id          uuid NOT NULL REFERENCES product (id),
        lot_id              uuid NOT NULL REFERENCES lot (id),
        vendor_id           uuid NOT NULL REFERENCES vendor (id),
        brand_id            uuid NOT NULL REFERENCES brand (id),
        -- Copies of the product's, vendor's and brand's names, so that the list filters, sorts
        -- and searches one table. Nothing renames them today; a rename must update these rows
        -- in the same transaction.
        product_name        text NOT NULL,
        category            text NOT NULL,
        subcategory         text,
        strain              text,
        vendor_name         text NOT NULL,
        brand_name          text NOT NULL,
        lot_code            text NOT NULL,
        unit_of_measure     text NOT NULL,
        status              text NOT NULL CHECK (status IN ({STATUSES})),
        grade               text CHECK (length(grade) <= 20),
        is_sample           boolean NOT NULL DEFAULT false,
        on_hand_qty         {QTY} NOT NULL DEFAULT 0 CHECK (on_hand_qty >= 0),
        reserved_qty        {QTY} NOT NULL DEFAULT 0 CHECK (reserved_qty >= 0),
        quarantine_qty      {QTY} NOT NULL DEFAULT 0 CHECK (quarantine_qty >= 0),
        hold_qty            {QTY} NOT NULL DEFAULT 0 CHECK (hold_qty >= 0),
        defective_qty       {QTY} NOT NULL DEFAULT 0 CHECK (defective_qty >= 0),
        available_qty       {QTY} GENERATED ALWAYS AS (
            GREATEST(on_hand_qty - reserved_qty - quarantine_qty - hold_qty, 0)) STORED,
        cogs_mode           text NOT NULL CHECK (cogs_mode IN ('FIXED', 'RANGE')),
        unit_cogs           {QTY} CHECK (unit_cogs >= 0),
        unit_cogs_min       {QTY} CHECK (unit_cogs_min >= 0),
        unit_cogs_max       {QTY},
        -- What one unit is worth for valuation: the fixed cost, or a range's midpoint.
        unit_cost           {QTY} GENERATED ALWAYS AS (
            COALESCE(unit_cogs, round((unit_cogs_min + unit_cogs_max) / 2, 4))) STORED,
        payment_terms       text NOT NULL CHECK (payment_terms IN ({PAYMENT_TERMS})),
        ticket              {QTY} CHECK (ticket >= 0),
        notes               text,
        metadata            jsonb NOT NULL DEFAULT '{{}}'::jsonb,
        primary_location_id uuid NOT NULL REFERENCES location (id),
        version             integer NOT NULL CHECK (version >= 1),
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        deleted_at          timestamptz,
        search_text         text GENERATED ALWAYS AS (
            lower(code || ' ' || sku || ' ' || product_name)) STORED,
        CONSTRAINT batch_earmarks_within_on_hand CHECK (reserved_qty + hold_qty <= on_hand_qty),
        CONSTRAINT batch_costing CHECK (
            (cogs_mode = 'FIXED' AND unit_cogs IS NOT NULL
                AND unit_cogs_min IS NULL AND unit_cogs_max IS NULL)
            OR (cogs_mode = 'RANGE' AND unit_cogs IS NULL AND unit_cogs_min < unit_cogs_max)),
        CONSTRAINT batch_deleted_is_closed CHECK (deleted_at IS NULL OR status = 'CLOSED'),
        CONSTRAINT batch_times CHECK (created_at <= updated_at)
    )
    """,
    # The enhanced list and its summary: the site is always in the filter (site grants), and
    # the summary needs every bucket of the filtered set, so this index answers both the default
    # sort (newest first) and the aggregates with index-only scans.
    """
    CREATE INDEX batch_site_list ON batch (site_id, created_at DESC, id)
        INCLUDE (status, category, vendor_id, brand_id, grade, on_hand_qty, reserved_qty,
                 quarantine_qty, hold_qty, defective_qty, available_qty, unit_cost)
    """,
    "CREATE INDEX batch_search ON batch USING gin (search_text gin_trgm_ops)",
    # Available batches of a product, FIFO: only sellable batches.
    """
    CREATE INDEX batch_product_fifo ON batch (product_id, created_at, id)
        WHERE status IN ('LIVE', 'PHOTOGRAPHY_COMPLETE')
    """,
    f"""
    CREATE TABLE batch_location (
        batch_id    uuid NOT NULL REFERENCES batch (id),
        location_id uuid NOT NULL REFERENCES location (id),
        qty         {QTY} NOT NULL CHECK (qty > 0),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (batch_id, location_id)
    )
    """,
    "CREATE INDEX batch_location_by_location ON batch_location (location_id, batch_id)",
    f"""
    CREATE TABLE reservation (
        batch_id       uuid NOT NULL REFERENCES batch (id),
        reference_type text NOT NULL,
        reference_id   text NOT NULL,
        qty            {QTY} NOT NULL CHECK (qty > 0),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (batch_id, reference_type, reference_id)
    )
    """,
    f"""
    CREATE TABLE movement (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        batch_id          uuid NOT NULL REFERENCES batch (id) ON DELETE RESTRICT,
        batch_version     integer NOT NULL CHECK (batch_version >= 1),
        sequence          integer NOT NULL CHECK (sequence >= 0),
        bucket            text NOT NULL CHECK (bucket IN ({BUCKETS})),
        movement_type     text NOT NULL CHECK (movement_type IN ({MOVEMENT_TYPES})),
        quantity_change   {QTY} NOT NULL CHECK (quantity_change <> 0),
        quantity_before   {QTY} NOT NULL CHECK (quantity_before >= 0),
        quantity_after    {QTY} NOT NULL CHECK (quantity_after >= 0),
        location_id       uuid REFERENCES location (id),
        adjustment_reason text CHECK (adjustment_reason IN ({REASONS})),
        notes             text,
        reference_type    text,
        reference_id      text,
        performed_by      text NOT NULL,
        occurred_at       timestamptz NOT NULL,
        recorded_at       timestamptz NOT NULL DEFAULT now(),
        request_id        text,
        CONSTRAINT movement_chain CHECK (quantity_before + quantity_change = quantity_after),
        CONSTRAINT movement_position UNIQUE (batch_id, batch_version, sequence)
    )
    """,
    """
    CREATE TABLE audit_log (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        entity_type  text NOT NULL,
        entity_id    text NOT NULL,
        action       text NOT NULL,
        performed_by text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        reason       text,
        version      integer,
        changes      jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_id   text
    )
    """,
    "CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id DESC)",
    """
    CREATE TABLE saved_view (
        id         uuid PRIMARY KEY,
        owner_id   text NOT NULL,
        name       text NOT NULL,
        filters    jsonb NOT NULL,
        is_shared  boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
    )
    """,
    """
    CREATE UNIQUE INDEX saved_view_name_unique ON saved_view (owner_id, lower(name))
        WHERE deleted_at IS NULL
    """,
    "CREATE INDEX saved_view_shared ON saved_view (created_at) WHERE is_shared AND deleted_at IS NULL",
    # The Idempotency-Key store of shared.http (the same table in every service's database).
    *IDEMPOTENCY_DDL,
    # Append-only tables: a mistake is corrected by a compensating row, never by editing history.
    """
    CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'restrict_violation';
    END $$
    """,
    """
    CREATE TRIGGER movement_append_only BEFORE UPDATE OR DELETE ON movement
        FOR EACH ROW EXECUTE FUNCTION refuse_history_change()
    """,
    """
    CREATE TRIGGER movement_no_truncate BEFORE TRUNCATE ON movement
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION refuse_history_change()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()
    """,
    # Checked at commit (deferred), because a transfer or an adjustment changes the batch row and
    # its location rows in separate statements that only balance once all have run.
    """
    CREATE FUNCTION check_batch_location_total() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        target   uuid;
        physical numeric;
        located  numeric;
    BEGIN
        IF TG_TABLE_NAME = 'batch' THEN
            target := NEW.id;
        ELSIF TG_OP = 'DELETE' THEN
            target := OLD.batch_id;
        ELSE
            target := NEW.batch_id;
        END IF;
        SELECT on_hand_qty + quarantine_qty + defective_qty INTO physical
            FROM batch WHERE id = target;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
        SELECT COALESCE(sum(qty), 0) INTO located FROM batch_location WHERE batch_id = target;
        IF located <> physical THEN
            RAISE EXCEPTION 'batch % holds % at its locations but % physically',
                target, located, physical USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER batch_location_total
        AFTER INSERT OR UPDATE OR DELETE ON batch_location
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION check_batch_location_total()
    """,
    """
    CREATE CONSTRAINT TRIGGER batch_physical_total
        AFTER INSERT OR UPDATE OF on_hand_qty, quarantine_qty, defective_qty ON batch
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION check_batch_location_total()
    """,
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS idempotency_key, saved_view, audit_log, movement, reservation,"
    " batch_location, batch, lot, product, brand, vendor, location, site",
    "DROP FUNCTION IF EXISTS check_batch_location_total()",
    "DROP FUNCTION IF EXISTS refuse_history_change()",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
