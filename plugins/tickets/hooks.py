"""Hook implementations of the tickets plugin (thin: the logic lives in the plugin's modules)."""

from pathlib import Path

from flask_babel import lazy_gettext

from plugins.tickets import checks, clock, escalation, panel, reminders, reports, settings, sla, specials, workflow
from plugins.tickets.api import api
from plugins.tickets.ticket import TICKET_NS
from plugins.tickets.views import bp
from wiki.hooktypes import Job, MenuItem, SeedPage, SpecialPage
from wiki.hookspecs import hookimpl
from wiki.markup import ParserFunction
from wiki.namespaces import load_namespace_dir
from wiki.permissions import STAFF_SIDE

HERE = Path(__file__).resolve().parent
STAFF = ("staff", "admin")
READERS = tuple(sorted(STAFF_SIDE))


def seed_title(stem: str) -> str:
    """``Template_Canned__Thanks`` -> ``Template:Canned/Thanks`` (first ``_`` is the namespace colon)."""
    namespace, _, rest = stem.partition("_")
    return f"{namespace}:{rest.replace('__', '/').replace('_', ' ')}"


@hookimpl
def register_namespaces():
    return load_namespace_dir(HERE / "namespaces", source="tickets")


@hookimpl
def register_migrations():
    return [str(HERE / "migrations")]


@hookimpl
def register_seed_pages():
    pages = [SeedPage(seed_title(path.stem), path.read_text(encoding="utf-8"), "Help desk set-up")
             for path in sorted((HERE / "seed").glob("*.md"))]
    pages += [SeedPage(settings.WORKFLOW_PAGE, workflow.DEFAULT_TEXT, "Help desk set-up"),
              SeedPage(settings.SERVICE_LEVELS_PAGE, sla.DEFAULT_TEXT, "Help desk set-up"),
              SeedPage(settings.DEPARTMENTS_PAGE, settings.DEPARTMENTS_TEXT, "Help desk set-up")]
    return pages


@hookimpl
def register_blueprints():
    return [bp, api]


@hookimpl
def register_menu_items():
    return [
        MenuItem(lazy_gettext("My requests"), "/portal/tickets", section="tickets", roles=("customer",), order=10),
        MenuItem(lazy_gettext("Open a ticket"), "/portal/tickets/new", section="tickets", roles=("customer", *STAFF),
                 order=20),
        MenuItem(lazy_gettext("Ticket queue"), "/wiki/Special:TicketQueue", section="tickets", roles=READERS,
                 order=30),
        MenuItem(lazy_gettext("My tickets"), "/wiki/Special:MyTickets", section="tickets", roles=STAFF, order=40),
        MenuItem(lazy_gettext("Ticket reports"), "/wiki/Project:Ticket_reports", section="tickets", roles=READERS,
                 order=50),
    ]


@hookimpl
def register_special_pages():
    return [
        SpecialPage("TicketQueue", specials.ticket_queue,
                    lazy_gettext("Open unassigned tickets by department and priority"), roles=READERS,
                    heading=lazy_gettext("Ticket queue")),
        SpecialPage("MyTickets", specials.my_tickets, lazy_gettext("The open tickets assigned to you"), roles=STAFF,
                    heading=lazy_gettext("My tickets")),
    ]


@hookimpl
def site_started(site):
    site.policy.rules.append(checks.customer_rule)


@hookimpl
def validate_page_save(site, session, title, text, output, actor):
    if title.ns == TICKET_NS:
        return checks.check_ticket_save(site, session, title, text, actor)
    return settings.check_settings_page(session, title.prefixed, text)


@hookimpl(trylast=True)
def page_saved(site, session, change):
    """After the fields engine recorded the status change (hence ``trylast``): move a ticket's
    due times on when a save took it out of "Waiting on customer" without moving them
    (``clock.after_save``)."""
    clock.after_save(site, session, change)


@hookimpl
def page_view_sections(site, session, title, page, actor, args):
    if title.ns != TICKET_NS or page is None:
        return []
    return panel.ticket_panel(site, session, title, page, actor)


@hookimpl
def register_parser_functions():
    return [ParserFunction("ticketstats", reports.ticketstats_function)]


@hookimpl
def register_jobs():
    return [Job("tickets.sla_breaches", escalation.check_breaches, every_seconds=300),
            Job("tickets.reminders", reminders.send_reminders, every_seconds=3600)]
