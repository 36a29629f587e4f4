"""add the tables of 互动交流 (nanjing_interaction)

Revision ID: a3c5e7f90b12
Revises:
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = "a3c5e7f90b12"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "nanjing_interaction_item",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("number", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="submitted"),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("text", sa.UnicodeText, nullable=False),
        sa.Column("public_title", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("public_text", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("target_url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("dataset_id", sa.UnicodeText, nullable=True, index=True),
        sa.Column("resource_id", sa.UnicodeText, nullable=True),
        sa.Column("target_detail", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("organization_id", sa.UnicodeText, sa.ForeignKey("group.id"), nullable=True,
                  index=True),
        sa.Column("sender_user_id", sa.UnicodeText, nullable=True, index=True),
        sa.Column("sender_name", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("sender_email", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("sender_phone", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("private_answer", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("lookup_code_hash", sa.UnicodeText, nullable=False),
        sa.Column("received", sa.DateTime, nullable=False),
        sa.Column("received_day", sa.Date, nullable=False),
        sa.Column("accepted_day", sa.Date, nullable=True),
        sa.Column("clock_start", sa.Date, nullable=True),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("extension", sa.Integer, nullable=False, server_default="0"),
        sa.Column("review_round", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reject_reason", sa.UnicodeText, nullable=True),
        sa.Column("reject_note", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("merged_into", sa.UnicodeText, nullable=True),
        sa.Column("rating", sa.UnicodeText, nullable=True),
        sa.Column("rating_note", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("rated_day", sa.Date, nullable=True),
        sa.Column("votes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    op.create_index("ix_nanjing_interaction_item_state_kind", "nanjing_interaction_item",
                    ["state", "kind"])
    op.create_table(
        "nanjing_interaction_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.UnicodeText,
                  sa.ForeignKey("nanjing_interaction_item.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText, nullable=False),
        sa.Column("to_state", sa.UnicodeText, nullable=False),
        sa.Column("actor_id", sa.UnicodeText, nullable=True),
        sa.Column("actor_kind", sa.UnicodeText, nullable=False),
        sa.Column("from_organization_id", sa.UnicodeText, nullable=True),
        sa.Column("to_organization_id", sa.UnicodeText, nullable=True),
        sa.Column("note", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("data", sa.UnicodeText, nullable=False, server_default="{}"),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
    )
    op.create_table(
        "nanjing_interaction_answer",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.UnicodeText,
                  sa.ForeignKey("nanjing_interaction_item.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("round", sa.Integer, nullable=False, server_default="0"),
        sa.Column("organization_id", sa.UnicodeText, sa.ForeignKey("group.id"), nullable=False),
        sa.Column("text", sa.UnicodeText, nullable=False),
        sa.Column("outcome", sa.UnicodeText, nullable=True),
        sa.Column("dataset_id", sa.UnicodeText, nullable=True),
        sa.Column("author_id", sa.UnicodeText, nullable=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("on_time", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("working_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "nanjing_interaction_vote",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.UnicodeText,
                  sa.ForeignKey("nanjing_interaction_item.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("voter_key", sa.UnicodeText, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("item_id", "voter_key", name="uq_nanjing_interaction_vote"),
    )
    op.create_table(
        "nanjing_interaction_sequence",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade():
    for table in ("nanjing_interaction_sequence", "nanjing_interaction_vote",
                  "nanjing_interaction_answer", "nanjing_interaction_event",
                  "nanjing_interaction_item"):
        op.drop_table(table)
