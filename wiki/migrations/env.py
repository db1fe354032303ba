"""Alembic environment: the core's migrations and every plugin's, in one history.

Plugins hand in their version folders through ``register_migrations``; the caller puts
them in ``version_locations`` and passes the connection it wants migrated.
"""

from alembic import context

from wiki.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
