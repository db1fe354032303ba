"""Watchlists: who watches which page, the changes to watched pages, and mail about them.

A watch names a subject page by title (so a missing page can be watched and a talk page is
watched with its subject page).  When a watched page changes, every watcher but the editor
who may read the page gets a mail, queued in the save's transaction (``wiki.mail``) and
written in the watcher's language (``wiki.mail.recipient_language``).  It is a general
notice: a plugin's own mail about the same change (a ticket reply) takes its place.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from flask_babel import gettext
from sqlalchemy import and_, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from wiki.accounts import actor_for
from wiki.collab.models import Watch
from wiki.hooktypes import PageChange
from wiki.mail import queue_mail, written_for
from wiki.security.notify import may_email
from wiki.models import Page, Revision, User
from wiki.permissions import Actor
from wiki.revisions import not_archived
from wiki.site import Site
from wiki.titles import Title


def watch_key(title: Title) -> tuple[int, str]:
    """The subject page's namespace and text: what a watch row stores."""
    return title.namespace.subject_number, title.text


def _add_watches(session: Session, rows: list[dict]) -> None:
    """Insert watch rows, ignoring those that exist (two saves may add the same one at once)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(Watch).values(rows).on_conflict_do_nothing())


def watch(session: Session, user_id: int, title: Title) -> None:
    ns, text = watch_key(title)
    _add_watches(session, [{"user_id": user_id, "namespace": ns, "title": text,
                            "added_at": datetime.now(timezone.utc)}])


def unwatch(session: Session, user_id: int, title: Title) -> None:
    ns, text = watch_key(title)
    session.execute(delete(Watch).where(Watch.user_id == user_id, Watch.namespace == ns, Watch.title == text))


def is_watching(session: Session, user_id: int | None, title: Title) -> bool:
    if user_id is None:
        return False
    ns, text = watch_key(title)
    return session.get(Watch, (user_id, ns, text)) is not None


def copy_watches(session: Session, old: Title, new: Title) -> None:
    """Whoever watched ``old`` also watches ``new`` (after a move)."""
    ns, text = watch_key(old)
    users = session.scalars(select(Watch.user_id).where(Watch.namespace == ns, Watch.title == text)).all()
    new_ns, new_text = watch_key(new)
    now = datetime.now(timezone.utc)
    _add_watches(session, [{"user_id": u, "namespace": new_ns, "title": new_text, "added_at": now} for u in users])


def watched_titles(site: Site, session: Session, user_id: int) -> list[Title]:
    rows = session.execute(select(Watch.namespace, Watch.title).where(Watch.user_id == user_id)
                           .order_by(Watch.namespace, Watch.title))
    return [site.titles.make(ns, text) for ns, text in rows if ns in site.namespaces]


def watchlist_changes(site: Site, session: Session, actor: Actor, days: int = 7,
                      limit: int = 100) -> list[tuple[Revision, Page]]:
    """Recent revisions of watched pages and their talk pages that ``actor`` may read, newest first."""
    since = datetime.now(timezone.utc) - timedelta(days=days)
    # watch rows name subject pages, so a talk page (odd number) is watched through number - 1
    watched = and_(Watch.user_id == actor.user_id, Watch.title == Page.title,
                   Watch.namespace.in_([Page.namespace, Page.namespace - 1]))
    query = (
        select(Revision, Page).join(Page, Page.id == Revision.page_id)
        .where(select(Watch.user_id).where(watched).exists(), Revision.timestamp >= since,
               Page.deleted.is_(False), not_archived(), site.policy.readable_filter(actor, Page))
        .order_by(Revision.id.desc()).limit(limit)
    )
    return [(rev, page) for rev, page in session.execute(query) if page.namespace in site.namespaces]


def record_watch_choice(session: Session, change: PageChange, title: Title) -> None:
    """Pages people create or edit are watched, unless they said otherwise (the edit form's
    "Watch this page" box, or ``watch: false`` in the API): ticked watches, unticked unwatches."""
    choice = change.extra.get("watch", True)
    if change.actor.user_id is None:
        return
    (watch if choice else unwatch)(session, change.actor.user_id, title)


def notify_watchers(site: Site, session: Session, change: PageChange, title: Title) -> int:
    """Queue a mail to every watcher (not the editor) who may read the page; returns how many."""
    ns, text = watch_key(title)
    users = session.scalars(
        select(User).join(Watch, Watch.user_id == User.id)
        .where(Watch.namespace == ns, Watch.title == text, User.disabled.is_(False), User.email.is_not(None))
    ).all()
    queued = 0
    for user in users:
        if user.id == change.actor.user_id:
            continue
        if not site.policy.allows(actor_for(user), "read", title, change.page):
            continue
        if not may_email(session, user.id, "watchlist"):
            continue
        with written_for(site, user):
            subject = _mail_subject(site, change, title)
            body = _mail_body(site, change, title, user.name)
        if queue_mail(session, user.email, subject, body, category="watchlist", about=change.page.id, general=True):
            queued += 1
    return queued


def _mail_subject(site: Site, change: PageChange, title: Title) -> str:
    names = {"site": site.settings.site_name, "title": title.prefixed, "user": change.actor.name}
    if change.created:
        return gettext("%(site)s: %(title)s was created by %(user)s", **names)
    return gettext("%(site)s: %(title)s was changed by %(user)s", **names)


def _mail_body(site: Site, change: PageChange, title: Title, recipient: str) -> str:
    """The watchlist mail's text, in the language active when called."""
    base = site.settings.base_url.rstrip("/")
    revision = change.revision
    when = f"{revision.timestamp:%Y-%m-%d %H:%M}"
    names = {"title": title.prefixed, "site": site.settings.site_name, "user": change.actor.name, "time": when}
    summary = revision.summary or gettext("(none)")
    lines = [
        gettext("Dear %(name)s,", name=recipient),
        "",
        gettext("the page %(title)s on %(site)s was created by %(user)s at %(time)s UTC.", **names) if change.created
        else gettext("the page %(title)s on %(site)s was changed by %(user)s at %(time)s UTC.", **names),
        gettext("Summary: %(summary)s (minor edit)", summary=summary) if revision.minor
        else gettext("Summary: %(summary)s", summary=summary),
        "",
        gettext("The page now: %(url)s", url=f"{base}{title.url_path}"),
    ]
    if change.previous_revision_id is not None:
        query = urlencode({"diff": revision.id, "oldid": change.previous_revision_id})
        lines.append(gettext("What changed: %(url)s", url=f"{base}{title.url_path}?{query}"))
    lines += ["", gettext("You get this mail because you watch %(title)s. Stop watching it at %(url)s.",
                          title=title.prefixed, url=f"{base}/wiki/Special:Watchlist")]
    return "\n".join(lines)
