"""Available stock is on-hand less its earmarks: quarantine is a bucket of its own.

With partial quarantine a LIVE batch can hold stock in quarantine next to its on-hand; that
stock has left on-hand already, so ``available_qty`` must not subtract it a second time (see
``inventory.domain.buckets``). PostgreSQL 15 cannot change a generated column's expression, so
the column is dropped and added again (a table rewrite), and the list index that carries it is
built again as 0003 built it.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OPEN_SITE_LIST = """
    CREATE INDEX batch_open_site_list ON batch (site_id, created_at DESC, id)
        INCLUDE (status, category, vendor_id, brand_id, grade, on_hand_qty, reserved_qty,
                 quarantine_qty, hold_qty, defective_qty, available_qty, unit_cost, ticket,
                 code, sku, product_name, vendor_name, brand_name, updated_at, search_text,
                 stock_value)
        WHERE status <> 'CLOSED'
"""


def _available(expression: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS batch_open_site_list",
        "ALTER TABLE batch DROP COLUMN available_qty",
        f"ALTER TABLE batch ADD COLUMN available_qty numeric(15,4) GENERATED ALWAYS AS ({expression}) STORED",
        _OPEN_SITE_LIST,
    ]


def upgrade() -> None:
    for statement in _available("GREATEST(on_hand_qty - reserved_qty - hold_qty, 0)"):
        op.execute(statement)


def downgrade() -> None:
    for statement in _available(
        "GREATEST(on_hand_qty - reserved_qty - quarantine_qty - hold_qty, 0)"
    ):
        op.execute(statement)
