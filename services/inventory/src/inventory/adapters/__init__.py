"""Adapters of the inventory service: PostgreSQL access (asyncpg) for batches, the ledger,
reference data, saved views, idempotency keys and the read models."""
