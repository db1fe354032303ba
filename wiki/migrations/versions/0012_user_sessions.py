"""Browser sessions kept on the server (``user_sessions``), in place of the per-user session
epoch: signing out ends the session's row, so a copy of its cookie stops working, and ending
a user's sessions ends all their rows.  Sessions signed in before this upgrade carry the old
``"<user id>:<epoch>"`` ids, which name no row: everyone signs in once more.

Revision ID: 0012_user_sessions
Revises: 0011_plugin_states
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_user_sessions"
down_revision = "0011_plugin_states"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("impersonator_id", sa.Integer(), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["impersonator_id"], ["users.id"],
                                name=op.f("fk_user_sessions_impersonator_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_user_sessions_secret_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_index(op.f("ix_user_sessions_impersonator_id"), "user_sessions", ["impersonator_id"])
    with op.batch_alter_table("user_security") as batch:
        batch.drop_column("session_epoch")


def downgrade() -> None:
    with op.batch_alter_table("user_security") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    op.drop_index(op.f("ix_user_sessions_impersonator_id"), table_name="user_sessions")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
