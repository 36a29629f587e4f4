"""Add nanjing_validation (the gate's verdict per tabular resource) and
nanjing_publish_request (datasets to publish once they pass).

Revision ID: 3f7b9d2c1e55
Revises: 8a1c2e4f6b10
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "3f7b9d2c1e55"
down_revision = "8a1c2e4f6b10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "nanjing_validation",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("last_modified", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("schema_hash", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("sha256", sa.UnicodeText),
        sa.Column("encoding", sa.UnicodeText),
        sa.Column("row_count", sa.BigInteger),
        sa.Column("error_count", sa.Integer),
        sa.Column("report", sa.UnicodeText, nullable=False, server_default="{}"),
        sa.Column("job_id", sa.UnicodeText),
        sa.Column("load_status", sa.UnicodeText),
        sa.Column("load_message", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("loaded_sha256", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("updated", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("idx_nanjing_validation_package", "nanjing_validation", ["package_id"])
    op.create_table(
        "nanjing_publish_request",
        sa.Column("package_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_name", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("nanjing_publish_request")
    op.drop_table("nanjing_validation")
