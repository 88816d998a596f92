"""Batches made from other batches: the ledger accepts the ``CONSUMPTION`` movement (stock of a
source batch drawn into the new batch).

The check is replaced rather than altered (PostgreSQL cannot alter a CHECK): added NOT VALID
and then validated, so the table is scanned under a lock that lets writers go on.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"

_BEFORE = (
    "'INTAKE','SALE','RETURN','REFUND_RETURN','ADJUSTMENT','QUARANTINE',"
    "'RELEASE_FROM_QUARANTINE','DISPOSAL','TRANSFER','SAMPLE','RESERVE','RELEASE_RESERVATION',"
    "'HOLD','RELEASE_HOLD','DEFECTIVE','CORRECTION'"
)
_AFTER = _BEFORE + ",'CONSUMPTION'"
_CHECK = "movement_movement_type_check"


def _replace_check(types: str) -> None:
    op.execute(
        f"ALTER TABLE movement DROP CONSTRAINT {_CHECK},"
        f" ADD CONSTRAINT {_CHECK} CHECK (movement_type IN ({types})) NOT VALID"
    )
    op.execute(f"ALTER TABLE movement VALIDATE CONSTRAINT {_CHECK}")


def upgrade() -> None:
    _replace_check(_AFTER)


def downgrade() -> None:
    _replace_check(_BEFORE)
