"""Applying Alembic migrations: the core's and every plugin's, up to all heads."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(extra_locations: list[str] | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions"), *(str(p) for p in extra_locations or [])]
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    return cfg


def upgrade(engine: Engine, extra_locations: list[str] | None = None) -> None:
    """Bring the database to the newest revision of every migration branch."""
    cfg = alembic_config(extra_locations)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def pending(connection: Connection, extra_locations: list[str] | None = None) -> set[str]:
    """Heads not yet applied (empty when the database is current)."""
    script = ScriptDirectory.from_config(alembic_config(extra_locations))
    current = set(MigrationContext.configure(connection).get_current_heads())
    return set(script.get_heads()) - current
