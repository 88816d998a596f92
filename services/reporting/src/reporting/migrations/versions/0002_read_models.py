"""The read models: the generation registry and generation 1, live (see
``reporting.adapters.schema`` and ``reporting.adapters.generations``).

A later change to the read-model tables needs no ALTER of live data: it is a new generation,
built by a rebuild (replaying the topics) and swapped in.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from reporting.adapters.schema import generation_ddl, registry_ddl, schema_name
from sqlalchemy import text

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in registry_ddl():
        op.execute(statement)
    for statement in generation_ddl(1):
        op.execute(statement)
    op.execute(
        text(
            "INSERT INTO read_model_generation (generation, schema_name, state, created_at,"
            " activated_at) VALUES (1, :name, 'live', now(), now())"
        ).bindparams(name=schema_name(1))
    )


def downgrade() -> None:
    connection = op.get_bind()
    names = connection.execute(
        text("SELECT schema_name FROM read_model_generation WHERE state <> 'dropped'")
    ).scalars()
    for name in list(names):
        op.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    op.execute("DROP TABLE IF EXISTS read_model_generation")
