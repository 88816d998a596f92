"""The identity store: users, roles, site grants, sessions, refresh tokens, API keys, login attempts.

Revision ID: 0001
Revises:
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the code's role list does later.
ROLES = (
    ("Admin", "Everything, including user accounts and API keys"),
    ("Owner", "Everything in the business except user accounts"),
    ("Compliance QA", "Quality and state compliance: status changes, Metrc sync and settings"),
    ("Inventory", "Receiving, adjusting and moving stock"),
    ("Sales Manager", "Reserving and selling stock; reports"),
    ("Auditor", "Read-only access to inventory and reports"),
)


def _at(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.CheckConstraint("email = lower(email)", name="ck_users_email_lower"),
    )
    roles = op.create_table(
        "roles",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("description", sa.Text, nullable=False),
    )
    op.bulk_insert(roles, [{"name": name, "description": text} for name, text in ROLES])
    op.create_table(
        "user_roles",
        sa.Column(
            "user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("role", sa.String(64), sa.ForeignKey("roles.name"), primary_key=True),
    )
    op.create_table(
        "user_sites",
        sa.Column(
            "user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("site_id", sa.String(100), primary_key=True),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(
            "user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        _at("created_at"),
        _at("expires_at"),
        _at("revoked_at", nullable=True),
        sa.Column("revoked_reason", sa.String(64)),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(
            "session_id",
            sa.Uuid,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _at("created_at"),
        _at("expires_at"),
        _at("used_at", nullable=True),
    )
    op.create_index("ix_refresh_tokens_session", "refresh_tokens", ["session_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.String(64)), nullable=False),
        sa.Column("sites", postgresql.ARRAY(sa.String(100)), nullable=False),
        sa.Column("created_by", sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")),
        _at("created_at"),
        _at("expires_at", nullable=True),
        _at("revoked_at", nullable=True),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
        _at("attempted_at"),
    )
    op.create_index("ix_login_attempts_email_time", "login_attempts", ["email", "attempted_at"])
    op.create_index("ix_login_attempts_ip_time", "login_attempts", ["ip", "attempted_at"])


def downgrade() -> None:
    for table in (
        "login_attempts",
        "api_keys",
        "refresh_tokens",
        "sessions",
        "user_sites",
        "user_roles",
        "roles",
        "users",
    ):
        op.drop_table(table)
