"""The Idempotency-Key store of the reporting API (for its writes to come: saved reports).

Revision ID: 0003
Revises: 0002
"""

from shared.migrations import create_idempotency_table, drop_idempotency_table

revision = "0003"
down_revision = "0002"
upgrade, downgrade = create_idempotency_table, drop_idempotency_table
