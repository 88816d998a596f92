"""The Idempotency-Key store of the compliance API (retried writes answer once).

Revision ID: 0002
Revises: 0001
"""

from shared.migrations import create_idempotency_table, drop_idempotency_table

revision = "0002"
down_revision = "0001"
upgrade, downgrade = create_idempotency_table, drop_idempotency_table
