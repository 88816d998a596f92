"""The inventory's outbox (events leave with the state that caused them) and inbox.

Revision ID: 0001
Revises:
"""

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
upgrade, downgrade = create_messaging_tables, drop_messaging_tables
