"""A save renders before its write transaction, so one slow or pathological page never holds
up other writers: real threads and real HTTP against one SQLite file or PostgreSQL database.

A test plugin's ``{{#hold:}}`` parser function stops a render until the test lets it go, so
"while the page renders" is a fact of the test, not a matter of timing.
"""

from __future__ import annotations

import re
import threading

import pytest
import requests
from sqlalchemy import select

from tests.support.live_server import LiveServer
from tests.support.wiki import PASSWORD, add_user, current_text, save
from wiki.accounts import create_api_key, find_user
from wiki.app import create_app
from wiki.hookspecs import hookimpl
from wiki.markup import ParserFunction
from wiki.models import CategoryLink, Page, Revision
from wiki.pages import MAX_PAGE_BYTES, SaveError

#: Seconds a held render waits at most, so that a failing test cannot hang the run.
WAIT = 60
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class Hold:
    """``{{#hold:}}`` counts the renders that reach it; after ``arm()``, the next one waits
    until ``release`` is set."""

    def __init__(self):
        self.renders = 0
        self.rendering = threading.Event()
        self.release = threading.Event()
        self._armed = False

    def arm(self) -> None:
        self._armed = True

    @hookimpl
    def register_parser_functions(self):
        return [ParserFunction("hold", self._hold)]

    def _hold(self, call) -> str:
        self.renders += 1
        if self._armed:
            self._armed = False
            self.rendering.set()
            self.release.wait(WAIT)
        return "held"


class Background(threading.Thread):
    """``save(...)`` in a thread, keeping its result or its exception for the test."""

    def __init__(self, *args, **kwargs):
        super().__init__(daemon=True)
        self.args, self.kwargs = args, kwargs
        self.result = self.error = None

    def run(self) -> None:
        try:
            self.result = save(*self.args, **self.kwargs)
        except Exception as exc:  # re-raised by the test
            self.error = exc


def _sign_in(base_url: str, name: str) -> int:
    http = requests.Session()
    form = http.get(f"{base_url}/wiki/Special:UserLogin", timeout=WAIT).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = http.post(f"{base_url}/wiki/Special:UserLogin", timeout=WAIT, allow_redirects=False,
                         data={"username": name, "password": PASSWORD, "csrf_token": token})
    return response.status_code


def _categories(site, title: str) -> list[str]:
    with site.db.read() as session:
        page = site.get_page(session, site.titles.parse(title))
        return list(session.scalars(select(CategoryLink.category).where(CategoryLink.from_id == page.id)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_writers_and_sign_in_go_on_while_a_page_renders(make_site, backend):
    hold = Hold()
    site = make_site(backend, plugins=[hold])
    add_user(site, "Alice")
    base = save(site, "Big page", "first line\n\nlast line").revision.id
    hold.arm()
    slow = Background(site, "Big page", "first line\n\nlast line\n\n{{#hold:}}", base_revision_id=base)
    try:
        with LiveServer(create_app(site=site)) as server:
            slow.start()
            assert hold.rendering.wait(WAIT)
            # the same page, another page and a sign-in, all while the slow save renders
            same = save(site, "Big page", "first line, changed\n\nlast line", base_revision_id=base)
            other = save(site, "Other page", "saved meanwhile")
            signed_in = _sign_in(server.url, "Alice")
            assert slow.is_alive() and hold.renders == 1
    finally:
        hold.release.set()
        slow.join(WAIT)
    assert slow.error is None and not slow.is_alive()
    assert same.revision is not None and other.revision is not None and signed_in == 302
    # the slow save saw that the page moved on: merged, and rendered again under the lock
    assert slow.result.merged and hold.renders == 2
    assert current_text(site, "Big page") == "first line, changed\n\nlast line\n\n{{#hold:}}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_template_saved_while_a_page_renders_is_followed(make_site, backend):
    hold = Hold()
    site = make_site(backend, plugins=[hold])
    save(site, "Template:Box", "[[Category:Old]]")
    save(site, "Quiet page", "{{Box}}{{#hold:}}")
    assert hold.renders == 1  # nothing changed meanwhile: rendered once, before the transaction
    hold.arm()
    slow = Background(site, "Busy page", "{{Box}}{{#hold:}}")
    try:
        slow.start()
        assert hold.rendering.wait(WAIT)
        save(site, "Template:Box", "[[Category:New]]")
        assert slow.is_alive()
    finally:
        hold.release.set()
        slow.join(WAIT)
    # held; Quiet page re-derived for the new template; Busy page rendered again under the lock
    assert slow.error is None and hold.renders == 4
    assert _categories(site, "Busy page") == ["New"] and _categories(site, "Quiet page") == ["New"]


def test_too_long_a_text_is_refused_before_it_is_rendered(make_site):
    hold = Hold()
    site = make_site(plugins=[hold])
    with pytest.raises(SaveError, match="a page may hold at most"):
        save(site, "Long", "{{#hold:}}" + "x" * MAX_PAGE_BYTES)
    assert hold.renders == 0


def _table(rows: int, columns: int) -> str:
    row = "|" + "|".join(f" cell {i} " for i in range(columns)) + "|\n"
    return row + "|" + "|".join("---" for _ in range(columns)) + "|\n" + row * rows


@pytest.mark.parametrize("backend", BACKENDS)
def test_pathological_pages_are_refused_with_a_clear_error(make_site, backend):
    site = make_site(backend)
    add_user(site, "Bob")
    client = create_app(site=site).test_client()
    with site.db.write() as session:
        token = create_api_key(session, find_user(session, "Bob"), scope="write")[1]
    headers = {"Authorization": f"Bearer {token}"}
    table = _table(17_500, 10)  # 1.6 MB, 175,000 cells
    assert len(table.encode()) > 1_600_000
    response = client.put("/api/v1/pages/Huge_table", json={"text": table}, headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)
    messages = response.get_json()["error"]["details"]["messages"]
    assert any("100,000 Markdown blocks, list items and table cells" in m for m in messages)
    save(site, "Template:Wide", "{{{a|}}}" * 2000)
    response = client.put("/api/v1/pages/Bomb", json={"text": "{{Wide}}" * 600}, headers=headers)
    assert response.status_code == 400
    assert any("1,000,000 nodes" in m for m in response.get_json()["error"]["details"]["messages"])
    with site.db.read() as session:
        assert session.scalar(select(Page).where(Page.title.in_(["Huge table", "Bomb"]))) is None
        assert session.query(Revision).count() == 1
