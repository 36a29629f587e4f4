"""Add real-name profiles, applications with their steps, attachments and
agreements, use reports and the application numbers of conditional data.

Revision ID: 7d3a5c1e8b42
Revises: 4b6e1f3a9c27
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "7d3a5c1e8b42"
down_revision = "4b6e1f3a9c27"
branch_labels = None
depends_on = None

TEXT, NOW = sa.UnicodeText, sa.func.now()
APPLICATION = "nanjing_access_application"


def upgrade():
    op.create_table(
        "nanjing_access_profile",
        sa.Column("user_id", TEXT, sa.ForeignKey("user.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("real_name", TEXT, nullable=False),
        sa.Column("id_type", TEXT, nullable=False),
        sa.Column("id_number_sealed", TEXT, nullable=False),
        sa.Column("id_number_masked", TEXT, nullable=False),
        sa.Column("contact_person", TEXT, nullable=False, server_default=""),
        sa.Column("phone_sealed", TEXT, nullable=False),
        sa.Column("phone_masked", TEXT, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
        sa.Column("changed", sa.DateTime, nullable=False, server_default=NOW),
        sa.CheckConstraint("kind IN ('individual', 'organisation')",
                           name="nanjing_access_profile_kind"),
    )
    op.create_table(
        APPLICATION,
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("number", TEXT, nullable=False, unique=True),
        sa.Column("user_id", TEXT, sa.ForeignKey("user.id"), nullable=False),
        sa.Column("package_id", TEXT, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("organization_id", TEXT, sa.ForeignKey("group.id"), nullable=False),
        sa.Column("state", TEXT, nullable=False),
        sa.Column("applicant_kind", TEXT, nullable=False),
        sa.Column("applicant_name", TEXT, nullable=False),
        sa.Column("applicant_id_masked", TEXT, nullable=False),
        sa.Column("purpose", TEXT, nullable=False),
        sa.Column("scenario", TEXT, nullable=False),
        sa.Column("resource_ids", TEXT, nullable=True),
        sa.Column("fields", TEXT, nullable=True),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("delivery", TEXT, nullable=False),
        sa.Column("security", TEXT, nullable=False),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("decided", sa.Date, nullable=True),
        sa.Column("decision_reason", TEXT, nullable=False, server_default=""),
        sa.Column("approved_resource_ids", TEXT, nullable=True),
        sa.Column("approved_fields", TEXT, nullable=True),
        sa.Column("approved_starts_on", sa.Date, nullable=True),
        sa.Column("approved_ends_on", sa.Date, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
        sa.Column("changed", sa.DateTime, nullable=False, server_default=NOW),
        sa.CheckConstraint("starts_on <= ends_on", name="nanjing_access_application_period"),
    )
    op.create_index("nanjing_access_application_org", APPLICATION,
                    ["organization_id", "state"])
    op.create_index("nanjing_access_application_user", APPLICATION, ["user_id", "created"])
    op.create_table(
        "nanjing_access_application_event",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("application_id", TEXT, sa.ForeignKey(f"{APPLICATION}.id", ondelete="CASCADE"),
                  nullable=False, index=True),
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
    op.create_table(
        "nanjing_access_application_file",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("application_id", TEXT, sa.ForeignKey(f"{APPLICATION}.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("event_id", TEXT, sa.ForeignKey("nanjing_access_application_event.id",
                                                  ondelete="CASCADE"), nullable=True),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("mimetype", TEXT, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
    )
    op.create_table(
        "nanjing_access_agreement",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("application_id", TEXT, sa.ForeignKey(f"{APPLICATION}.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("template_version", TEXT, nullable=False),
        sa.Column("title", TEXT, nullable=False),
        sa.Column("html", TEXT, nullable=False),
        sa.Column("text", TEXT, nullable=False),
        sa.Column("text_sha256", TEXT, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
        sa.Column("accepted_at", sa.DateTime, nullable=True),
        sa.Column("accepted_by", TEXT, sa.ForeignKey("user.id"), nullable=True),
        sa.Column("client_address", TEXT, nullable=True),
    )
    op.create_table(
        "nanjing_access_use_report",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("grant_id", TEXT, sa.ForeignKey("nanjing_access_grant.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("user_id", TEXT, sa.ForeignKey("user.id"), nullable=False),
        sa.Column("usage", TEXT, nullable=False),
        sa.Column("outcomes", TEXT, nullable=False, server_default=""),
        sa.Column("benefits", TEXT, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False, server_default=NOW),
    )
    op.create_table(
        "nanjing_access_sequence",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_foreign_key("nanjing_access_grant_application", "nanjing_access_grant",
                          APPLICATION, ["application_id"], ["id"])


def downgrade():
    op.drop_constraint("nanjing_access_grant_application", "nanjing_access_grant",
                       type_="foreignkey")
    for table in ("nanjing_access_sequence", "nanjing_access_use_report",
                  "nanjing_access_agreement", "nanjing_access_application_file",
                  "nanjing_access_application_event", APPLICATION, "nanjing_access_profile"):
        op.drop_table(table)
