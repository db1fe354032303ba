"""The core's tables: accounts, users, API keys, pages, revisions, link tables, cache, log.

Revision ID: 0001_core
Revises: 
Create Date: 2026-11-21 22:58:51.416650
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_core'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_accounts_name'))
    )
    op.create_table('pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('namespace', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('latest_id', sa.Integer(), nullable=True),
    sa.Column('is_redirect', sa.Boolean(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('touched', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_pages_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pages')),
    sa.UniqueConstraint('namespace', 'title', name='uq_pages_namespace_title')
    )
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pages_account_id'), ['account_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_users_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=128), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_keys_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_user_id'), ['user_id'], unique=False)

    op.create_table('categorylinks',
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=255), nullable=False),
    sa.Column('sortkey', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['from_id'], ['pages.id'], name=op.f('fk_categorylinks_from_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_id', 'category', name=op.f('pk_categorylinks'))
    )
    with op.batch_alter_table('categorylinks', schema=None) as batch_op:
        batch_op.create_index('ix_categorylinks_listing', ['category', 'kind', 'sortkey'], unique=False)

    op.create_table('log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('timestamp', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_text', sa.String(length=255), nullable=False),
    sa.Column('namespace', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log'))
    )
    with op.batch_alter_table('log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_timestamp'), ['timestamp'], unique=False)
        batch_op.create_index('ix_log_type_timestamp', ['type', 'timestamp'], unique=False)

    op.create_table('pagelinks',
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('namespace', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['from_id'], ['pages.id'], name=op.f('fk_pagelinks_from_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_id', 'namespace', 'title', name=op.f('pk_pagelinks'))
    )
    with op.batch_alter_table('pagelinks', schema=None) as batch_op:
        batch_op.create_index('ix_pagelinks_target', ['namespace', 'title'], unique=False)

    op.create_table('redirects',
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('namespace', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('fragment', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['from_id'], ['pages.id'], name=op.f('fk_redirects_from_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_id', name=op.f('pk_redirects'))
    )
    op.create_table('revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_text', sa.String(length=255), nullable=False),
    sa.Column('timestamp', sa.DateTime(), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('minor', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha1', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_revisions_page_id_pages')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_revisions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions'))
    )
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.create_index('ix_revisions_page_id_id', ['page_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_revisions_timestamp'), ['timestamp'], unique=False)
        batch_op.create_index(batch_op.f('ix_revisions_user_id'), ['user_id'], unique=False)

    # pages and revisions point at each other: the pointer's key is added once both exist
    # (SQLite cannot add a key to a table; there the application keeps the pointer right).
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key("fk_pages_latest_id_revisions", "pages", "revisions", ["latest_id"], ["id"])
    op.create_table('templatelinks',
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('namespace', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['from_id'], ['pages.id'], name=op.f('fk_templatelinks_from_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_id', 'namespace', 'title', name=op.f('pk_templatelinks'))
    )
    with op.batch_alter_table('templatelinks', schema=None) as batch_op:
        batch_op.create_index('ix_templatelinks_target', ['namespace', 'title'], unique=False)

    op.create_table('render_cache',
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('rendered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_render_cache_revision_id_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('revision_id', name=op.f('pk_render_cache'))
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_pages_latest_id_revisions", "pages", type_="foreignkey")
    op.drop_table('render_cache')
    with op.batch_alter_table('templatelinks', schema=None) as batch_op:
        batch_op.drop_index('ix_templatelinks_target')

    op.drop_table('templatelinks')
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revisions_user_id'))
        batch_op.drop_index(batch_op.f('ix_revisions_timestamp'))
        batch_op.drop_index('ix_revisions_page_id_id')

    op.drop_table('revisions')
    op.drop_table('redirects')
    with op.batch_alter_table('pagelinks', schema=None) as batch_op:
        batch_op.drop_index('ix_pagelinks_target')

    op.drop_table('pagelinks')
    with op.batch_alter_table('log', schema=None) as batch_op:
        batch_op.drop_index('ix_log_type_timestamp')
        batch_op.drop_index(batch_op.f('ix_log_timestamp'))

    op.drop_table('log')
    with op.batch_alter_table('categorylinks', schema=None) as batch_op:
        batch_op.drop_index('ix_categorylinks_listing')

    op.drop_table('categorylinks')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_user_id'))

    op.drop_table('api_keys')
    op.drop_table('users')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pages_account_id'))

    op.drop_table('pages')
    op.drop_table('accounts')
