"""Link tables: which pages a page links to, transcludes and redirects to.

Derived from the current revision inside the save's transaction, and cleared when a page
is deleted.  Category membership is the ``categories`` built-in's.
"""

from sqlalchemy import delete, insert

from wiki.hookspecs import hookimpl
from wiki.models import PageLink, RedirectLink, TemplateLink


@hookimpl
def update_derived_data(site, session, page, revision, output):
    clear_derived_data(site, session, page)
    links = {t.key for t in output.links}
    if links:
        session.execute(insert(PageLink), [{"from_id": page.id, "namespace": ns, "title": text} for ns, text in links])
    templates = {t.key for t in output.templates}
    if templates:
        session.execute(
            insert(TemplateLink), [{"from_id": page.id, "namespace": ns, "title": text} for ns, text in templates]
        )
    if output.redirect is not None:
        target = output.redirect
        session.add(RedirectLink(from_id=page.id, namespace=target.ns, title=target.text, fragment=target.fragment))


@hookimpl
def clear_derived_data(site, session, page):
    for model in (PageLink, TemplateLink, RedirectLink):
        session.execute(delete(model).where(model.from_id == page.id))
