"""Data access for every service: the asyncpg pool, the unit of work, SQL with named parameters.

SQLAlchemy and Alembic keep the schemas and the migrations (``shared.migrations``); queries run
on asyncpg, written as SQL with named parameters (:class:`Sql`) or built with SQLAlchemy Core,
one style per module.
"""

from shared.database.pool import Connection, Database, asyncpg_dsn
from shared.database.sql import Sql
from shared.database.traced_connection import TracedConnection, span_attributes
from shared.database.unit_of_work import UnitOfWork, in_transaction

__all__ = [
    "Connection",
    "Database",
    "Sql",
    "TracedConnection",
    "UnitOfWork",
    "asyncpg_dsn",
    "in_transaction",
    "span_attributes",
]
