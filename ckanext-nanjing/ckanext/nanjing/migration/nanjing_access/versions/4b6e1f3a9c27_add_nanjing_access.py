"""Add the grants and the access log of conditional data (有条件开放).

Revision ID: 4b6e1f3a9c27
Revises:
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "4b6e1f3a9c27"
down_revision = None
branch_labels = None
depends_on = None

TEXT, NOW = sa.UnicodeText, sa.func.now()


def upgrade():
    op.create_table(
        "nanjing_access_grant",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("user_id", TEXT, sa.ForeignKey("user.id"), nullable=False),
        sa.Column("package_id", TEXT, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("organization_id", TEXT, sa.ForeignKey("group.id"), nullable=False),
        sa.Column("resource_ids", TEXT, nullable=True),
        sa.Column("fields", TEXT, nullable=True),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("state", TEXT, nullable=False, server_default="active"),
        sa.Column("state_reason", TEXT, nullable=False, server_default=""),
        sa.Column("application_id", TEXT, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
        sa.Column("changed", sa.DateTime, nullable=False, server_default=NOW),
        sa.CheckConstraint("state IN ('active', 'suspended', 'revoked')",
                           name="nanjing_access_grant_state"),
        sa.CheckConstraint("starts_on <= ends_on", name="nanjing_access_grant_period"),
    )
    op.create_index("nanjing_access_grant_holder", "nanjing_access_grant",
                    ["user_id", "package_id"])
    op.create_table(
        "nanjing_access_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False, server_default=NOW),
        sa.Column("user_id", TEXT, nullable=True),
        sa.Column("grant_id", TEXT, nullable=True),
        sa.Column("package_id", TEXT, nullable=False),
        sa.Column("resource_id", TEXT, nullable=True),
        sa.Column("path", TEXT, nullable=False),
        sa.Column("basis", TEXT, nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=True),
        sa.Column("bytes", sa.BigInteger, nullable=True),
    )
    op.create_index("nanjing_access_log_grant", "nanjing_access_log", ["grant_id", "at"])
    op.create_index("nanjing_access_log_package", "nanjing_access_log", ["package_id", "at"])


def downgrade():
    op.drop_table("nanjing_access_log")
    op.drop_table("nanjing_access_grant")
