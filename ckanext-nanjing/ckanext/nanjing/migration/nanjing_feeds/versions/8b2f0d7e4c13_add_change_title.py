"""add nanjing_feeds_change.title: a tombstone keeps the record's title

Revision ID: 8b2f0d7e4c13
Revises: 6e1b9c4d2a70
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "8b2f0d7e4c13"
down_revision = "6e1b9c4d2a70"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("nanjing_feeds_change",
                  sa.Column("title", sa.UnicodeText, nullable=False, server_default=""))


def downgrade():
    op.drop_column("nanjing_feeds_change", "title")
