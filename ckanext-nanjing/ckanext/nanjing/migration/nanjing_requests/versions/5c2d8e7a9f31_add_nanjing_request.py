"""Add the tables of requests for disclosure.

Revision ID: 5c2d8e7a9f31
Revises:
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "5c2d8e7a9f31"
down_revision = None
branch_labels = None
depends_on = None

TEXT, NOW = sa.UnicodeText, sa.func.now()


def _request_fk():
    return sa.Column("request_id", TEXT,
                     sa.ForeignKey("nanjing_request.id", ondelete="CASCADE"), nullable=False)


def upgrade():
    op.create_table(
        "nanjing_request",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("number", TEXT, nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("organization_id", TEXT, sa.ForeignKey("group.id"), nullable=False),
        sa.Column("user_id", TEXT, sa.ForeignKey("user.id"), nullable=True),
        sa.Column("state", TEXT, nullable=False),
        sa.Column("pause_kind", TEXT, nullable=True),
        sa.Column("lookup_code_hash", TEXT, nullable=False),
        sa.Column("applicant_type", TEXT, nullable=False),
        sa.Column("applicant_category", TEXT, nullable=False),
        sa.Column("applicant_name", TEXT, nullable=False),
        sa.Column("id_type", TEXT, nullable=False),
        sa.Column("id_number_encrypted", TEXT, nullable=False),
        sa.Column("id_number_masked", TEXT, nullable=False),
        sa.Column("applicant_key", TEXT, nullable=False),
        sa.Column("phone", TEXT, nullable=False, server_default=""),
        sa.Column("email", TEXT, nullable=False, server_default=""),
        sa.Column("address", TEXT, nullable=False, server_default=""),
        sa.Column("description", TEXT, nullable=False),
        sa.Column("doc_number", TEXT, nullable=False, server_default=""),
        sa.Column("purpose", TEXT, nullable=False, server_default=""),
        sa.Column("provision", TEXT, nullable=False),
        sa.Column("delivery", TEXT, nullable=False),
        sa.Column("fee_waiver", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("fee_waiver_reason", TEXT, nullable=False, server_default=""),
        sa.Column("channel", TEXT, nullable=False, server_default="online"),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("result", TEXT, nullable=True),
        sa.Column("replied", sa.Date, nullable=True),
        sa.Column("extension_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("published_package_id", TEXT, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=NOW),
    )
    op.create_index("idx_nanjing_request_org_state", "nanjing_request",
                    ["organization_id", "state"])
    op.create_index("idx_nanjing_request_applicant", "nanjing_request",
                    ["applicant_key", "created"])
    op.create_table(
        "nanjing_request_event",
        sa.Column("id", TEXT, primary_key=True),
        _request_fk(),
        sa.Column("transition", TEXT, nullable=False),
        sa.Column("from_state", TEXT, nullable=True),
        sa.Column("to_state", TEXT, nullable=False),
        sa.Column("actor_id", TEXT, sa.ForeignKey("user.id"), nullable=True),
        sa.Column("actor_kind", TEXT, nullable=False),
        sa.Column("note", TEXT, nullable=False, server_default=""),
        sa.Column("data", TEXT, nullable=False, server_default="{}"),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
    )
    op.create_index("idx_nanjing_request_event_request", "nanjing_request_event",
                    ["request_id", "created"])
    op.create_table(
        "nanjing_request_letter",
        sa.Column("id", TEXT, primary_key=True),
        _request_fk(),
        sa.Column("event_id", TEXT, sa.ForeignKey("nanjing_request_event.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("title", TEXT, nullable=False),
        sa.Column("html", TEXT, nullable=False),
        sa.Column("text", TEXT, nullable=False, server_default=""),
        sa.Column("pdf", sa.LargeBinary, nullable=True),
        sa.Column("docx", sa.LargeBinary, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
    )
    op.create_index("idx_nanjing_request_letter_request", "nanjing_request_letter", ["request_id"])
    op.create_table(
        "nanjing_request_file",
        sa.Column("id", TEXT, primary_key=True),
        _request_fk(),
        sa.Column("event_id", TEXT, sa.ForeignKey("nanjing_request_event.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("mimetype", TEXT, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
    )
    op.create_index("idx_nanjing_request_file_request", "nanjing_request_file", ["request_id"])
    op.create_table(
        "nanjing_request_appeal",
        sa.Column("id", TEXT, primary_key=True),
        _request_fk(),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("outcome", TEXT, nullable=False),
        sa.Column("filed", sa.Date, nullable=False),
        sa.Column("decided", sa.Date, nullable=True),
        sa.Column("note", TEXT, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=NOW),
    )
    op.create_table(
        "nanjing_request_sequence",
        sa.Column("prefix", TEXT, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "nanjing_request_notice",
        sa.Column("id", TEXT, primary_key=True),
        _request_fk(),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("message", TEXT, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
    )
    op.create_index("idx_nanjing_request_notice_once", "nanjing_request_notice",
                    ["request_id", "kind", "due"], unique=True)


def downgrade():
    for table in ("nanjing_request_notice", "nanjing_request_sequence", "nanjing_request_appeal",
                  "nanjing_request_file", "nanjing_request_letter", "nanjing_request_event",
                  "nanjing_request"):
        op.drop_table(table)
