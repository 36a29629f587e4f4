"""Add what bodies write into their yearly reports.

Revision ID: 3a8f2d6c1b47
Revises: 7e1b4c9d2a60
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "3a8f2d6c1b47"
down_revision = "7e1b4c9d2a60"
branch_labels = None
depends_on = None

TEXT = sa.UnicodeText


def upgrade():
    op.create_table(
        "nanjing_annual_report_entry",
        sa.Column("organization_id", TEXT, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("licensing", sa.Integer, nullable=True),
        sa.Column("penalty", sa.Integer, nullable=True),
        sa.Column("enforcement", sa.Integer, nullable=True),
        sa.Column("charges", sa.Numeric(16, 4), nullable=True),
        sa.Column("figures_source", TEXT, nullable=False, server_default=""),
        sa.Column("overview", TEXT, nullable=False, server_default=""),
        sa.Column("problems", TEXT, nullable=False, server_default=""),
        sa.Column("other", TEXT, nullable=False, server_default=""),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("modified_by", TEXT, nullable=True),
        sa.Column("published_package_id", TEXT, nullable=True),
        sa.Column("published", sa.DateTime, nullable=True),
    )


def downgrade():
    op.drop_table("nanjing_annual_report_entry")
