"""Failed sign-ins are counted per user and source (``signin_failures``) instead of per user
(``user_security.failed_logins`` and ``locked_until``), so that guessing from one place no
longer locks the user out everywhere.  Counts and locks in progress are not carried over.

Revision ID: 0013_signin_failures
Revises: 0012_user_sessions
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_signin_failures"
down_revision = "0012_user_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_failures",
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("who", "source", name=op.f("pk_signin_failures")),
    )
    with op.batch_alter_table("user_security") as batch:
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("user_security") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.drop_table("signin_failures")
