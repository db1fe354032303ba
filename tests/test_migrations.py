"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL,
with one head for the core."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from wiki.migrate import alembic_config
from wiki.models import Base


def test_core_has_one_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, script.get_heads()


def test_models_match_the_migrated_database(any_site):
    """Every model (the core's and the plugins', all imported by building the site) has its table."""
    with any_site.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    if any_site.db.engine.dialect.name == "sqlite":
        # SQLite cannot add a foreign key to an existing table: 0001_core leaves out the key of
        # the pages -> revisions pointer there on purpose (see that migration).
        diff = [d for d in diff if not (d[0] == "add_fk" and d[1].table.name == "pages")]
    assert diff == [], diff
