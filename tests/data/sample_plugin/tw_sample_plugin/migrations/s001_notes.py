"""The sample plugin's own table.

Revision ID: s001_notes
"""
import sqlalchemy as sa
from alembic import op

revision = "s001_notes"
down_revision = None
branch_labels = ("tw_sample_plugin",)
depends_on = "0001_core"


def upgrade() -> None:
    op.create_table("sample_notes", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("note", sa.Text()))


def downgrade() -> None:
    op.drop_table("sample_notes")
