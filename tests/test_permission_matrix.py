"""A customer must never see another account's pages, by any path.

Account A owns the page "Alpha secret plan" (two revisions, a category, a link).  Six
viewers probe it: anonymous, a customer of account A, a customer of account B, an
analyst, staff and an admin.  ``PROBES`` is the table of expected outcomes for the paths
named in the issue; ``test_every_route_hides_account_pages`` walks every route of the app
(``app.url_map``), every ``Special:`` page and every page action, so routes that other
plugins add later are covered without editing this file.

Namespaces whose pages only a plugin's service creates (``created_by``: the tickets plugin's
``Ticket:``, and ``Record:`` of this file's test plugin, shaped like billing's ``Invoice:``)
refuse every role a page made by hand: through the edit form, ``PUT /api/v1/pages`` and a
move in (``test_no_role_makes_pages_where_a_service_does``).

The rows at the end probe edits: account A's ticket (with an internal note) must answer a
role that may not read it exactly as a ticket number never handed out, previews render as
their reader, and no role can copy a revision (the secret page's, the ticket's, the note's or
a deleted page's) onto its own page by naming it as the base of an edit.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import delete, func, select
from werkzeug.routing import IntegerConverter

from tests.support.postgres import create_database, drop_database, require_postgres
from plugins.tickets.testing import open_test_ticket
from tests.support.wiki import add_user, csrf_token, login, make_settings, preview_of, save, tab
from wiki.accounts import actor_for, create_api_key, create_user, find_user
from wiki.app import create_app
from wiki.collab.moves import delete_page
from wiki.hookspecs import hookimpl
from wiki.install import upgrade_database
from wiki.models import Account, Page, PluginState
from wiki.namespaces import load_namespace_dir
from wiki.permissions import SYSTEM
from wiki.plugins import EntryPoints
from wiki.security.models import AccountContact, AccountSite
from wiki.site import create_site

ROLES = ("anonymous", "customer_a", "customer_b", "analyst", "staff", "admin")
#: Who may read account A's pages.
SEES = {"anonymous": False, "customer_a": True, "customer_b": False, "analyst": True, "staff": True, "admin": True}
USERS = {"customer_a": ("Ava", "customer", "Alpha"), "customer_b": ("Bea", "customer", "Beta"),
         "analyst": ("Ana", "analyst", None), "staff": ("Sam", "staff", None), "admin": ("Adm", "admin", None)}
TITLE = "Alpha secret plan"
KEY = TITLE.replace(" ", "_")
MARKER = "SECRETALPHA7731"
#: A word of the secret page that search probes look for (so the marker is not in the URL).
WORD = "zyxwvutsr"
CATEGORY = "Alpha private"

#: (path, what the seers must find there, status for those who see it, status for the others).
#: ``None`` as a status means "any non-error answer"; ``{old}``/``{new}`` are revision ids.
PROBES = [
    (f"/wiki/{KEY}", MARKER, 200, 404),
    (f"/wiki/{KEY}?action=raw", MARKER, 200, 404),
    (f"/wiki/{KEY}?action=history", "second revision", 200, None),
    (f"/wiki/{KEY}?oldid={{old}}", "first draft", 200, 404),
    (f"/wiki/{KEY}?diff={{new}}&oldid={{old}}", MARKER, 200, None),
    (f"/api/v1/pages/{KEY}", MARKER, 200, 404),
    (f"/api/v1/pages/{KEY}?revision={{old}}", "first draft", 200, 404),
    (f"/api/v1/pages/{KEY}/revisions", "second revision", 200, 404),
    ("/wiki/Special:AllPages", TITLE, 200, 200),
    ("/wiki/Special:WhatLinksHere/Public_target", TITLE, 200, 200),
    ("/wiki/Special:Categories", CATEGORY, 200, 200),
    (f"/wiki/Category:{CATEGORY.replace(' ', '_')}", TITLE, None, None),
    (f"/wiki/Special:Search?search={WORD}&fulltext=1", TITLE, 200, 200),
    (f"/api/v1/search?q={WORD}", TITLE, 200, 200),
    (f"/wiki/Special:Ask?query={quote(f'[[Category:{CATEGORY}]]')}", TITLE, None, None),
    (f"/api/v1/ask?query={quote(f'[[Category:{CATEGORY}]]')}&format=json", TITLE, None, None),
    ("/wiki/Special:RecentChanges", TITLE, 200, 200),
]
#: Account A's ticket, its internal note (staff-side only), a ticket number never handed out
#: and a deleted page, for the edit, preview and base-revision rows at the end of this file.
TICKET, NOTE, UNUSED, DELETED = "Ticket:1001", "Ticket talk:1001", "Ticket:7999", "Withdrawn plan"
TICKET_MARKER, NOTE_MARKER, DELETED_MARKER = "TICKETALPHA5519", "NOTEALPHA8842", "DELETEDPLAN2291"
COPY_SOURCES = {"the secret page": TITLE, "account A's ticket": TICKET, "an internal note": NOTE,
                "a deleted page": DELETED}
#: Query words added to every route in the sweep, so search, listing and export routes get
#: something to look for (the public page links to nothing; the secret page links to it).
SWEEP_QUERY = (f"?q={WORD}&search={WORD}&target=Public_target&title=Public_target&page=Public_target&feed=atom"
               f"&query={quote(f'[[Category:{CATEGORY}]]')}&format=json&limit=500")


class ServiceNamespacesPlugin:
    """Adds ``Record:``, whose pages only the plugin's ``records`` service creates (its rights
    let every signed-in user create and move), and ``Draft:``, where every signed-in user
    creates and moves pages (``tests/data/service_namespaces``)."""

    @hookimpl
    def register_namespaces(self):
        return load_namespace_dir(Path(__file__).resolve().parent / "data" / "service_namespaces", source="records")


class World:
    """The site, one signed-in client per role, and the secret page's revision ids."""

    def __init__(self, site):
        self.site = site
        self.app = create_app(site=site)
        self.clients = {}
        for role in ROLES:
            client = self.app.test_client()
            if role != "anonymous":
                login(client, USERS[role][0])
            self.clients[role] = client
        with site.db.read() as session:
            page = session.scalar(select(Page).where(Page.title == TITLE))
            self.new = page.latest_id
            #: Revisions no role may copy onto its own page, by what they are.
            self.sources = {name: site.get_page(session, site.titles.parse(title)).latest_id
                            for name, title in COPY_SOURCES.items()}
        self.old = self.new - 1

    def get(self, role: str, path: str):
        return self.clients[role].get(path.format(old=self.old, new=self.new))


def _populate(site) -> None:
    for name, role, account in USERS.values():
        add_user(site, name, role, account=account)
    with site.db.read() as session:
        alpha = session.scalar(select(Account.id).where(Account.name == "Alpha"))
    save(site, "Public target", "A public page.")
    save(site, TITLE, f"first draft {WORD}", account_id=alpha, summary="first draft")
    save(site, TITLE, f"{WORD} {MARKER} [[Public target]] [[Category:{CATEGORY}]]", summary="second revision")
    save(site, "Public note", "Nothing secret [[Category:Public things]]")
    save(site, "Template:Ticket", "{{{Subject}}}: {{{Description}}}")
    with site.db.read() as session:
        ava = actor_for(find_user(session, USERS["customer_a"][0]))
    assert open_test_ticket(site, ava, description=f"{TICKET_MARKER} the printer is on fire").title.prefixed == TICKET
    save(site, NOTE, f"{NOTE_MARKER} staff only")
    save(site, DELETED, f"{DELETED_MARKER} withdrawn")
    with site.db.write() as session:
        delete_page(site, session, site.titles.parse(DELETED), SYSTEM, reason="withdrawn")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, tmp_path_factory):
    instance = tmp_path_factory.mktemp("matrix")
    pg_url = None
    if request.param == "sqlite":
        path = instance / "ticketwiki.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = pg_url = create_database(require_postgres(), template=request.getfixturevalue("postgres_template"))
    site = create_site(make_settings(instance, url), plugins=[ServiceNamespacesPlugin()],
                       entry_points=EntryPoints.SHIPPED)
    try:
        upgrade_database(site)
        _populate(site)
        yield World(site)
    finally:
        site.close()
        if pg_url:
            drop_database(pg_url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("probe", PROBES, ids=[p[0].split("?")[0] + ("?" + p[0].split("?")[1][:20] if "?" in p[0] else "")
                                               for p in PROBES])
def test_probe(world, probe, role):
    path, expected, seer_status, other_status = probe
    response = world.get(role, path)
    if response.status_code == 404 and _route_missing(world, path):
        pytest.skip(f"{path} is not served yet; the matrix covers it once it is")
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[-2000:]
    if SEES[role]:
        if seer_status is not None:
            assert response.status_code == seer_status, body[-2000:]
        if response.status_code == 200:
            assert expected in body, f"{role} should find {expected!r} at {path}"
    else:
        if other_status is not None:
            assert response.status_code == other_status, body[-2000:]
        assert MARKER not in body and "first draft" not in body and "second revision" not in body
        if KEY not in path:
            assert TITLE not in body and KEY not in body, f"{role} learns the secret title from {path}"
        if CATEGORY.replace(" ", "_") not in path and "Category" not in path:
            assert CATEGORY not in body, f"{role} learns the secret category from {path}"


def _route_missing(world, path: str) -> bool:
    """True when nothing serves ``path`` yet (no route, special page or page action)."""
    base, _, query = path.partition("?")
    adapter = world.app.url_map.bind("localhost")
    try:
        adapter.match(base)
    except Exception:
        return True
    if base.startswith("/wiki/Special:"):
        return base.split(":", 1)[1].split("/")[0].casefold() not in world.site.special_pages
    return False


def _sweep_paths(world) -> list[str]:
    """A GET address for every route, special page and page action."""
    paths = set()
    for rule in world.app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {arg: (world.old if isinstance(rule._converters.get(arg), IntegerConverter) else KEY)
                  for arg in rule.arguments if arg not in (rule.defaults or {})}
        paths.add(world.app.url_map.bind("localhost").build(rule.endpoint, values, method="GET"))
    for special in {sp.name for sp in world.site.special_pages.values()}:
        paths.add(f"/wiki/Special:{special}")
        paths.add(f"/wiki/Special:{special}/{KEY}")
    for action in ("view", "edit", "raw", *world.site.page_actions):
        paths.add(f"/wiki/{KEY}?action={action}&oldid={world.old}&diff={world.new}&feed=atom")
    return sorted(paths)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_hides_account_pages(world, role):
    seen = []
    for path in _sweep_paths(world):
        url = path + (SWEEP_QUERY if "?" not in path else "")
        response = world.get(role, url)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, f"{url}: {body[-2000:]}"
        seen.append(path)
        if SEES[role]:
            continue
        assert MARKER not in body, f"{role} reads the secret text at {url}"
        assert "first draft" not in body and "second revision" not in body, f"{role} reads the history at {url}"
        if KEY not in path:
            assert TITLE not in body and KEY not in body, f"{role} learns the secret title at {url}"
    assert any(p.startswith("/api/v1/pages/") for p in seen) and any(p.startswith("/portal/") for p in seen)


def test_sweep_reaches_the_secret_for_those_who_may_read(world):
    """The sweep is not vacuous: the page view and the API do show the secret to its account."""
    for role in ("customer_a", "staff"):
        assert MARKER in world.get(role, f"/wiki/{KEY}").get_data(as_text=True)
        assert MARKER in world.get(role, f"/api/v1/pages/{KEY}").get_data(as_text=True)


#: The user-management, account-management and plugin-switching routes, for every role: (method,
#: path, form, roles that succeed).  Success is 200 for a page and a redirect for a change; every
#: other role gets 403 and changes nothing.  ``{alpha}``, ``{zed}`` (a contact of account A) and
#: ``{site}`` (a site of account A) are filled in; successful changes are undone after each probe.
ADMIN_ONLY, STAFF_SIDE = {"admin"}, {"staff", "admin"}
MANAGEMENT = [
    ("GET", "/wiki/Special:UserRights", None, ADMIN_ONLY),
    ("GET", "/wiki/Special:UserRights/Bea", None, ADMIN_ONLY),
    ("POST", "/wiki/Special:UserRights/Zed", {"action": "disable"}, ADMIN_ONLY),
    ("POST", "/wiki/Special:UserRights/Bea", {"action": "rights", "role": "customer"}, ADMIN_ONLY),
    ("POST", "/portal/accounts/{alpha}/contacts/{zed}/remove", {}, STAFF_SIDE),
    ("POST", "/portal/accounts/{alpha}/contacts/{zed}/primary", {}, STAFF_SIDE),
    ("POST", "/portal/accounts/{alpha}/sites/{site}/remove", {}, STAFF_SIDE),
    ("GET", "/wiki/Special:Plugins", None, ADMIN_ONLY),
    ("POST", "/wiki/Special:Plugins", {"plugin": "billing", "switch": "off"}, ADMIN_ONLY),
]


def _alpha_fixture(site) -> dict[str, int]:
    """Make Zed an active, authorised contact of account A with one site, and every plugin on,
    as before any probe."""
    with site.db.write() as session:
        session.execute(delete(PluginState))
        alpha = session.scalar(select(Account.id).where(Account.name == "Alpha"))
        zed = find_user(session, "Zed") or create_user(session, "Zed", "customer", email="zed@alpha.test",
                                                       account="Alpha")
        zed.account_id, zed.disabled = alpha, False
        session.execute(delete(AccountContact).where(AccountContact.user_id == zed.id))
        session.add(AccountContact(account_id=alpha, user_id=zed.id, kind="authorised"))
        site_row = session.scalar(select(AccountSite).where(AccountSite.account_id == alpha)) \
            or AccountSite(account_id=alpha, label="HQ", address="1 Alpha Road")
        session.add(site_row)
        session.flush()
        return {"alpha": alpha, "zed": zed.id, "site": site_row.id}


def _alpha_state(site) -> tuple:
    with site.db.read() as session:
        zed = find_user(session, "Zed")
        kind = session.scalar(select(AccountContact.kind).where(AccountContact.user_id == zed.id))
        sites = session.scalar(select(func.count(AccountSite.id)))
        bea = find_user(session, "Bea")
        switched_off = sorted(session.scalars(select(PluginState.name).where(PluginState.enabled.is_(False))))
        return zed.account_id, zed.disabled, kind, sites, bea.role, switched_off


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", MANAGEMENT, ids=[f"{m} {p}" for m, p, *_ in MANAGEMENT])
def test_user_and_account_management_routes(world, route, role):
    method, path, form, allowed = route
    ids = _alpha_fixture(world.site)
    before = _alpha_state(world.site)
    client = world.clients[role]
    url = path.format(**ids)
    if method == "GET":
        response = client.get(url)
        assert response.status_code == (200 if role in allowed else 403), response.get_data(as_text=True)[-1500:]
        return
    response = client.post(url, data={**form, "csrf_token": csrf_token(client)})
    if role not in allowed:
        assert response.status_code == 403, response.get_data(as_text=True)[-1500:]
        assert _alpha_state(world.site) == before, f"{role} changed something through {url}"
        return
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    if path.endswith(("/remove", "/primary", "Special:Plugins")) or form.get("action") == "disable":
        assert _alpha_state(world.site) != before, f"{role} changed nothing through {url}"


#: Titles in namespaces that only a service fills: the tickets plugin's, and the test plugin's.
SERVICE_TITLES = ("Ticket:1317", "Record:7")


def _write_key(world, role: str) -> str:
    with world.site.db.write() as session:
        return create_api_key(session, find_user(session, USERS[role][0]), scope="write")[1]


def _by_edit_form(world, role: str, title: str):
    client = world.clients[role]
    return client.post(f"/wiki/{title}?action=submit", data={"text": "Made by hand", "summary": "",
                                                              "csrf_token": csrf_token(client)})


def _by_api_put(world, role: str, title: str):
    """With a write key; a visitor has none and writes through the browser session instead."""
    if role == "anonymous":
        client = world.clients[role]
        headers = {"X-CSRFToken": csrf_token(client)}
    else:
        client, headers = world.app.test_client(), {"Authorization": f"Bearer {_write_key(world, role)}"}
    return client.put(f"/api/v1/pages/{title}", json={"text": "Made by hand"}, headers=headers)


def _by_moving_in(world, role: str, title: str):
    """Move a draft of the role's own (one any signed-in user may move) onto ``title``."""
    source = f"Draft:{role} {title.replace(':', ' ')} {world.new}"
    save(world.site, source, "A draft to move")
    client = world.clients[role]
    response = client.post(f"/wiki/{source.replace(' ', '_')}?action=move", data={
        "newtitle": title, "reason": "", "redirect": "1", "csrf_token": csrf_token(client)})
    if response.status_code == 302:
        client.get(response.headers["Location"])  # shows (and so ends) the move's flash message
    return response


CREATE_ROUTES = {"edit form": _by_edit_form, "API PUT": _by_api_put, "move in": _by_moving_in}


def _exists(world, title: str) -> bool:
    with world.site.db.read() as session:
        return world.site.get_page(session, world.site.titles.parse(title)) is not None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", CREATE_ROUTES)
@pytest.mark.parametrize("title", SERVICE_TITLES)
def test_no_role_makes_pages_where_a_service_does(world, title, route, role):
    response = CREATE_ROUTES[route](world, role, title)
    body = response.get_data(as_text=True)
    assert response.status_code in (401, 403), body[-1500:]
    # staff and admins pass every other check on every route, and so does everyone signed in
    # on Record: (others may be stopped first, by read rights or the draft's move right)
    if role in ("staff", "admin") or (title.startswith("Record:") and role != "anonymous"):
        assert "nobody creates or moves them by hand" in body, body[-1500:]
    assert not _exists(world, title), f"{role} made {title} through the {route}"


@pytest.mark.parametrize("route", CREATE_ROUTES)
def test_the_same_routes_make_pages_where_people_do(world, route):
    """The refusals above come from the namespaces, not from broken requests."""
    title = f"Draft:Made through the {route} {world.new}"
    response = CREATE_ROUTES[route](world, "customer_b", title)
    assert response.status_code in (200, 201, 302), response.get_data(as_text=True)[-1500:]
    assert _exists(world, title)


# --- edits, previews and base revisions --------------------------------------------------------
#
# A preview renders as its reader; a page a role may not read answers exactly as a page that is
# not there (never "Creating"); a revision named as the base of an edit must be a revision of
# the page being saved that the editor may read.  ``{name}`` is the role's user name.

#: Who may edit account A's ticket (its customers and staff); analysts only read it.
EDITS_TICKET = {"customer_a", "staff", "admin"}
_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]+')


def _name(role: str) -> str:
    return USERS[role][0] if role in USERS else "Nobody"


def _submit(world, role: str, path: str, **form):
    client = world.clients[role]
    return client.post(path.format(name=_name(role)), data={"csrf_token": csrf_token(client), **form})


def _as_missing(response, title: str) -> tuple[int, str]:
    """An answer about ``title`` with the title (and the CSRF token) written out, to compare
    the answers about two titles."""
    body = _TOKEN.sub(r"\1TOKEN", response.get_data(as_text=True))
    key = title.replace(" ", "_")
    for spelling in (quote(key, safe=""), key, title):
        body = body.replace(spelling, "TITLE")
    return response.status_code, body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["", "?action=edit", "?action=edit&section=new", "?action=history"])
def test_a_ticket_the_role_may_not_read_answers_like_a_missing_one(world, action, role):
    response = world.get(role, f"/wiki/{TICKET}{action}")
    body = response.get_data(as_text=True)
    if SEES[role]:
        assert response.status_code in (200, 403) and NOTE_MARKER not in body
        if role in EDITS_TICKET or not action.startswith("?action=edit"):
            assert response.status_code == 200 and "Creating" not in body
        return
    assert _as_missing(response, TICKET) == _as_missing(world.get(role, f"/wiki/{UNUSED}{action}"), UNUSED)
    assert TICKET_MARKER not in body and "Creating" not in body


@pytest.mark.parametrize("role", [role for role in ROLES if SEES[role]])  # to the others the ticket looks missing
def test_the_discussion_tab_shows_the_note_only_to_its_readers(world, role):
    discussion = tab(world.get(role, f"/wiki/{TICKET}").get_data(as_text=True), "Discussion")
    assert discussion and (" new" in discussion) == (role == "customer_a"), discussion


@pytest.mark.parametrize("role", ROLES)
def test_preview_on_a_ticket_renders_as_the_reader(world, role):
    text = f"{{{{:{TICKET}}}}} {{{{:{NOTE}}}}} {{{{#ifexist:{NOTE}|NOTEEXISTS|NOTEMISSING}}}}"
    response = _submit(world, role, f"/wiki/{TICKET}?action=submit", text=text, preview="1")
    body = response.get_data(as_text=True)
    assert NOTE_MARKER not in body
    if role in EDITS_TICKET:
        assert response.status_code == 200, body[-1500:]
        assert TICKET_MARKER in preview_of(body) and "NOTEMISSING" in preview_of(body)
        return
    assert response.status_code == 403 and TICKET_MARKER not in body
    if not SEES[role]:
        missing = _submit(world, role, f"/wiki/{UNUSED}?action=submit", text=text, preview="1")
        assert _as_missing(response, TICKET) == _as_missing(missing, UNUSED)


@pytest.mark.parametrize("role", ROLES)
def test_preview_elsewhere_shows_nothing_some_reader_of_that_page_may_not_read(world, role):
    text = (f"{{{{:{TITLE}}}}} {{{{:{TICKET}}}}} {{{{#ifexist:{TITLE}|SECRETEXISTS|SECRETMISSING}}}} "
            f"{{{{#ifexist:{TICKET}|TICKETEXISTS|TICKETMISSING}}}} [[{TICKET}]]")
    response = _submit(world, role, "/wiki/User:{name}/Scratch?action=submit", text=text, preview="1")
    if role == "anonymous":
        assert response.status_code == 403
        return
    shown = preview_of(response.get_data(as_text=True))
    assert response.status_code == 200 and "SECRETMISSING" in shown and "TICKETMISSING" in shown
    assert MARKER not in shown and TICKET_MARKER not in shown and 'class="new"' in shown


#: Edits that name another page's revision as their base: (name, path, form fields).
COPIES = [
    ("section=new", "/wiki/User:{name}/Copy?action=submit", {"section": "new", "subject": "Copy"}),
    ("section=0", "/wiki/User:{name}/Copy?action=submit", {"section": "0"}),
    ("plain save", "/wiki/User:{name}/Copy?action=submit", {}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("source", list(COPY_SOURCES))
@pytest.mark.parametrize("copy", COPIES, ids=[c[0] for c in COPIES])
def test_no_role_copies_a_revision_by_naming_it_as_base(world, copy, source, role):
    _, path, form = copy
    revision = world.sources[source]
    response = _submit(world, role, path, text="hello", base_revision_id=str(revision), save="1", **form)
    body = response.get_data(as_text=True)
    assert response.status_code == (403 if role == "anonymous" else 400), body[-1500:]
    if role != "anonymous":
        assert f"Revision {revision} is not a revision of User:{_name(role)}/Copy." in body
    for marker in (MARKER, "first draft", TICKET_MARKER, NOTE_MARKER, DELETED_MARKER):
        assert marker not in body
    copy_page = world.get("anonymous", f"/wiki/User:{_name(role)}/Copy")
    assert copy_page.status_code == 404, f"{role} stored a copy of {source}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("source", list(COPY_SOURCES))
def test_the_api_refuses_another_pages_revision_as_base(world, source, role):
    client = world.clients[role]
    revision = world.sources[source]
    response = client.put(f"/api/v1/pages/User:{_name(role)}/Api_copy",
                          json={"text": "x", "base_revision_id": revision}, headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == (401 if role == "anonymous" else 400), response.get_json()
    assert world.get("anonymous", f"/api/v1/pages/User:{_name(role)}/Api_copy").status_code == 404

