"""The search index follows the database: saves, deletions, moves, undeletions and access
changes reach it after the commit, ranked and permission-filtered, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, update
from whoosh import index

from tests.support.wiki import add_user, save
from wiki.collab.moves import delete_page, move_page, undelete_page
from wiki.hookspecs import hookimpl
from wiki.models import Page
from wiki.namespaces import Namespace
from wiki.permissions import ANONYMOUS, SYSTEM
from wiki.search import documents, whoosh_backend
from wiki.search.backend import SearchQuery
from wiki.search.indexer import apply_queue, check, maintain, rebuild
from wiki.search.models import SearchQueueItem
from wiki.search.query import parse_query
from wiki.search.service import exact_match, search_pages, title_suggestions
from wiki.search.whoosh_backend import MERGE_FACTOR

STAFF_ONLY = 3900


class SecretNamespacePlugin:
    """A namespace only staff may read, as a plugin would add one."""

    @hookimpl
    def register_namespaces(self):
        rights = (("read", ("staff", "admin")), ("create", ("staff", "admin")), ("edit", ("staff", "admin")))
        return [Namespace(STAFF_ONLY, "Internal", rights=rights, source="test")]


class StatusFieldsPlugin:
    """Makes ``{{Issue|status=..|priority=..}}`` values searchable, as the fields plugin will."""

    @hookimpl
    def search_fields(self, site, session, page, revision, output):
        fields = {}
        for call in output.template_calls:
            if call.title.text == "Issue":
                for key in ("status", "priority"):
                    if key in call.params:
                        fields[key] = [call.params[key]]
        return fields


def titles(site, text, actor=SYSTEM, **kwargs):
    with site.db.read() as session:
        query = parse_query(text, site.namespaces, kwargs.pop("namespaces", ()))
        return [f.title.prefixed for f in search_pages(site, session, actor, query, **kwargs).results]


def queued(site):
    with site.db.read() as session:
        return session.scalar(select(func.count()).select_from(SearchQueueItem))


def test_a_saved_page_is_found_at_once_and_the_outbox_is_empty(any_site):
    save(any_site, "Printer setup", "Connect the printers to the office network.")
    assert titles(any_site, "printer") == ["Printer setup"]
    assert titles(any_site, "connecting") == ["Printer setup"]
    save(any_site, "Printer setup", "Now it is about scanners.")
    assert titles(any_site, "connecting") == []
    assert titles(any_site, "scanner") == ["Printer setup"]
    assert queued(any_site) == 0
    assert check(any_site) == []


def test_title_matches_rank_above_text_matches(site):
    save(site, "Network troubleshooting", "Steps for when things break.")
    save(site, "Office guide", "Ask about the network at the desk; the network is slow on Mondays.")
    assert titles(site, "network") == ["Network troubleshooting", "Office guide"]


def test_phrases_prefixes_and_boolean_operators(site):
    save(site, "Jam", "The paper jam light blinks.")
    save(site, "Other", "Paper is in the drawer; a jam of traffic.")
    assert titles(site, '"paper jam"') == ["Jam"]
    assert sorted(titles(site, "draw*")) == ["Other"]
    assert sorted(titles(site, "paper NOT blinks")) == ["Other"]
    assert sorted(titles(site, "blinks OR drawer")) == ["Jam", "Other"]


def test_arabic_and_chinese_words_are_found_in_mixed_pages(site):
    save(site, "Mixed", "The printer الطابعةُ في المكتبة broke: 我们的打印机坏了。")
    for query in ("طابعه", "بالطابعة", "مكتبه", "打印", "打印机", "机", "printers"):
        assert titles(site, query) == ["Mixed"], query


def test_snippets_highlight_matches_and_escape_html(site):
    save(site, "Snippet", "Markup goes: <script>alert(1)</script> but x < 3 & y > 2 and the keyword stays.")
    with site.db.read() as session:
        page = search_pages(site, session, SYSTEM, parse_query("keyword", site.namespaces))
    snippet = page.results[0].snippet
    assert '<mark class="searchmatch term0">keyword</mark>' in snippet
    assert "<script>" not in snippet and "alert" not in snippet
    assert "x &lt; 3 &amp; y &gt; 2" in snippet


def test_namespace_and_category_filters(site):
    save(site, "Help:Toner", "Replace the toner. [[Category:Printers]]")
    save(site, "Toner order", "Order toner from the supplier.")
    assert sorted(titles(site, "toner")) == ["Help:Toner", "Toner order"]
    assert titles(site, "toner", namespaces=[12]) == ["Help:Toner"]
    assert titles(site, "Help:toner") == ["Help:Toner"]
    assert titles(site, "toner incategory:Printers") == ["Help:Toner"]
    assert titles(site, "incategory:printers") == ["Help:Toner"]


def test_field_filters_come_from_the_search_fields_hook(make_site):
    site = make_site(plugins=["wiki.search.hooks", StatusFieldsPlugin()])
    save(site, "T1", "{{Issue|status=open|priority=P1}} The VPN drops.")
    save(site, "T2", "{{Issue|status=closed|priority=P1}} The VPN was slow.")
    assert titles(site, "vpn status:open") == ["T1"]
    assert sorted(titles(site, "priority:p1")) == ["T1", "T2"]
    assert titles(site, "status:Closed priority:P1") == ["T2"]
    assert titles(site, "status:pending") == []


def test_did_you_mean_offers_corrections_that_find_pages(site):
    save(site, "Printer", "The printer needs paper.")
    with site.db.read() as session:
        found = search_pages(site, session, SYSTEM, parse_query("printr paper", site.namespaces))
    assert found.total == 0 and found.suggestion == "printer paper"


def test_did_you_mean_offers_words_not_stems(site):
    save(site, "Router guide", "Configuring the router takes a minute.")
    with site.db.read() as session:
        found = search_pages(site, session, SYSTEM, parse_query("configurng", site.namespaces))
    assert found.suggestion == "configuring"


def test_pages_created_together_are_indexed_after_the_commit(site):
    from wiki.pages import save_page

    with site.db.write() as session:
        # The second page's insert runs in a savepoint; releasing it is not the commit.
        save_page(site, session, site.titles.parse("First new"), "twin pelican", SYSTEM)
        save_page(site, session, site.titles.parse("Second new"), "twin pelican", SYSTEM)
        assert queued(site) == 0  # another connection sees nothing before the commit
    assert sorted(titles(site, "pelican")) == ["First new", "Second new"]
    assert queued(site) == 0


def test_paging_counts_every_hit(site):
    for n in range(5):
        save(site, f"Page {n}", "common words here")
    with site.db.read() as session:
        first = search_pages(site, session, SYSTEM, parse_query("common", site.namespaces), limit=2)
        last = search_pages(site, session, SYSTEM, parse_query("common", site.namespaces), limit=2, offset=4)
    assert first.total == last.total == 5
    assert len(first.results) == 2 and len(last.results) == 1


def test_customers_see_only_their_account_and_open_namespaces(make_site):
    site = make_site(backend="sqlite", plugins=["wiki.search.hooks", SecretNamespacePlugin()])
    acme = add_user(site, "Ann", role="customer", account="Acme")
    globex = add_user(site, "Gus", role="customer", account="Globex")
    staff = add_user(site, "Sam", role="staff")
    save(site, "Acme contract", "Router password is swordfish.", account_id=acme.account_id)
    save(site, "Globex contract", "Router password is hunter2.", account_id=globex.account_id)
    save(site, "Internal:Router notes", "Router swordfish rotation plan.")
    save(site, "Router manual", "How to reset a router.")
    assert titles(site, "router", acme) == ["Router manual", "Acme contract"] or \
        sorted(titles(site, "router", acme)) == ["Acme contract", "Router manual"]
    assert sorted(titles(site, "router", globex)) == ["Globex contract", "Router manual"]
    assert titles(site, "swordfish", globex) == []
    assert titles(site, "hunter2", ANONYMOUS) == []
    assert sorted(titles(site, "router", staff)) == [
        "Acme contract", "Globex contract", "Internal:Router notes", "Router manual"]
    # Corrections and title suggestions never name what the actor may not read.
    with site.db.read() as session:
        assert search_pages(site, session, globex, parse_query("swordfsh", site.namespaces)).suggestion is None
        assert search_pages(site, session, acme, parse_query("swordfsh", site.namespaces)).suggestion == "swordfish"
        assert title_suggestions(site, session, globex, "acme") == []
        assert title_suggestions(site, session, acme, "acme") == ["Acme contract"]
        assert title_suggestions(site, session, staff, "internal:ro") == ["Internal:Router notes"]
        assert exact_match(site, session, globex, "Acme contract") is None


def test_hits_are_rechecked_with_the_policy(site):
    save(site, "Embargoed", "quarterly figures")
    site.policy.rules.append(lambda actor, action, title, page: "embargo" if title.text == "Embargoed" else None)
    visitor = add_user(site, "Vic", role="staff")
    assert titles(site, "quarterly", visitor) == []
    assert titles(site, "quarterly", SYSTEM) == ["Embargoed"]


def test_delete_undelete_and_move_follow_at_once(any_site):
    save(any_site, "Old name", "A unique zebra page.")
    admin = SYSTEM
    with any_site.db.write() as session:
        move_page(any_site, session, any_site.titles.parse("Old name"), any_site.titles.parse("New name"), admin,
                  leave_redirect=False)
    assert titles(any_site, "zebra") == ["New name"]
    with any_site.db.write() as session:
        delete_page(any_site, session, any_site.titles.parse("New name"), admin, reason="test")
    assert titles(any_site, "zebra") == []
    with any_site.db.write() as session:
        undelete_page(any_site, session, any_site.titles.parse("New name"), admin)
    assert titles(any_site, "zebra") == ["New name"]
    assert queued(any_site) == 0 and check(any_site) == []


def test_account_change_reaches_the_index(site):
    acme = add_user(site, "Ann", role="customer", account="Acme")
    result = save(site, "Shared doc", "walrus handbook")
    assert titles(site, "walrus", ANONYMOUS) == ["Shared doc"]
    with site.db.write() as session:
        page = session.get(Page, result.page.id)
        page.account_id = acme.account_id
        site.hook.page_access_changed(site=site, session=session, page=page, title=site.titles.parse("Shared doc"))
    assert titles(site, "walrus", ANONYMOUS) == []
    assert titles(site, "walrus", acme) == ["Shared doc"]


def test_a_rolled_back_save_leaves_nothing_queued_or_indexed(site):
    with pytest.raises(RuntimeError):
        with site.db.write() as session:
            from wiki.pages import save_page
            save_page(site, session, site.titles.parse("Ghost"), "phantom text", SYSTEM)
            raise RuntimeError("abort")
    assert queued(site) == 0 and titles(site, "phantom") == []
    save(site, "Real", "phantom again")
    assert titles(site, "phantom") == ["Real"]


def test_rebuild_and_check_repair_a_lost_index(site, monkeypatch):
    # Small jobs for two indexing processes, so the rebuild's parallel path does the work.
    monkeypatch.setattr(whoosh_backend, "BULK_PROCESSES", 2)
    monkeypatch.setattr(whoosh_backend, "BULK_JOB", 2)
    for n in range(7):
        save(site, f"Doc {n}", f"alpha text number {n}")
    site.search_backend.clear()
    drift = check(site)
    assert len(drift) == 7 and drift[0].problem == "not indexed"
    seen = []
    assert rebuild(site, progress=seen.append) == 7
    assert sum(seen) == 7 and check(site) == []
    assert len(titles(site, "alpha")) == 7


def test_concurrent_saves_all_reach_the_index(any_site):
    errors = []

    def writer(n):
        try:
            for i in range(5):
                save(any_site, f"Thread {n}", f"version {i} of racing page {n}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    apply_queue(any_site)
    assert check(any_site) == []
    assert len(titles(any_site, "racing")) == 4
    with any_site.db.read() as session:
        query = SearchQuery(text="version 4")
        assert search_pages(any_site, session, SYSTEM, query).total == 4


class CommitSpy:
    """Wraps the site's backend to run ``during_commit()`` just before each index commit."""

    def __init__(self, inner, during_commit):
        self.inner = inner
        self.during_commit = during_commit

    def __getattr__(self, name):
        return getattr(self.inner, name)

    @contextmanager
    def batch(self):
        with self.inner.batch() as batch:
            commit = batch.commit

            def spied_commit():
                self.during_commit()
                commit()

            batch.commit = spied_commit
            yield batch


def test_the_index_commits_outside_the_write_lock_and_before_the_queue_rows_go(any_site):
    """Saves never wait for the index, and a crash during the index commit loses no row."""
    seen = []

    def during_commit():
        seen.append(queued(any_site))

        def write_elsewhere():
            with any_site.db.write() as session:
                session.execute(update(Page).values(touched=func.now()))
            seen.append("written")

        writer = threading.Thread(target=write_elsewhere)
        writer.start()
        writer.join(timeout=10)
        assert not writer.is_alive(), "a database write waited for the index"

    any_site.search_backend = CommitSpy(any_site.search_backend, during_commit)
    save(any_site, "Ordering", "heron and egret")
    assert seen == [1, "written"]  # the row was still queued while the index committed
    assert queued(any_site) == 0 and titles(any_site, "egret") == ["Ordering"]


def test_a_row_queued_while_the_index_commits_stays_for_the_next_indexer(site):
    """An indexer deletes exactly the rows it read: a change committed meanwhile keeps its row."""
    page_id = save(site, "Racing", "first heron").page.id
    added: list[int] = []

    def queue_meanwhile():
        if not added:
            with site.db.write() as session:
                session.add(SearchQueueItem(page_id=page_id, reason="test"))
            added.append(page_id)

    site.search_backend = CommitSpy(site.search_backend, queue_meanwhile)
    with site.db.write() as session:
        session.add(SearchQueueItem(page_id=page_id, reason="test"))
    assert apply_queue(site) == 1 and added == [page_id] and queued(site) == 1
    assert apply_queue(site) == 1 and queued(site) == 0


def test_a_template_change_reindexes_the_pages_that_use_it(any_site):
    save(any_site, "Template:Device", "[[Category:Printers]]")
    save(any_site, "Toner guide", "{{Device}} Replace the toner.")
    assert titles(any_site, "toner incategory:Printers") == ["Toner guide"]
    save(any_site, "Template:Device", "[[Category:Scanners]]")
    assert titles(any_site, "toner incategory:Printers") == []
    assert titles(any_site, "toner incategory:Scanners") == ["Toner guide"]
    assert queued(any_site) == 0


def test_rebuild_renders_only_for_plugins_that_read_the_output(make_site, monkeypatch):
    site = make_site(plugins=["wiki.search.hooks", "wiki.fields.hooks"])
    save(site, "Plain", "{{Issue|status=open}} kestrel")
    renders = []
    real_render = documents.render
    monkeypatch.setattr(documents, "render", lambda *a, **kw: renders.append(1) or real_render(*a, **kw))
    assert rebuild(site) == 1 and renders == []
    assert titles(site, "kestrel") == ["Plain"]

    reading = make_site(plugins=["wiki.search.hooks", StatusFieldsPlugin()])
    save(reading, "T1", "{{Issue|status=open}} kestrel")
    assert rebuild(reading) == 1 and renders == [1]
    assert titles(reading, "kestrel status:open") == ["T1"]


def test_small_segments_are_merged_in_the_background_once_saves_pause(site):
    def segments():
        with index.open_dir(site.settings.search_path).reader() as reader:
            return len(list(reader.leaf_readers()))

    for n in range(MERGE_FACTOR + 2):
        save(site, f"Segment {n}", "osprey nest")
    deadline = time.monotonic() + 10
    while segments() >= MERGE_FACTOR and time.monotonic() < deadline:
        time.sleep(0.1)
    assert segments() < MERGE_FACTOR
    assert len(titles(site, "osprey", limit=20)) == MERGE_FACTOR + 2
    maintain(site)  # the search.merge job
    assert check(site) == []
