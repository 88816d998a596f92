"""Compliance status from the events compliance publishes: each push (submission) to Metrc
and its state, in every generation of the read models that exists (new generations get the
table from ``reporting.adapters.schema``).

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from reporting.adapters.schema import table_ddl
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_KEPT = "SELECT generation, schema_name FROM read_model_generation WHERE state <> 'dropped'"


def upgrade() -> None:
    for generation, _ in op.get_bind().execute(text(_KEPT)).all():
        for statement in table_ddl("compliance_push", generation):
            op.execute(statement)


def downgrade() -> None:
    for _, name in op.get_bind().execute(text(_KEPT)).all():
        quoted = '"' + str(name).replace('"', '""') + '"'
        op.execute(f"DROP TABLE IF EXISTS {quoted}.compliance_push")
