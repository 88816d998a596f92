"""Indexes for the enhanced list at a million batches, designed with EXPLAIN ANALYZE on the scale
benchmark's data (services/inventory/bench/scale_bench.py).

* Most batches are archived (CLOSED), and the default list hides them: a partial index over the
  open batches only, per site, carries every column the list filters, sorts and sums on, so
  the page (top-N by any sort column) and the summary are index-only scans over the site's open
  batches (about a third of its rows) instead of heap scans over all of them.
* Archived listings (includeArchived) use a narrow per-site index.
* ``stock_value`` (physical quantity x unit cost, the same cost as ``unit_cost``) is stored, so the summary's value total is a
  plain sum, not three additions and a multiplication per row of the filtered set.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = [
    "DROP INDEX IF EXISTS batch_site_list",
    """
    ALTER TABLE batch ADD COLUMN stock_value numeric GENERATED ALWAYS AS (
        (on_hand_qty + quarantine_qty + defective_qty)
        * COALESCE(unit_cogs, round((unit_cogs_min + unit_cogs_max) / 2, 4))) STORED
    """,
    """
    CREATE INDEX batch_open_site_list ON batch (site_id, created_at DESC, id)
        INCLUDE (status, category, vendor_id, brand_id, grade, on_hand_qty, reserved_qty,
                 quarantine_qty, hold_qty, defective_qty, available_qty, unit_cost, ticket,
                 code, sku, product_name, vendor_name, brand_name, updated_at, search_text,
                 stock_value)
        WHERE status <> 'CLOSED'
    """,
    "CREATE INDEX batch_site_all ON batch (site_id, created_at DESC, id) INCLUDE (status)",
]

DOWNGRADE = [
    "DROP INDEX IF EXISTS batch_site_all",
    "DROP INDEX IF EXISTS batch_open_site_list",
    "ALTER TABLE batch DROP COLUMN IF EXISTS stock_value",
    """
    CREATE INDEX batch_site_list ON batch (site_id, created_at DESC, id)
        INCLUDE (status, category, vendor_id, brand_id, grade, on_hand_qty, reserved_qty,
                 quarantine_qty, hold_qty, defective_qty, available_qty, unit_cost)
    """,
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
