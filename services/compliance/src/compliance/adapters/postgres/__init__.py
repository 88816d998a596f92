"""The service layer's storage ports on PostgreSQL (asyncpg, ``shared.database``)."""

from compliance.adapters.postgres.unit_of_work import ComplianceUnitOfWork, PgOutbox, payload_of

__all__ = ["ComplianceUnitOfWork", "PgOutbox", "payload_of"]
