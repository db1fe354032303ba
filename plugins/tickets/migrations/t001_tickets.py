"""The tickets plugin's tables: the ticket number counter, open alerts by external id, attachments.

Revision ID: t001_tickets
"""
import sqlalchemy as sa
from alembic import op

revision = "t001_tickets"
down_revision = None
branch_labels = ("tickets",)
depends_on = "0001_core"


def upgrade() -> None:
    op.create_table(
        "ticket_counter",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "ticket_alerts",
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("external_id"),
    )
    op.create_index("ix_ticket_alerts_page_id", "ticket_alerts", ["page_id"])
    op.create_table(
        "ticket_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_text", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticket_attachments_page_id", "ticket_attachments", ["page_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_attachments_page_id", table_name="ticket_attachments")
    op.drop_table("ticket_attachments")
    op.drop_index("ix_ticket_alerts_page_id", table_name="ticket_alerts")
    op.drop_table("ticket_alerts")
    op.drop_table("ticket_counter")
