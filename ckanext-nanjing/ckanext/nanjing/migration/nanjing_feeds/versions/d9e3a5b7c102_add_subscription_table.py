"""add nanjing_feeds_subscription (e-mail digests)

Revision ID: d9e3a5b7c102
Revises: c4a7e2f91b58
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "d9e3a5b7c102"
down_revision = "c4a7e2f91b58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "nanjing_feeds_subscription",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("target", sa.UnicodeText, nullable=False),
        sa.Column("label", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("frequency", sa.UnicodeText, nullable=False, server_default="daily"),
        sa.Column("token", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("after_txid", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("after_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("last_sent", sa.DateTime, nullable=True),
        sa.UniqueConstraint("user_id", "kind", "target", name="uq_nanjing_feeds_subscription"),
    )


def downgrade():
    op.drop_table("nanjing_feeds_subscription")
