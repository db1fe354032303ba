"""Admins' switches of plugins (Special:Plugins), shared by every process of the site.

Revision ID: 0011_plugin_states
Revises: 0010_field_values_page_values
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_plugin_states"
down_revision = "0010_field_values_page_values"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plugin_states",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"], name=op.f("fk_plugin_states_changed_by_users")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_plugin_states")),
    )


def downgrade() -> None:
    op.drop_table("plugin_states")
