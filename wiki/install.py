"""First run and upgrades: migrate the database, move pages whose titles the title rules now
write differently, load seed pages, create the first admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wiki import migrate
from wiki.accounts import create_user, generate_password
from wiki.models import User
from wiki.pages import save_page
from wiki.permissions import SYSTEM
from wiki.plugins import gather_by_plugin
from wiki.retitle import retitle_pages
from wiki.site import Site


@dataclass
class InitReport:
    seeded: list[str]
    retitled: list[tuple[str, str]]
    admin_name: str | None = None
    admin_password: str | None = None


def upgrade_database(site: Site) -> None:
    migrate.upgrade(site.db.engine, site.migration_locations)


def upgrade(site: Site) -> list[tuple[str, str]]:
    """Migrate the database, then move the pages whose stored titles are no longer in normal
    form (``wiki.retitle``); returns those moves."""
    upgrade_database(site)
    return retitle_pages(site)


def load_seed_pages(site: Site, plugin: str | None = None) -> list[str]:
    """Create the seed pages that are missing, of the plugins that are on (or of the one named);
    existing pages (perhaps edited) are kept."""
    created = []
    for owner, seed in gather_by_plugin(site.hook.register_seed_pages):
        if plugin not in (None, owner):
            continue
        title = site.titles.parse(seed.title)
        with site.db.write() as session:
            if site.get_page(session, title) is not None:
                continue
            save_page(site, session, title, seed.text, SYSTEM, summary=seed.summary)
            created.append(title.prefixed)
    return created


def ensure_admin(site: Site, name: str = "Admin") -> tuple[str, str] | None:
    """Create the first admin when there is none; returns its name and password, once."""
    with site.db.write() as session:
        if session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
            return None
        password = generate_password()
        user = create_user(session, name, "admin", password=password)
        return user.name, password


def initialize(site: Site) -> InitReport:
    retitled = upgrade(site)
    report = InitReport(seeded=load_seed_pages(site), retitled=retitled)
    admin = ensure_admin(site)
    if admin:
        report.admin_name, report.admin_password = admin
    return report
