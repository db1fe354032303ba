"""Editing while others save: 20 concurrent writers over real HTTP, and two browsers."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select

from tests.support.live_server import LiveServer
from tests.support.wiki import PASSWORD, add_user, current_text, save
from wiki.accounts import create_api_key, find_user
from wiki.app import create_app
from wiki.models import Revision

WRITERS = 20


def _api_key(site, name: str) -> str:
    add_user(site, name, "staff")
    with site.db.write() as session:
        return create_api_key(session, find_user(session, name), scope="write")[1]


def _writer(base_url: str, key: str, index: int, accepted: list, errors: list) -> None:
    """Change line ``index`` of the page, re-reading and retrying after every conflict."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {key}"
    url = f"{base_url}/api/v1/pages/Shared_page"
    try:
        for _attempt in range(50):
            page = http.get(url, timeout=60).json()
            lines = page["text"].split("\n")
            lines[index] = f"line {index}: changed by writer {index}"
            response = http.put(url, json={"text": "\n".join(lines), "summary": f"writer {index}",
                                           "base_revision_id": page["revision_id"]}, timeout=60)
            if response.status_code == 409:
                continue
            response.raise_for_status()
            body = response.json()
            accepted.append((index, body["revision_id"], body["changed"], body["merged"]))
            return
        errors.append(f"writer {index} gave up after 50 conflicts")
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(f"writer {index}: {exc!r}")


def test_twenty_concurrent_writers_each_keep_their_line(any_site):
    site = any_site
    original = "\n".join(f"line {i}: original" for i in range(WRITERS))
    first = save(site, "Shared page", original).revision.id
    keys = [_api_key(site, f"Writer{i}") for i in range(WRITERS)]
    accepted: list = []
    errors: list = []
    with LiveServer(create_app(site=site)) as server:
        start = threading.Barrier(WRITERS)

        def run(i: int) -> None:
            start.wait()
            _writer(server.url, keys[i], i, accepted, errors)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert errors == []
    assert sorted(i for i, *_ in accepted) == list(range(WRITERS))
    assert current_text(site, "Shared page") == "\n".join(
        f"line {i}: changed by writer {i}" for i in range(WRITERS))
    with site.db.read() as session:
        page = site.get_page(session, site.titles.parse("Shared page"))
        revisions = session.scalars(select(Revision).where(Revision.page_id == page.id, Revision.id != first)).all()
    saved = {rev for _, rev, changed, _ in accepted if changed}
    assert len(saved) == WRITERS and {r.id for r in revisions} == saved
    assert {r.summary for r in revisions} == {f"writer {i}" for i in range(WRITERS)}


def _sign_in(context, base_url: str, name: str):
    page = context.new_page()
    page.goto(f"{base_url}/wiki/Special:UserLogin")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_url(f"{base_url}/wiki/**")
    return page


@pytest.mark.browser
@pytest.mark.parametrize("overlap", [False, True])
def test_two_browsers_edit_the_same_page(site, chromium, overlap):
    add_user(site, "Alice", "staff")
    add_user(site, "Bob", "staff")
    save(site, "Meeting notes", "Agenda\n\nfirst point\n\nsecond point")
    with LiveServer(create_app(site=site)) as server:
        contexts = [chromium.new_context(), chromium.new_context()]
        try:
            alice = _sign_in(contexts[0], server.url, "Alice")
            bob = _sign_in(contexts[1], server.url, "Bob")
            for page in (alice, bob):
                page.goto(f"{server.url}/wiki/Meeting_notes?action=edit")
            alice.fill("textarea[name=text]", "Agenda\n\nfirst point, by Alice\n\nsecond point")
            alice.click("button[name=save]")
            alice.wait_for_url(f"{server.url}/wiki/Meeting_notes")
            bob_text = ("Agenda\n\nfirst point, by Bob\n\nsecond point" if overlap
                        else "Agenda\n\nfirst point\n\nsecond point, by Bob")
            bob.fill("textarea[name=text]", bob_text)
            bob.click("button[name=save]")
            bob.wait_for_load_state()
            if not overlap:
                assert bob.url == f"{server.url}/wiki/Meeting_notes"
                assert current_text(site, "Meeting notes") == (
                    "Agenda\n\nfirst point, by Alice\n\nsecond point, by Bob")
                return
            assert "Edit conflict" in bob.content()
            assert bob.input_value("textarea[name=yourtext]") == bob_text
            assert "first point, by Alice" in bob.input_value("textarea[name=text]")
            assert bob.locator("table.diff ins").count() >= 1
            bob.fill("textarea[name=text]", "Agenda\n\nfirst point, by Alice and Bob\n\nsecond point")
            bob.click("button[name=save]")
            bob.wait_for_url(f"{server.url}/wiki/Meeting_notes")
            assert current_text(site, "Meeting notes") == "Agenda\n\nfirst point, by Alice and Bob\n\nsecond point"
            with site.db.read() as session:
                page = site.get_page(session, site.titles.parse("Meeting notes"))
                count = session.scalar(select(func.count()).select_from(Revision).where(Revision.page_id == page.id))
            assert count == 3
        finally:
            for context in contexts:
                context.close()
