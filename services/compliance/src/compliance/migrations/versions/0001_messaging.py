"""The compliance service's outbox (push outcomes, findings) and inbox (inventory events).

Revision ID: 0001
Revises:
"""

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
upgrade, downgrade = create_messaging_tables, drop_messaging_tables
