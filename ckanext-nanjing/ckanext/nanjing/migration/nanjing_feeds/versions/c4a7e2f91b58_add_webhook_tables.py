"""add nanjing_feeds_endpoint, nanjing_feeds_delivery and nanjing_feeds_attempt (webhooks)

Revision ID: c4a7e2f91b58
Revises: 8b2f0d7e4c13
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "c4a7e2f91b58"
down_revision = "8b2f0d7e4c13"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "nanjing_feeds_endpoint",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("filters", sa.UnicodeText, nullable=False, server_default="{}"),
        sa.Column("secret", sa.UnicodeText, nullable=False),
        sa.Column("previous_secret", sa.UnicodeText, nullable=True),
        sa.Column("previous_expires", sa.DateTime, nullable=True),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
        sa.Column("state_reason", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("after_txid", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("after_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("created_by", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("failing_since", sa.DateTime, nullable=True),
        sa.Column("last_success", sa.DateTime, nullable=True),
    )
    op.create_table(
        "nanjing_feeds_delivery",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("endpoint_id", sa.UnicodeText,
                  sa.ForeignKey("nanjing_feeds_endpoint.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.UnicodeText, nullable=False),
        sa.Column("event_type", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt", sa.DateTime, nullable=True),
        sa.Column("last_code", sa.Integer, nullable=True),
        sa.Column("last_error", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("delivered", sa.DateTime, nullable=True),
        # One message per change and endpoint: never queued twice.
        sa.UniqueConstraint("endpoint_id", "seq", name="uq_nanjing_feeds_delivery_change"),
    )
    op.create_index("idx_nanjing_feeds_delivery_due", "nanjing_feeds_delivery",
                    ["next_attempt"], postgresql_where=sa.text("status = 'pending'"))
    op.create_index("idx_nanjing_feeds_delivery_endpoint", "nanjing_feeds_delivery",
                    ["endpoint_id", "id"])
    op.create_table(
        "nanjing_feeds_attempt",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.BigInteger,
                  sa.ForeignKey("nanjing_feeds_delivery.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("code", sa.Integer, nullable=True),
        sa.Column("error", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("milliseconds", sa.Integer, nullable=False, server_default="0"),
        sa.Column("replay", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("idx_nanjing_feeds_attempt_delivery", "nanjing_feeds_attempt",
                    ["delivery_id"])


def downgrade():
    op.drop_table("nanjing_feeds_attempt")
    op.drop_table("nanjing_feeds_delivery")
    op.drop_table("nanjing_feeds_endpoint")
