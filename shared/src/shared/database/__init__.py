"""Data access for every service: the asyncpg pool, the unit of work (with the database's
Idempotency-Key store), SQL with named parameters.

SQLAlchemy and Alembic keep the schemas and the migrations (``shared.migrations``); queries run
on asyncpg, written as SQL with named parameters (:class:`Sql`) or built with SQLAlchemy Core,
one style per module.
"""

from shared.database.idempotency_keys import IDEMPOTENCY_DDL, IdempotencyKeys, StoredResponse
from shared.database.pool import Connection, Database, asyncpg_dsn
from shared.database.rows import from_row
from shared.database.sql import Sql
from shared.database.traced_connection import TracedConnection, span_attributes
from shared.database.traced_engine import trace_engine
from shared.database.unit_of_work import Transactional, UnitOfWork, in_transaction

__all__ = [
    "IDEMPOTENCY_DDL",
    "Connection",
    "Database",
    "IdempotencyKeys",
    "Sql",
    "StoredResponse",
    "TracedConnection",
    "Transactional",
    "UnitOfWork",
    "asyncpg_dsn",
    "from_row",
    "in_transaction",
    "span_attributes",
    "trace_engine",
]
