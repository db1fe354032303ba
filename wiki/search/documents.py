"""What the search index holds about a page: built from its current revision.

The text indexed is the revision's wikitext with the markup taken out (as MediaWiki's own
search indexes the source), so indexing needs no rendering and a rebuild stays fast.
Categories come from the category links the save derived; plugins' field values come from
the ``search_fields`` hook, which is handed the revision's ``ParseOutput``: the save's own
output when there is one, otherwise a stand-in that renders the page only if an
implementation reads it (the fields plugin reads its derived tables instead, so a rebuild
renders nothing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.markup import ParseOutput, render
from wiki.models import CategoryLink, Page, Revision
from wiki.namespaces import CATEGORY
from wiki.search.backend import SearchDocument
from wiki.site import Site
from wiki.titles import Title

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.S | re.I)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_LINK = re.compile(r"\[\[([^\[\]|]*)(?:\|([^\[\]]*))?\]\]")
_EXTERNAL = re.compile(r"\[(?:https?|mailto):\S+\s+([^\]]*)\]")
_MAGIC = re.compile(r"__[A-Z]+__|~{3,5}")
#: A Markdown table's delimiter row (``| --- | :---: |``), which has no words.
_TABLE_RULE = re.compile(r"^(?=[^\n]*\|)(?=[^\n]*-)[|:\- \t]+$", re.M)
_MARKUP = re.compile(r"\{\{\{?|\}\}\}?|'{2,}|={2,}|\*{2,}|_{2,}|`+|^[#>*+\-\s]+|\|", re.M)


def plain_text(wikitext: str, category_prefixes: Sequence[str] = ("category",)) -> str:
    """The words of ``wikitext``: links shown by their label, markup and categories removed."""
    prefixes = tuple(p.casefold() + ":" for p in category_prefixes)

    def link(match: re.Match) -> str:
        target, label = match.group(1), match.group(2)
        if target.strip().lstrip(":").casefold().startswith(prefixes) and not target.strip().startswith(":"):
            return " "
        return label if label is not None else target.lstrip(":")

    text = _SCRIPT.sub(" ", _COMMENT.sub(" ", wikitext))
    text = _LINK.sub(link, text)
    text = _EXTERNAL.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _MAGIC.sub(" ", text)
    text = _TABLE_RULE.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split())


class _OutputOnDemand:
    """Stands in for a revision's ``ParseOutput`` and renders it on first attribute access."""

    def __init__(self, site: Site, session: Session, title: Title, revision: Revision):
        self._render = lambda: render(revision.text, site.render_context(session, title, revision_id=revision.id))
        self._output: ParseOutput | None = None

    def __getattr__(self, name: str):
        if self._output is None:
            self._output = self._render()
        return getattr(self._output, name)


def _category_prefixes(site: Site) -> list[str]:
    ns = site.namespaces.get(CATEGORY)
    return [ns.name, *ns.aliases]


def build_documents(
    site: Site,
    session: Session,
    pages: Sequence[Page],
    outputs: Mapping[int, ParseOutput] | None = None,
) -> list[SearchDocument]:
    """Documents for ``pages`` (existing, not deleted) at their current revisions.

    :param outputs: ``revision id -> ParseOutput`` already rendered (by the save).
    """
    if not pages:
        return []
    outputs = outputs or {}
    ids = [p.id for p in pages]
    revisions = {r.id: r for r in session.scalars(select(Revision).where(Revision.id.in_([p.latest_id for p in pages])))}
    categories: dict[int, list[str]] = {}
    for page_id, name in session.execute(
        select(CategoryLink.from_id, CategoryLink.category).where(CategoryLink.from_id.in_(ids))
    ):
        categories.setdefault(page_id, []).append(name)
    wants_fields = bool(site.hook.search_fields.get_hookimpls())
    prefixes = _category_prefixes(site)
    docs = []
    for page in pages:
        revision = revisions[page.latest_id]
        title = site.titles.make(page.namespace, page.title)
        fields: dict[str, list[str]] = {}
        if wants_fields:
            output = outputs.get(revision.id) or _OutputOnDemand(site, session, title, revision)
            for found in site.hook.search_fields(site=site, session=session, page=page, revision=revision,
                                                 output=output):
                for name, values in (found or {}).items():
                    fields.setdefault(name, []).extend(values)
        docs.append(SearchDocument(
            page_id=page.id,
            revision_id=revision.id,
            namespace=page.namespace,
            title=title.prefixed,
            title_text=title.text,
            account_id=page.account_id,
            content=plain_text(revision.text, prefixes),
            categories=tuple(sorted(categories.get(page.id, ()))),
            fields={name: tuple(values) for name, values in fields.items()},
            modified=revision.timestamp,
        ))
    return docs
