"""Structured fields: declarations, typed values, per-revision values and changes, forms, counters.

Revision ID: 0005_fields
Revises: 0002_outbox
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_fields"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "field_declarations",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spec", sa.String(length=1000), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("default_value", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_field_declarations_page_id_pages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("page_id", "name", name=op.f("pk_field_declarations")),
    )
    op.create_index("ix_field_declarations_name", "field_declarations", ["name"])
    op.create_table(
        "field_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=255), nullable=False),
        sa.Column("field", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value_text", sa.String(length=255), nullable=True),
        sa.Column("value_long", sa.Text(), nullable=True),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.Column("value_date", sa.DateTime(), nullable=True),
        sa.Column("value_bool", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_field_values_page_id_pages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_values")),
    )
    op.create_index("ix_field_values_page", "field_values", ["page_id", "field", "position"])
    op.create_index("ix_field_values_text", "field_values", ["field", "value_text", "page_id"])
    op.create_index("ix_field_values_number", "field_values", ["field", "value_number", "page_id"])
    op.create_index("ix_field_values_date", "field_values", ["field", "value_date", "page_id"])
    op.create_table(
        "field_revisions",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"],
                                name=op.f("fk_field_revisions_revision_id_revisions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_field_revisions")),
    )
    op.create_index("ix_field_revisions_page_id", "field_revisions", ["page_id"])
    op.create_table(
        "field_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=255), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"],
                                name=op.f("fk_field_changes_revision_id_revisions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_changes")),
    )
    op.create_index("ix_field_changes_revision_id", "field_changes", ["revision_id"])
    op.create_index("ix_field_changes_field_page", "field_changes", ["field", "page_id"])
    op.create_table(
        "field_forms",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_field_forms_page_id_pages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_field_forms")),
    )
    op.create_index("ix_field_forms_template", "field_forms", ["template"])
    op.create_table(
        "field_counters",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_field_counters")),
    )
    op.create_table(
        "field_files",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_field_files_page_id_pages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_field_files")),
    )


def downgrade() -> None:
    op.drop_table("field_files")
    op.drop_table("field_counters")
    op.drop_index("ix_field_forms_template", table_name="field_forms")
    op.drop_table("field_forms")
    op.drop_index("ix_field_changes_field_page", table_name="field_changes")
    op.drop_index("ix_field_changes_revision_id", table_name="field_changes")
    op.drop_table("field_changes")
    op.drop_index("ix_field_revisions_page_id", table_name="field_revisions")
    op.drop_table("field_revisions")
    for name in ("ix_field_values_date", "ix_field_values_number", "ix_field_values_text", "ix_field_values_page"):
        op.drop_index(name, table_name="field_values")
    op.drop_table("field_values")
    op.drop_index("ix_field_declarations_name", table_name="field_declarations")
    op.drop_table("field_declarations")
