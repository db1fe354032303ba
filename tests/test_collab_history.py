"""History, diffs, old revisions, undo, restore and rollback (wiki.collab)."""

from __future__ import annotations

import re

import pytest

from tests.support.wiki import add_user, csrf_token, current_text, login, save
from wiki.app import create_app
from wiki.collab.diff import diff_hunks, word_diff


@pytest.fixture
def staff(site):
    return add_user(site, "Alice", "staff"), add_user(site, "Bob", "staff")


def _revisions(site, title):
    from sqlalchemy import select

    from wiki.models import Revision
    with site.db.read() as session:
        page = site.get_page(session, site.titles.parse(title))
        return list(session.scalars(select(Revision).where(Revision.page_id == page.id).order_by(Revision.id)))


def test_word_diff_marks_only_changed_words_and_escapes():
    old, new = word_diff("the <b>quick</b> fox", "the <b>slow</b> fox")
    assert old == "the &lt;b&gt;<del>quick</del>&lt;/b&gt; fox"
    assert new == "the &lt;b&gt;<ins>slow</ins>&lt;/b&gt; fox"


def test_diff_hunks_pair_changed_lines_and_keep_context():
    old = "\n".join(f"line {i}" for i in range(1, 21))
    new = old.replace("line 10", "line ten").replace("line 20", "line 20\nadded")
    hunks = diff_hunks(old, new)
    assert len(hunks) == 2
    kinds = [[row.kind for row in h.rows] for h in hunks]
    assert kinds[0] == ["context", "context", "change", "context", "context"]
    assert kinds[1] == ["context", "context", "add"]
    assert hunks[0].old_start == 8
    assert diff_hunks("same", "same") == []


def test_history_lists_every_revision_with_size_change_and_compare_form(site, client, staff):
    alice, bob = staff
    save(site, "Foo", "one", alice, summary="created")
    save(site, "Foo", "one two three", bob, summary="longer", minor=True)
    save(site, "Foo", "one", alice, summary="shorter")
    html = client.get("/wiki/Foo?action=history").get_data(as_text=True)
    assert html.count('name="oldid"') == 3 and html.count('name="diff"') == 3
    for text in ("created", "longer", "shorter", "Alice", "Bob", "(+10)", "(-10)", "N 3", 'class="minoredit"'):
        assert text in html, text
    assert "3 revision(s)" in html


def test_history_of_missing_page_is_404(client):
    assert client.get("/wiki/Nothing_here?action=history").status_code == 404


@pytest.mark.parametrize("mode", ["inline", "sidebyside"])
def test_diff_between_two_revisions_highlights_words(site, client, staff, mode):
    alice, _ = staff
    r1 = save(site, "Foo", "alpha\nbeta gamma\ndelta", alice).revision.id
    save(site, "Foo", "alpha\nbeta GAMMA\ndelta\nepsilon", alice)
    r3 = save(site, "Foo", "alpha\nbeta GAMMA\ndelta\nepsilon zeta", alice).revision.id
    response = client.get(f"/wiki/Foo?diff={r3}&oldid={r1}&diffmode={mode}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<del>gamma</del>" in html and "<ins>GAMMA</ins>" in html
    assert "epsilon zeta" in html
    assert f"diff-{mode}" in html


def test_diff_prev_next_cur_and_swapped_order(site, client, staff):
    alice, _ = staff
    ids = [save(site, "Foo", text, alice).revision.id for text in ("a", "a b", "a b c")]
    prev = client.get(f"/wiki/Foo?diff=prev&oldid={ids[1]}").get_data(as_text=True)
    assert f"Old revision {ids[0]}" in prev and f"New revision {ids[1]}" in prev
    nxt = client.get(f"/wiki/Foo?diff=next&oldid={ids[0]}").get_data(as_text=True)
    assert f"Old revision {ids[0]}" in nxt and f"New revision {ids[1]}" in nxt
    cur = client.get(f"/wiki/Foo?diff=cur&oldid={ids[0]}").get_data(as_text=True)
    assert f"New revision {ids[2]}" in cur
    swapped = client.get(f"/wiki/Foo?diff={ids[0]}&oldid={ids[2]}").get_data(as_text=True)
    assert f"Old revision {ids[0]}" in swapped and f"New revision {ids[2]}" in swapped
    first = client.get(f"/wiki/Foo?diff={ids[0]}").get_data(as_text=True)
    assert "(page created)" in first


def test_diff_rejects_bad_and_foreign_revisions(site, client, staff):
    alice, _ = staff
    save(site, "Foo", "a", alice)
    other = save(site, "Bar", "b", alice).revision.id
    assert client.get(f"/wiki/Foo?diff={other}").status_code == 404
    bad = client.get("/wiki/Foo?diff=abc")
    assert bad.status_code == 400 and "diff must be a revision number" in bad.get_data(as_text=True)
    assert client.get("/wiki/Foo?diff=prev&diffmode=fancy").status_code == 400


def test_undo_merges_reverse_change_onto_current_text(site, client, staff):
    alice, bob = staff
    r1 = save(site, "Foo", "first\nsecond\nthird", alice).revision.id
    r2 = save(site, "Foo", "first\nSECOND\nthird", bob).revision.id
    save(site, "Foo", "first\nSECOND\nthird\nfourth", alice)
    login(client, "Alice")
    html = client.get(f"/wiki/Foo?action=edit&undo={r2}&undoafter={r1}").get_data(as_text=True)
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S).group(1)
    assert textarea == "first\nsecond\nthird\nfourth"
    assert f"Undo revision {r2} by Bob" in html


def test_undo_is_refused_clearly_when_later_edits_touch_the_same_lines(site, client, staff):
    alice, bob = staff
    r1 = save(site, "Foo", "first\nsecond", alice).revision.id
    r2 = save(site, "Foo", "first\nSECOND", bob).revision.id
    save(site, "Foo", "first\nSECOND!!", alice)
    login(client, "Alice")
    response = client.get(f"/wiki/Foo?action=edit&undo={r2}&undoafter={r1}")
    assert response.status_code == 409
    assert "could not be undone" in response.get_data(as_text=True)


def test_restore_old_revision_prefills_edit_form_and_saves(site, client, staff):
    alice, bob = staff
    r1 = save(site, "Foo", "good text", alice).revision.id
    r2 = save(site, "Foo", "vandalised", bob).revision.id
    login(client, "Alice")
    html = client.get(f"/wiki/Foo?action=edit&oldid={r1}").get_data(as_text=True)
    assert ">good text</textarea>" in html and f"Restore revision {r1} by Alice" in html
    token = csrf_token(client, "/wiki/Foo?action=edit")
    response = client.post("/wiki/Foo?action=submit", data={"csrf_token": token, "text": "good text",
                                                              "summary": f"Restore revision {r1}",
                                                              "base_revision_id": str(r2)})
    assert response.status_code == 302
    assert current_text(site, "Foo") == "good text"
    old_view = client.get(f"/wiki/Foo?oldid={r1}").get_data(as_text=True)
    assert "Restore this version" in old_view


def test_rollback_reverts_consecutive_edits_of_last_author(site, client, staff):
    alice, bob = staff
    save(site, "Foo", "clean", alice)
    for text in ("spam 1", "spam 2", "spam 3"):
        save(site, "Foo", text, bob)
    login(client, "Alice")
    history = client.get("/wiki/Foo?action=history").get_data(as_text=True)
    assert "Roll back the latest edits by Bob" in history
    token = csrf_token(client, "/wiki/Foo?action=history")
    assert client.post("/wiki/Foo?action=rollback", data={"from": "Bob"}).status_code == 400  # no CSRF token
    response = client.post("/wiki/Foo?action=rollback", data={"from": "Bob", "csrf_token": token})
    assert response.status_code == 302
    assert current_text(site, "Foo") == "clean"
    latest = _revisions(site, "Foo")[-1]
    assert latest.user_text == "Alice" and "Reverted edits by Bob" in latest.summary and latest.minor
    again = client.post("/wiki/Foo?action=rollback", data={"from": "Bob", "csrf_token": token})
    assert again.status_code == 409 and "not Bob" in again.get_data(as_text=True)


def test_rollback_is_for_staff_only(site, staff):
    alice, bob = staff
    add_user(site, "Ann", "analyst")
    save(site, "Foo", "clean", alice)
    save(site, "Foo", "spam", bob)
    client = create_app(site=site).test_client()
    login(client, "Ann")
    token = csrf_token(client, "/wiki/Foo")
    response = client.post("/wiki/Foo?action=rollback", data={"from": "Bob", "csrf_token": token})
    assert response.status_code == 403
    assert current_text(site, "Foo") == "spam"


def test_new_section_on_talk_page_appends_heading_and_signature(site, client, staff):
    alice, _ = staff
    save(site, "Talk:Foo", "## Old topic\n\nHello", alice)
    login(client, "Alice")
    page = client.get("/wiki/Foo").get_data(as_text=True)
    assert ">Discussion</a>" in page and "/wiki/Talk:Foo" in page
    form = client.get("/wiki/Talk:Foo?action=edit&section=new").get_data(as_text=True)
    assert 'name="subject"' in form
    token = csrf_token(client, "/wiki/Talk:Foo?action=edit&section=new")
    base = _revisions(site, "Talk:Foo")[-1].id
    response = client.post("/wiki/Talk:Foo?action=submit", data={
        "csrf_token": token, "section": "new", "subject": "Printer broken", "text": "It jams. ~~~~",
        "base_revision_id": str(base), "summary": ""})
    assert response.status_code == 302
    text = current_text(site, "Talk:Foo")
    assert text.startswith("## Old topic\n\nHello\n\n## Printer broken\n\nIt jams. ")
    assert "~~~~" not in text and "Alice" in text
    assert _revisions(site, "Talk:Foo")[-1].summary == "New section: Printer broken"


def test_discussion_tab_is_red_when_talk_page_is_missing(site, client, staff):
    save(site, "Foo", "text", staff[0])
    html = client.get("/wiki/Foo").get_data(as_text=True)
    assert re.search(r'<a href="/wiki/Talk:Foo" class="[^"]*new[^"]*">Discussion</a>', html)


def test_api_revisions_newest_first(site, staff):
    alice, _ = staff
    for text in ("a", "b", "c"):
        save(site, "Foo", text, alice, summary=text)
    client = create_app(site=site).test_client()
    body = client.get("/api/v1/pages/Foo/revisions?limit=2").get_json()
    assert [r["summary"] for r in body["revisions"]] == ["c", "b"]
