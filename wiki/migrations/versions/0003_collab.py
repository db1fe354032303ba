"""Collaborative editing: watchlist, page restrictions, archived (deleted) revisions.

Revision ID: 0003_collab
Revises: 0002_outbox
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_collab"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchlist",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("namespace", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_watchlist_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "namespace", "title", name=op.f("pk_watchlist")),
    )
    op.create_table(
        "page_restrictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("expiry", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_page_restrictions_page_id_pages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_restrictions")),
        sa.UniqueConstraint("page_id", "action", name="uq_page_restrictions_page_id_action"),
    )
    op.create_index("ix_page_restrictions_page_id", "page_restrictions", ["page_id"])
    op.create_table(
        "archived_revisions",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"],
                                name=op.f("fk_archived_revisions_revision_id_revisions")),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_archived_revisions_page_id_pages")),
        sa.ForeignKeyConstraint(["log_id"], ["log.id"], name=op.f("fk_archived_revisions_log_id_log")),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_archived_revisions")),
    )
    op.create_index("ix_archived_revisions_page_id", "archived_revisions", ["page_id"])


def downgrade() -> None:
    op.drop_index("ix_archived_revisions_page_id", table_name="archived_revisions")
    op.drop_table("archived_revisions")
    op.drop_index("ix_page_restrictions_page_id", table_name="page_restrictions")
    op.drop_table("page_restrictions")
    op.drop_table("watchlist")
