"""add nanjing_hits and nanjing_hits_log: views and downloads counted from
nginx's access log

Revision ID: 5c2d8e1a9f30
Revises: 3f7b9d2c1e55
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "5c2d8e1a9f30"
down_revision = "3f7b9d2c1e55"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "nanjing_hits",
        sa.Column("package_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("resource_id", sa.UnicodeText, primary_key=True, server_default=""),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("views", sa.Integer, nullable=False, server_default="0"),
        sa.Column("downloads", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "nanjing_hits_log",
        sa.Column("path", sa.UnicodeText, primary_key=True),
        sa.Column("inode", sa.BigInteger, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("nanjing_hits_log")
    op.drop_table("nanjing_hits")
