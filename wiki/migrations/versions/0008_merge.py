"""Join the branches that grew side by side from 0002_outbox into one line again.

Revision ID: 0008_merge
Revises: 0003_collab, 0004_security, 0005_fields, 0006_search, 0007_jobs
"""

revision = "0008_merge"
down_revision = ("0003_collab", "0004_security", "0005_fields", "0006_search", "0007_jobs")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
