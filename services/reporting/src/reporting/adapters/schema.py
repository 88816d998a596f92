"""The read-model tables (SQLAlchemy Core), one set per *generation*.

Each generation lives in its own PostgreSQL schema, ``read_model_<n>``, with every table below;
``public.read_model_generation`` says which generation is live. The SQL of the adapters names
tables without a schema: a transaction first sets its ``search_path`` to the generation it works
on (:mod:`reporting.adapters.generations`), so the same statements serve the live generation and
one being rebuilt, and a swap is one row update, invisible to readers mid-transaction.

Sizes are for 1,000,000 batches: ``batch_view`` and ``movement`` grow with batches and ledger
rows; every aggregate is small (``dashboard_total``: sites x (statuses + categories +
subcategories); ``aging_day``: sites x days of receipts; ``profit_category``: sites x
categories), which is what keeps the reports fast. Quantities are NUMERIC(15,4) as inventory
stores them; sums and money are unconstrained NUMERIC, exact.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

__all__ = [
    "GENERATION_PREFIX",
    "aging_day",
    "batch_view",
    "compliance_finding",
    "compliance_link",
    "compliance_push",
    "compliance_sync",
    "dashboard_total",
    "generation_ddl",
    "generation_registry",
    "license_finding_count",
    "license_link_count",
    "movement",
    "profit_category",
    "read_models",
    "registry_ddl",
    "schema_name",
    "table_ddl",
    "topic_position",
]

GENERATION_PREFIX: Final = "read_model_"

read_models = MetaData()
"""The tables of one generation (no schema: see :func:`generation_ddl`)."""


def _quantity(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, Numeric(15, 4), nullable=nullable)


def _sum(name: str) -> Column[object]:
    return Column(name, Numeric(), nullable=False)


def _time(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


batch_view = Table(
    "batch_view",
    read_models,
    Column("batch_id", Uuid, primary_key=True),
    Column("site_id", Uuid, nullable=False),
    Column("license_number", Text, nullable=False),
    Column("code", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("product_id", Uuid, nullable=False),
    Column("product_name", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("subcategory", Text),
    Column("status", Text, nullable=False),
    _quantity("on_hand"),
    _quantity("reserved"),
    _quantity("quarantine"),
    _quantity("hold"),
    _quantity("defective"),
    Column("cogs_mode", Text, nullable=False),
    _quantity("unit_cogs", nullable=True),
    _quantity("unit_cogs_min", nullable=True),
    _quantity("unit_cogs_max", nullable=True),
    _quantity("ticket", nullable=True),
    # The domain's unit cost and aging membership, stored so that aging's index can hold them.
    _quantity("unit_cost"),
    Column("aging_member", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("next_sequence", Integer, nullable=False),
    _time("created_at"),
    _time("updated_at"),
    _time("deleted_at", nullable=True),
    _time("last_event_at"),
    _sum("units_sold"),
    _sum("units_returned"),
    _sum("revenue"),
    _sum("cogs"),
    _sum("unpriced_units"),
    # Room on every page for a row's next version: most updates then change no indexed column
    # and are HOT (no index entry written), which is most of a consumer's writes.
    postgresql_with={"fillfactor": 80},
)
# Aging's straddling days (a range of receipt times per site) and its oldest members (the
# first rows per site), over aging members only. Nothing that changes often is in it
# (quantities are read from the table), so it does not stop updates from being HOT.
Index(
    "batch_view_aging",
    batch_view.c.site_id,
    batch_view.c.created_at,
    batch_view.c.batch_id,
    postgresql_where=batch_view.c.aging_member,
)

movement = Table(
    "movement",
    read_models,
    Column("batch_id", Uuid, primary_key=True),
    Column("batch_version", Integer, primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("bucket", Text, nullable=False),
    Column("movement_type", Text, nullable=False),
    _quantity("quantity_change"),
    _quantity("quantity_before"),
    _quantity("quantity_after"),
    Column("reason", Text),
    Column("notes", Text),
    Column("reference_type", Text),
    Column("reference_id", Text),
    Column("location_id", Uuid),
    Column("location_label", Text),
    Column("actor", Text, nullable=False),
    _time("occurred_at"),
)

dashboard_total = Table(
    "dashboard_total",
    read_models,
    Column("site_id", Uuid, primary_key=True),
    Column("dimension", Text, primary_key=True),
    Column("name", Text, primary_key=True),
    Column("batches", BigInteger, nullable=False),
    _sum("units"),
    _sum("value"),
)

aging_day = Table(
    "aging_day",
    read_models,
    Column("site_id", Uuid, primary_key=True),
    Column("intake_day", Date, primary_key=True),
    Column("batches", BigInteger, nullable=False),
    _sum("units"),
    _sum("value"),
)

profit_category = Table(
    "profit_category",
    read_models,
    Column("site_id", Uuid, primary_key=True),
    Column("category", Text, primary_key=True),
    Column("batches_with_sales", BigInteger, nullable=False),
    _sum("units_sold"),
    _sum("units_returned"),
    _sum("revenue"),
    _sum("cogs"),
    _sum("unpriced_units"),
)

topic_position = Table(
    "topic_position",
    read_models,
    Column("topic", Text, primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("last_offset", BigInteger, nullable=False, server_default=text("-1")),
    _time("last_event_at", nullable=True),
    _time("applied_at", nullable=True),
    Column("high_watermark", BigInteger),
    _time("watermark_at", nullable=True),
)

compliance_link = Table(
    "compliance_link",
    read_models,
    Column("batch_id", Uuid, primary_key=True),
    Column("site_id", Uuid, nullable=False),
    Column("license_number", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    _time("occurred_at"),
)

compliance_push = Table(
    "compliance_push",
    read_models,
    Column("submission_id", Uuid, primary_key=True),
    Column("batch_id", Uuid, nullable=False),
    Column("site_id", Uuid, nullable=False),
    Column("license_number", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    _time("occurred_at"),
)

compliance_finding = Table(
    "compliance_finding",
    read_models,
    Column("finding_id", Uuid, primary_key=True),
    Column("site_id", Uuid, nullable=False),
    Column("license_number", Text, nullable=False),
    Column("finding_class", Text, nullable=False),
    Column("open", Boolean, nullable=False),
    Column("version", BigInteger, nullable=False),
    _time("occurred_at"),
)

compliance_sync = Table(
    "compliance_sync",
    read_models,
    Column("site_id", Uuid, primary_key=True),
    Column("license_number", Text, primary_key=True),
    Column("sync_id", Uuid, nullable=False),
    Column("direction", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    _time("finished_at"),
)

license_link_count = Table(
    "license_link_count",
    read_models,
    Column("site_id", Uuid, primary_key=True),
    Column("license_number", Text, primary_key=True),
    Column("linked", BigInteger, nullable=False),
    Column("pending", BigInteger, nullable=False),
    Column("failed", BigInteger, nullable=False),
)

license_finding_count = Table(
    "license_finding_count",
    read_models,
    Column("site_id", Uuid, primary_key=True),
    Column("license_number", Text, primary_key=True),
    Column("finding_class", Text, primary_key=True),
    Column("open_count", BigInteger, nullable=False),
)

registry = MetaData()

generation_registry = Table(
    "read_model_generation",
    registry,
    Column("generation", Integer, primary_key=True),
    Column("schema_name", Text, nullable=False, unique=True),
    Column("state", Text, nullable=False),
    _time("created_at"),
    _time("activated_at", nullable=True),
    _time("retired_at", nullable=True),
    CheckConstraint("state IN ('building', 'live', 'retired', 'dropped')", name="generation_state"),
)
# At most one live generation, whatever happens.
Index(
    "one_live_generation",
    generation_registry.c.state,
    unique=True,
    postgresql_where=generation_registry.c.state == "live",
)

_DIALECT: Final = postgresql.dialect()  # type: ignore[no-untyped-call]


def schema_name(generation: int) -> str:
    return f"{GENERATION_PREFIX}{generation}"


def _ddl(metadata: MetaData) -> list[str]:
    statements = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=_DIALECT)))
        statements += [str(CreateIndex(index).compile(dialect=_DIALECT)) for index in table.indexes]
    return statements


def generation_ddl(generation: int) -> list[str]:
    """The statements that create generation ``generation``'s schema and empty tables."""
    target = MetaData()
    for table in read_models.sorted_tables:
        table.to_metadata(target, schema=schema_name(generation))
    return [f"CREATE SCHEMA {schema_name(generation)}", *_ddl(target)]


def table_ddl(table_name: str, generation: int) -> list[str]:
    """The statements that add one read-model table (and its indexes) to an existing
    generation, if it is not there (for migrations that add a table)."""
    target = MetaData()
    table = read_models.tables[table_name].to_metadata(target, schema=schema_name(generation))
    return [
        str(CreateTable(table, if_not_exists=True).compile(dialect=_DIALECT)),
        *(str(CreateIndex(i, if_not_exists=True).compile(dialect=_DIALECT)) for i in table.indexes),
    ]


def registry_ddl() -> list[str]:
    """The statements that create ``public.read_model_generation``."""
    return _ddl(registry)
