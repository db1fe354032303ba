"""Pages saved before the title rules removed invisible characters and folded look-alike
letters stay reachable: the upgrade moves them to their normal titles, and a look-alike of
an existing page gets a title of its own."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.support.wiki import add_user, current_text, save
from wiki.app import create_app
from wiki.collab.moves import delete_page
from wiki.install import upgrade
from wiki.models import LogEntry, Page, Revision
from wiki.pages import save_page
from wiki.permissions import SYSTEM
from wiki.titles import Title


def _save_as_before(site, namespace: int, text: str, body: str, revisions: int = 1) -> int:
    """A page stored under a title as the parser used to leave it."""
    title = Title(site.titles.namespace(namespace), text)
    for number in range(revisions):
        with site.db.write() as session:
            page_id = save_page(site, session, title, f"{body} {number}", SYSTEM).page.id
    return page_id


def _revisions(site, page_id: int) -> int:
    with site.db.read() as session:
        return session.scalar(select(func.count()).select_from(Revision).where(Revision.page_id == page_id))


def test_upgrade_moves_pages_to_their_normal_titles(any_site):
    site = any_site
    save(site, "Main Page", "The real main page")
    guide = _save_as_before(site, 12, "Gui\u200bde", "How to", revisions=2)
    fake = _save_as_before(site, 0, "Ｍain Page", "A look-alike")
    gone = _save_as_before(site, 0, "Old\u202epage", "Deleted before")
    with site.db.write() as session:
        delete_page(site, session, Title(site.titles.namespace(0), "Old\u202epage"), SYSTEM, "test")
    # before the upgrade the look-alike cannot be reached: its address is the real page's
    assert current_text(site, "Ｍain Page") == "The real main page"
    assert current_text(site, "Help:Guide") is None

    moved = upgrade(site)

    assert sorted(moved) == sorted([("Help:Gui\u200bde", "Help:Guide"),
                                    ("Ｍain Page", f"Main Page (look-alike {fake})"),
                                    ("Old\u202epage", "Oldpage")])
    assert current_text(site, "Help:Guide") == "How to 1"
    assert _revisions(site, guide) == 2
    assert current_text(site, "Main Page") == "The real main page"
    assert current_text(site, f"Main Page (look-alike {fake})") == "A look-alike 0"
    with site.db.read() as session:
        assert session.get(Page, gone).title == "Oldpage" and session.get(Page, gone).deleted
        reasons = {e.title: e.comment for e in session.scalars(select(LogEntry).where(LogEntry.type == "move"))}
    assert set(reasons) == {"Gui\u200bde", "Ｍain Page"} and all("normalisation" in r for r in reasons.values())
    assert upgrade(site) == []


def test_a_moved_page_is_served_at_its_address(site):
    add_user(site, "Reader", "staff")
    _save_as_before(site, 12, "Ｓtart", "Start here")
    upgrade(site)
    page = create_app(site=site).test_client().get("/wiki/Help:Start")
    assert page.status_code == 200 and "Start here 0" in page.get_data(as_text=True)
