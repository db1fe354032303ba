"""The search outbox (``search_queue``).

Revision ID: 0006_search
Revises: 0002_outbox
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_search"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_queue")),
    )
    op.create_index("ix_search_queue_page_id", "search_queue", ["page_id"])


def downgrade() -> None:
    op.drop_index("ix_search_queue_page_id", table_name="search_queue")
    op.drop_table("search_queue")
