"""Add nanjing_review: the review history of withheld catalog entries.

Revision ID: 8a1c2e4f6b10
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "8a1c2e4f6b10"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "nanjing_review",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id"), nullable=True),
        sa.Column("comment", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("idx_nanjing_review_package", "nanjing_review", ["package_id", "created"])


def downgrade():
    op.drop_table("nanjing_review")
