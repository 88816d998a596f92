"""PostgreSQL adapters of the reporting read models (plain asyncpg on a connection the caller
owns, SQL with named parameters)."""
