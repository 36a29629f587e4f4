"""Add the tables of supervision: link checks and the monthly figures.

Revision ID: 7e1b4c9d2a60
Revises:
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "7e1b4c9d2a60"
down_revision = None
branch_labels = None
depends_on = None

TEXT = sa.UnicodeText


def upgrade():
    op.create_table(
        "nanjing_supervision_link_check",
        sa.Column("url", TEXT, primary_key=True),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("message", TEXT, nullable=False, server_default=""),
        sa.Column("elapsed_ms", sa.Integer, nullable=False, server_default="0"),
        sa.Column("checked", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "nanjing_supervision_figures",
        sa.Column("organization_id", TEXT, primary_key=True),
        sa.Column("month", TEXT, primary_key=True),
        sa.Column("computed", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("figures", TEXT, nullable=False, server_default="{}"),
    )


def downgrade():
    op.drop_table("nanjing_supervision_figures")
    op.drop_table("nanjing_supervision_link_check")
