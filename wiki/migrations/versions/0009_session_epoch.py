"""A per-user session epoch: moving it ends every session signed in under the old value
(password change or reset, "sign out everywhere else", disabling a user).

Revision ID: 0009_session_epoch
Revises: 0008_merge
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_session_epoch"
down_revision = "0008_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_security") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("user_security") as batch:
        batch.drop_column("session_epoch")
