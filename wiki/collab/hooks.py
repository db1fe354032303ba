"""The built-in plugin of collaborative editing: page actions, special pages, the watchlist
mail (queued in the save, sent after the commit and by a job), protection as a policy rule,
and the tab bar's data (page/discussion, watch star, move/delete/protect)."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext

from wiki.collab import actions, specials
from wiki.collab.diff import diff_hunks
from wiki.collab.protection import restriction_reason
from wiki.collab.watch import is_watching, notify_watchers, record_watch_choice
from wiki.hooktypes import Job, PageAction, SpecialPage
from wiki.hookspecs import hookimpl
from wiki.mail import deliver_after_commit, send_pending
from wiki.titles import Title
from wiki.web.context import actor, db_session, pages, site, with_subject_and_talk


def send_mail(site_) -> tuple[int, int]:
    """Deliver the outbox; a failing server keeps the mail for the next run."""
    return send_pending(site_.db, site_.settings.smtp_url, site_.settings.mail_from)


@hookimpl
def site_started(site):
    site.policy.rules.append(lambda who, action, title, page: restriction_reason(site, who, action, title, page))


@hookimpl
def register_page_actions():
    return [
        PageAction("history", actions.history),
        PageAction("diff", actions.diff),
        PageAction("rollback", actions.rollback_action),
        PageAction("watch", actions.watch_action),
        PageAction("unwatch", actions.unwatch_action),
        PageAction("move", actions.move),
        PageAction("delete", actions.delete),
        PageAction("protect", actions.protect),
    ]


@hookimpl
def register_special_pages():
    return [
        SpecialPage("RecentChanges", specials.recent_changes_page, lazy_gettext("The newest changes to the wiki"),
                    heading=lazy_gettext("Recent changes")),
        SpecialPage("Watchlist", specials.watchlist_page, lazy_gettext("Changes to the pages you watch"),
                    heading=lazy_gettext("Watchlist")),
        SpecialPage("Log", specials.log_page, lazy_gettext("Moves, deletions, protections and rights changes"),
                    heading=lazy_gettext("Logs")),
        SpecialPage("Undelete", specials.undelete, lazy_gettext("Restore deleted pages"), roles=("admin",),
                    heading=lazy_gettext("Undelete")),
    ]


@hookimpl
def register_jobs():
    return [Job("collab.send_mail", send_mail, every_seconds=60)]


@hookimpl
def page_saved(site, session, change):
    title = site.titles.make(change.page.namespace, change.page.title)
    record_watch_choice(session, change, title)
    if notify_watchers(site, session, change, title):
        deliver_after_commit(site, session)


@hookimpl
def register_blueprints():
    bp = Blueprint("collab", __name__)

    @bp.app_context_processor
    def _tab_helpers():
        return {"page_tabs": page_tabs, "text_diff": diff_hunks}

    return [bp]


def page_tabs(title: Title) -> dict:
    """What the tab bar shows for ``title``: subject and talk pages (and whether they exist),
    the watch star and the actions the viewer may take."""
    s, who, session = site(), actor(), db_session()
    subject = s.titles.subject_page(title)
    talk = s.titles.talk_page(title)
    tabbed = with_subject_and_talk(title)
    found = pages(tabbed)
    # drawn for this viewer: a page the viewer may not read (a ticket's internal notes, for a
    # customer) is shown as missing, like one never created
    existing = {t.key for t in tabbed
                if t.key in found and not found[t.key].deleted and s.policy.allows(who, "read", t, found[t.key])}
    page = found.get(title.key)
    live = page is not None and not page.deleted and not who.is_anonymous
    return {
        "subject": subject, "talk": talk, "is_talk": title.namespace.is_talk,
        "subject_exists": subject.key in existing, "talk_exists": talk is not None and talk.key in existing,
        "watching": is_watching(session, who.user_id, title), "can_watch": not who.is_anonymous,
        "can_move": live and s.policy.allows(who, "move", title, page),
        "can_delete": live and s.policy.allows(who, "delete", title, page),
        "can_protect": live and s.policy.allows(who, "protect", title, page),
    }
