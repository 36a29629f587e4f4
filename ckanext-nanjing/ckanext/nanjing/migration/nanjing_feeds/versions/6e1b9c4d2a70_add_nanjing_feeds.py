"""add nanjing_feeds_change (the change log) and nanjing_feeds_state

Revision ID: 6e1b9c4d2a70
Revises:
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "6e1b9c4d2a70"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "nanjing_feeds_change",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("txid", sa.BigInteger, nullable=False,
                  server_default=sa.text("(pg_current_xact_id()::text)::bigint")),
        sa.Column("occurred", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("change", sa.UnicodeText, nullable=False),
        sa.Column("object_type", sa.UnicodeText, nullable=False),
        sa.Column("object_id", sa.UnicodeText, nullable=False),
        sa.Column("name", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("organization", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("area", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("item", sa.UnicodeText, nullable=True),
    )
    op.create_index("idx_nanjing_feeds_change_position", "nanjing_feeds_change", ["txid", "seq"])
    op.create_index("idx_nanjing_feeds_change_object", "nanjing_feeds_change", ["object_id", "seq"])
    op.create_table(
        "nanjing_feeds_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pruned_txid", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("pruned_seq", sa.BigInteger, nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_table("nanjing_feeds_state")
    op.drop_table("nanjing_feeds_change")
