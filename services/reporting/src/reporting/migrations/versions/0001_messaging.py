"""The reporting service's inbox (each event once) and outbox (the platform's tables).

Revision ID: 0001
Revises:
"""

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
upgrade, downgrade = create_messaging_tables, drop_messaging_tables
