"""The save service: revisions, link tables, categories, dependents and the render cache,
on a SQLite file and on PostgreSQL."""

import pytest
from sqlalchemy import func, select

from tests.support.wiki import add_user, current_text, save
from wiki.hookspecs import hookimpl
from wiki.models import CategoryLink, Page, PageLink, RedirectLink, RenderCache, Revision, TemplateLink
from wiki.pages import MAX_PAGE_BYTES, SaveError
from wiki.permissions import ANONYMOUS, PermissionDenied
from wiki.rendering import render_revision


def count(site, model, **where):
    with site.db.read() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


def test_save_appends_immutable_revisions(any_site):
    first = save(any_site, "Help:Billing", "one", summary="start")
    second = save(any_site, "help:billing", "two\r\n", summary="  more   words ")
    assert first.created and not second.created
    with any_site.db.read() as session:
        revisions = session.scalars(select(Revision).order_by(Revision.id)).all()
        page = session.get(Page, first.page.id)
        assert [r.text for r in revisions if r.page_id == page.id] == ["one", "two"]
        assert revisions[-1].parent_id == first.revision.id
        assert revisions[-1].summary == "more words"
        assert page.latest_id == second.revision.id and page.length == 3
        assert revisions[-1].sha1 == "ad782ecdac770fc6eb9a62e44f90873fb97fb26b"


def test_unchanged_text_makes_no_revision(any_site):
    save(any_site, "Page", "same text")
    again = save(any_site, "Page", "same text\n\n")
    assert not again.changed and again.revision is None
    assert count(any_site, Revision) == 1


def test_links_templates_categories_and_redirects_are_recorded(any_site):
    save(any_site, "Template:Tagged", "{{Inner}}[[Category:From template]]")
    save(any_site, "Template:Inner", "inner [[Linked from inner]]")
    result = save(any_site, "Article", "See [[Other page]] and [[Help:Billing#Cards]].\n{{Tagged}}\n"
                                      "[[Category:Billing|Zeta]] [[:Category:Not a member]]")
    page_id = result.page.id
    with any_site.db.read() as session:
        links = set(session.execute(select(PageLink.namespace, PageLink.title).where(PageLink.from_id == page_id)))
        templates = set(session.execute(select(TemplateLink.title).where(TemplateLink.from_id == page_id)))
        cats = dict(session.execute(select(CategoryLink.category, CategoryLink.sortkey)
                                    .where(CategoryLink.from_id == page_id)).all())
    assert {(0, "Other page"), (12, "Billing"), (14, "Not a member"), (0, "Linked from inner")} <= links
    assert {("Tagged",), ("Inner",)} <= templates
    assert cats == {"Billing": "zeta", "From template": "article"}
    save(any_site, "Old name", "#REDIRECT [[Article#History]]")
    with any_site.db.read() as session:
        target = session.scalar(select(RedirectLink).join(Page, Page.id == RedirectLink.from_id)
                                .where(Page.title == "Old name"))
        assert (target.title, target.fragment) == ("Article", "History")


def test_link_tables_follow_edits(any_site):
    save(any_site, "A", "[[B]] [[Category:X]]")
    save(any_site, "A", "[[C]]")
    assert count(any_site, PageLink, title="B") == 0
    assert count(any_site, PageLink, title="C") == 1
    assert count(any_site, CategoryLink) == 0


def test_editing_a_template_updates_pages_that_use_it(any_site):
    save(any_site, "Template:Status", "Status: {{{1}}} [[Category:Old]]")
    page = save(any_site, "Help:Printer", "{{Status|open}}").page
    save(any_site, "Template:Wrapper", "{{Status|wrapped}}")
    wrapped = save(any_site, "Wrapped", "{{Wrapper}}").page
    save(any_site, "Template:Status", "State is {{{1}}} [[Category:New]] [[Linked]]")
    with any_site.db.read() as session:
        for pid in (page.id, wrapped.id):
            assert session.scalars(select(CategoryLink.category).where(CategoryLink.from_id == pid)).all() == ["New"]
            assert session.scalar(select(PageLink.title).where(PageLink.from_id == pid)) == "Linked"
        p = session.get(Page, page.id)
        html = render_revision(any_site, session, any_site.titles.parse("Help:Printer"), p,
                               session.get(Revision, p.latest_id), ANONYMOUS).html
    assert "State is open" in html


def test_render_cache_is_used_and_invalidated(site):
    save(site, "Template:T", "old output")
    result = save(site, "Page", "{{T}} and [[Missing]]")
    title = site.titles.parse("Page")

    def view():
        with site.db.read() as session:
            page = session.get(Page, result.page.id)
            return render_revision(site, session, title, page, session.get(Revision, page.latest_id), ANONYMOUS)

    first = view()
    assert first.from_cache and "old output" in first.html and 'class="new"' in first.html
    save(site, "Template:T", "new output")
    second = view()
    assert not second.from_cache and "new output" in second.html
    assert view().from_cache
    save(site, "Missing", "now here")
    fourth = view()
    assert not fourth.from_cache and 'class="new"' not in fourth.html
    assert count(site, RenderCache, revision_id=result.revision.id) == 1


def test_signatures_expand_at_save(site):
    alice = add_user(site, "Alice")
    save(site, "Talk:Billing", "I agree. ~~~~", actor=alice)
    text = current_text(site, "Talk:Billing")
    assert text.startswith("I agree. [[User:Alice|Alice]] ") and text.endswith("(UTC)")


class FailingPlugin:
    """Fails inside the save's transaction, after the revision and link tables were written."""

    @hookimpl
    def page_saved(self, site, session, change):
        if "explode" in change.revision.text:
            raise RuntimeError("plugin failed")


def test_a_save_is_one_transaction(make_site):
    site = make_site(plugins=[FailingPlugin()])
    save(site, "Page", "fine [[Kept]]")
    with pytest.raises(RuntimeError):
        save(site, "Page", "explode [[Lost]]")
    with pytest.raises(RuntimeError):
        save(site, "New page", "explode")
    assert current_text(site, "Page") == "fine [[Kept]]"
    assert count(site, Revision) == 1 and count(site, Page) == 1
    assert count(site, PageLink, title="Lost") == 0 and count(site, PageLink, title="Kept") == 1


def test_validation_errors_name_the_problem(site):
    with pytest.raises(SaveError, match="at most"):
        save(site, "Big", "x" * (MAX_PAGE_BYTES + 1))
    with pytest.raises(SaveError, match="summary"):
        save(site, "Page", "text", summary="s" * 501)
    with pytest.raises(SaveError, match="Special pages"):
        save(site, "Special:AllPages", "text")
    assert count(site, Page) == 0


def test_permissions_are_checked(site):
    customer = add_user(site, "Carol", role="customer", account="Acme")
    with pytest.raises(PermissionDenied, match="Help namespace"):
        save(site, "Help:Billing", "text", actor=customer)
    with pytest.raises(PermissionDenied):
        save(site, "Anything", "text", actor=ANONYMOUS)
    save(site, "User:Carol", "my page", actor=customer)
    with pytest.raises(PermissionDenied, match="your own user pages"):
        save(site, "User:Dave", "not mine", actor=customer)
