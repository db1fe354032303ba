"""The tickets plugin's web pages: the portal's ticket form and "My requests" (``/portal/tickets``),
and the buttons of a ticket page (reply, internal note, close, status and assignment changes,
bulk actions from the queues), all plain HTML forms that work without JavaScript.
"""

from __future__ import annotations

from pathlib import Path

from datetime import datetime, timezone

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file
from flask_babel import gettext, lazy_gettext

from plugins.tickets import attachments, conversation, listing, merge, reports, settings, triage
from plugins.tickets.models import TicketAttachment
from plugins.tickets.opening import TicketError, TicketRequest, open_ticket
from plugins.tickets.ticket import load, ticket_categories, ticket_title
from plugins.tickets.workflow import STATUSES, status_label
from wiki.fields.forms.uploads import Upload, UploadError
from wiki.fields.query.svg import line_chart
from wiki.pages import EditConflict, SaveError
from wiki.permissions import STAFF_SIDE, PermissionDenied
from wiki.web.context import actor, db_session, site
from wiki.web.skin import wiki_url

bp = Blueprint("tickets", __name__, template_folder=str(Path(__file__).resolve().parent / "templates"))

PRIORITY_GUIDANCE = {
    "P1": lazy_gettext("Critical: the service is down for everyone and there is no way around it."),
    "P2": lazy_gettext("High: an important part does not work, or many people are affected."),
    "P3": lazy_gettext("Medium: something does not work as it should, but you can carry on."),
    "P4": lazy_gettext("Low: a question, a small problem or a wish."),
}


@bp.app_template_filter("ticket_status")
def ticket_status(value: str) -> str:
    """``{{ row['Status']|ticket_status }}``: a ticket status in the interface language."""
    return status_label(value)


def _signed_in():
    who = actor()
    if who.is_anonymous:
        return who, redirect(wiki_url("Special:UserLogin", returnto=request.full_path.rstrip("?")))
    return who, None


@bp.get("/portal/tickets")
def my_requests():
    who, response = _signed_in()
    if response is not None:
        return response
    if who.account_id is None:
        if who.role in STAFF_SIDE:
            return redirect(wiki_url("Special:MyTickets"))
        abort(403, gettext("My requests is for customers with an account."))
    wanted = request.args.get("show", "open")
    statuses = listing.OPEN_STATUSES if wanted == "open" else STATUSES
    rows = listing.list_tickets(site(), db_session(), who, statuses=statuses, account_id=who.account_id)
    return render_template("tickets/my_requests.html", rows=rows, show=wanted, page_title=gettext("My requests"))


def _form_context(**extra):
    s, session = site(), db_session()
    return dict(departments=settings.departments(s, session), categories=ticket_categories(s, session),
                priorities=PRIORITY_GUIDANCE, page_title=gettext("Open a ticket"), **extra)


@bp.route("/portal/tickets/new", methods=["GET", "POST"])
def new_ticket():
    who, response = _signed_in()
    if response is not None:
        return response
    if who.role not in STAFF_SIDE and who.account_id is None:
        abort(403, gettext("Tickets are opened by customers with an account and by staff."))
    if request.method == "GET":
        return render_template("tickets/new.html", values={"priority": "P3"}, errors=[], **_form_context())
    form = request.form
    req = TicketRequest(subject=form.get("subject", ""), description=form.get("description", ""),
                        priority=form.get("priority", "P3"), category=form.get("category", ""),
                        department=form.get("department", ""), account=form.get("account", ""),
                        requester=form.get("requester", ""))
    s = site()
    sent = request.files.get("attachment")
    try:
        with s.db.write() as session:  # a refused file opens no ticket (and uses up no number)
            opened = open_ticket(s, session, who, req)
            if sent is not None and sent.filename:
                attachments.attach(s, session, who, load(s, session, opened.title), Upload(sent.filename, sent.read()))
    except (TicketError, SaveError) as exc:
        return render_template("tickets/new.html", values=form, errors=exc.messages, **_form_context()), 400
    except UploadError as exc:
        return render_template("tickets/new.html", values=form, errors=[f"{exc}."], **_form_context()), 400
    flash(gettext("Your ticket %(title)s was opened.", title=opened.title.prefixed))
    return redirect(wiki_url(opened.title))


def _act(number: int, work) -> object:
    """Run ``work(session, ticket)`` in a write transaction and go back to the ticket."""
    s, who = site(), actor()
    if who.is_anonymous:
        raise PermissionDenied(gettext("Sign in first."))
    title = ticket_title(s, number)
    try:
        with s.db.write() as session:
            item = load(s, session, title, lock=True)
            if item is None or not s.policy.allows(who, "read", title, item.page):
                abort(404, gettext("Ticket:%(number)s does not exist.", number=number))
            message = work(session, item)
        if message:
            flash(message)
    except (TicketError, SaveError) as exc:
        flash(gettext("Not saved: %(why)s", why=" ".join(exc.messages)))
    except UploadError as exc:
        flash(gettext("Not saved: %(why)s", why=f"{exc}."))
    except EditConflict:
        flash(gettext("Not saved: someone changed the same lines of this ticket meanwhile; please look and try again."))
    return redirect(wiki_url(title))


def _base() -> int | None:
    raw = request.form.get("base_revision_id", "")
    return int(raw) if raw.isdigit() else None


@bp.post("/tickets/<int:number>/reply")
def reply(number: int):
    """A reply, optionally with a canned text and an attached file (linked from the reply)."""
    def work(session, item):
        body = request.form.get("body", "")
        sent = request.files.get("attachment")
        if sent is not None and sent.filename:
            row = attachments.attach(site(), session, actor(), item, Upload(sent.filename, sent.read()))
            body += f"\n\nAttached: [{row.filename}]({attachments.download_url(number, row)}) ({row.size:,} bytes)"
        conversation.reply(site(), session, actor(), item, body, canned=request.form.get("canned", ""))
        return gettext("Your reply was added.")
    return _act(number, work)


@bp.get("/tickets/<int:number>/attachments/<int:attachment_id>")
def download(number: int, attachment_id: int):
    """A ticket's file, for readers of the ticket only, always as a download."""
    s, session = site(), db_session()
    item = load(s, session, ticket_title(s, number))
    row = session.get(TicketAttachment, attachment_id)
    if item is None or row is None or row.page_id != item.page.id \
            or not s.policy.allows(actor(), "read", item.title, item.page):
        abort(404, gettext("There is no such attachment."))
    response = send_file(attachments.stored_path(s, row.sha256), mimetype=row.content_type, as_attachment=True,
                         download_name=row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.post("/tickets/<int:number>/merge")
def merge_into(number: int):
    """Close this ticket as a duplicate of the ticket numbered in the form."""
    into = request.form.get("into", "").strip().removeprefix("Ticket:")
    if not into.isdigit():
        flash(gettext("Not merged: give the number of the ticket to merge into."))
        return redirect(wiki_url(ticket_title(site(), number)))

    def work(session, item):
        survivor = load(site(), session, ticket_title(site(), int(into)), lock=True)
        if survivor is None or not site().policy.allows(actor(), "read", survivor.title, survivor.page):
            raise TicketError([gettext("merge: Ticket:%(number)s does not exist.", number=into)])
        merge.merge(site(), session, actor(), item, survivor)
        return gettext("Ticket:%(number)s was merged into Ticket:%(into)s.", number=number, into=into)
    return _act(number, work)


@bp.post("/tickets/<int:number>/note")
def note(number: int):
    def work(session, item):
        conversation.add_note(site(), session, actor(), item, request.form.get("body", ""))
        return gettext("The internal note was added to the talk page.")
    return _act(number, work)


@bp.post("/tickets/<int:number>/close")
def close(number: int):
    def work(session, item):
        conversation.close(site(), session, actor(), item)
        return gettext("Ticket:%(number)s was closed.", number=number)
    return _act(number, work)


@bp.post("/tickets/<int:number>/reopen")
def reopen(number: int):
    def work(session, item):
        triage.change(site(), session, actor(), item, {"Status": "Open"}, summary="Reopened")
        return gettext("Ticket:%(number)s was reopened.", number=number)
    return _act(number, work)


@bp.post("/tickets/<int:number>/update")
def update(number: int):
    """Staff's field form: status, priority, category, department and assignee in one save."""
    def work(session, item):
        form = request.form
        values = {name: form.get(name.lower(), "") for name in ("Status", "Priority", "Category", "Department",
                                                                  "Assignee") if name.lower() in form}
        if form.get("assign_me"):
            values.update(triage.assign_values(item, actor().name))
        result = triage.change(site(), session, actor(), item, values, summary=form.get("summary", ""),
                               base_revision_id=_base())
        return gettext("Saved.") if result.changed else gettext("Nothing changed.")
    return _act(number, work)


@bp.post("/tickets/bulk")
def bulk():
    who = actor()
    numbers = [int(n) for n in request.form.getlist("ticket") if n.isdigit()]
    if not numbers:
        flash(gettext("Tick at least one ticket."))
    else:
        try:
            outcomes = triage.bulk(site(), who, numbers, request.form.get("action", ""), request.form.get("value", ""))
        except TicketError as exc:
            flash(" ".join(exc.messages))
        else:
            done = [n for n, error in outcomes if error is None]
            flash(gettext("Changed %(done)s of %(all)s tickets.", done=len(done), all=len(outcomes)))
            for n, error in outcomes:
                if error:
                    flash(f"Ticket:{n}: {error}")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/wiki/Special:") else wiki_url("Special:TicketQueue"))


@bp.get("/tickets/reports/weekly.svg")
def weekly_chart():
    """The line chart of ``{{#ticketstats: weekly}}``, over the tickets the viewer may read."""
    weeks = request.args.get("weeks", 8, type=int)
    if not 1 <= weeks <= reports.MAX_WEEKS:
        abort(400, gettext("weeks must be a number from 1 to %(most)s.", most=reports.MAX_WEEKS))
    rows = reports.weekly(reports.ticket_dates(site(), db_session(), actor()), weeks, datetime.now(timezone.utc))
    svg = line_chart([(week, opened) for week, opened, _resolved in rows], gettext("Tickets opened per week"))
    return Response(svg, mimetype="image/svg+xml", headers={"X-Content-Type-Options": "nosniff"})
