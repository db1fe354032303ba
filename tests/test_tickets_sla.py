"""Service levels: business-calendar arithmetic (pure), the admin-edited Project:Service levels
page, the clock pausing while waiting on the customer, the breach job (escalation, mail, safe
to run twice) and the analysts' report page with #ticketstats."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from plugins.tickets import conversation, escalation, reminders, triage
from plugins.tickets.sla import (ALWAYS, Calendar, ServiceLevels, SlaConfigError, Target, add_business_time,
                                 business_time_between, format_duration, parse_duration, parse_service_levels)
from plugins.tickets.testing import api_key, get_ticket, make_desk, open_test_ticket
from plugins.tickets.ticket import load
from tests.support.wiki import csrf_token, current_text, login, save
from wiki.accounts import find_user
from wiki.app import create_app
from wiki.jobs import run_jobs
from wiki.models import OutgoingMail, Revision
from wiki.pages import SaveError

UTC = timezone.utc
RIYADH = ZoneInfo("Asia/Riyadh")  # UTC+3, no daylight saving
CAL = Calendar(RIYADH, frozenset({5, 6, 0, 1, 2, 3}), time(9), time(17), frozenset({date(2026, 12, 2)}))


def riyadh(*args) -> datetime:
    return datetime(*args, tzinfo=RIYADH)


@pytest.mark.parametrize("start, hours, expected", [
    (riyadh(2026, 11, 23, 10, 0), 2, riyadh(2026, 11, 23, 12, 0)),      # Monday, inside hours
    (riyadh(2026, 11, 23, 16, 0), 2, riyadh(2026, 11, 24, 10, 0)),      # runs over the evening
    (riyadh(2026, 11, 26, 16, 0), 2, riyadh(2026, 11, 28, 10, 0)),      # Thursday → Friday off → Saturday
    (riyadh(2026, 11, 27, 12, 0), 1, riyadh(2026, 11, 28, 10, 0)),      # opened on Friday
    (riyadh(2026, 11, 23, 7, 0), 8, riyadh(2026, 11, 23, 17, 0)),       # before opening: a full day
    (riyadh(2026, 12, 1, 16, 0), 2, riyadh(2026, 12, 3, 10, 0)),        # over a holiday
    (riyadh(2026, 11, 23, 10, 0), 24, riyadh(2026, 11, 26, 10, 0)),     # three working days
])
def test_add_business_time(start, hours, expected):
    assert add_business_time(CAL, start, timedelta(hours=hours)) == expected.astimezone(UTC)


def test_business_time_between_is_the_inverse():
    start = riyadh(2026, 11, 26, 16, 30)
    for hours in (0.5, 1, 7, 9, 30):
        end = add_business_time(CAL, start, timedelta(hours=hours))
        assert business_time_between(CAL, start, end) == timedelta(hours=hours)
    assert business_time_between(CAL, riyadh(2026, 11, 27, 0, 0), riyadh(2026, 11, 27, 23, 0)) == timedelta(0)


def test_daylight_saving_zone_keeps_wall_clock_hours():
    berlin = Calendar(ZoneInfo("Europe/Berlin"), frozenset(range(5)), time(9), time(17))
    # Friday 2026-10-23 16:00 + 2h → Monday 10:00 local, across the change to winter time
    start = datetime(2026, 10, 23, 16, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert add_business_time(berlin, start, timedelta(hours=2)) == \
        datetime(2026, 10, 26, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def test_around_the_clock_targets_and_remaining_time():
    levels = ServiceLevels(CAL, {"P1": Target(timedelta(hours=1), timedelta(hours=4), ALWAYS),
                                 "P3": Target(timedelta(hours=8), timedelta(hours=24))})
    opened = riyadh(2026, 11, 27, 12, 0)  # Friday, a day off
    assert levels.due("P1", opened) == (opened.astimezone(UTC) + timedelta(hours=1),
                                        opened.astimezone(UTC) + timedelta(hours=4))
    assert levels.due("P3", opened)[0] == riyadh(2026, 11, 28, 17, 0).astimezone(UTC)
    due = riyadh(2026, 11, 28, 17, 0)
    assert levels.remaining("P3", riyadh(2026, 11, 28, 15, 0), due) == timedelta(hours=2)
    assert levels.remaining("P3", riyadh(2026, 11, 29, 10, 0), due) == -timedelta(hours=1)
    assert format_duration(timedelta(hours=-1, minutes=-5)) == "-1h 05m"


def test_service_levels_page_is_parsed_and_bad_lines_are_named():
    levels = parse_service_levels("Intro text\n* Time zone: Europe/Berlin\n* Business days: Monday, Tuesday\n"
                                  "* Business hours: 08:30-12:00\n* Holidays: 2026-12-24\n"
                                  "* P2: response 30m, resolution 1d2h, around the clock")
    assert levels.calendar.workdays == frozenset({0, 1}) and levels.calendar.opens == time(8, 30)
    assert levels.targets["P2"] == Target(timedelta(minutes=30), timedelta(hours=26), ALWAYS)
    assert levels.targets["P4"].response == timedelta(hours=24)
    with pytest.raises(SlaConfigError) as bad:
        parse_service_levels("* Time zone: Mars/Olympus\n* Business hours: 17:00-09:00\n* P2: response soon, "
                             "resolution 4h\n* Colour: blue")
    assert len(bad.value.messages) == 4 and "line 1: unknown time zone" in bad.value.messages[0]
    with pytest.raises(ValueError):
        parse_duration("")


def test_admins_edit_service_levels_on_a_checked_page(make_site):
    site = make_site(seed=True)
    desk = make_desk(site)
    with pytest.raises(SaveError, match="Service levels, line 1: business hours must look like"):
        save(site, "Project:Service levels", "* Business hours: all day", desk.admin)
    save(site, "Project:Service levels", "* Time zone: UTC\n* Business days: Monday, Tuesday, Wednesday, "
         "Thursday, Friday, Saturday, Sunday\n* Business hours: 00:00-23:59\n"
         "* P3: response 2h, resolution 3h, around the clock", desk.admin)
    opened = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    item = get_ticket(site, open_test_ticket(site, desk.alice, now=opened).title)
    assert item.moment("Response due") == opened + timedelta(hours=2)
    assert item.moment("Resolution due") == opened + timedelta(hours=3)


def test_clock_pauses_while_waiting_on_the_customer(make_site):
    site = make_site(seed=True)
    desk = make_desk(site)
    opened = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 10:00 in Riyadh
    open_test_ticket(site, desk.alice, now=opened)
    due = get_ticket(site, "Ticket:1001").moment("Resolution due")
    for status, at in (("Waiting on customer", opened + timedelta(hours=1)), ("Open", opened + timedelta(hours=3))):
        with site.db.write() as session:
            item = load(site, session, site.titles.parse("Ticket:1001"))
            triage.change(site, session, desk.agent, item, {"Status": status}, now=at)
    assert get_ticket(site, "Ticket:1001").moment("Resolution due") == due + timedelta(hours=2)


def _leave_waiting(site, desk, how: str) -> None:
    """Take Ticket:1001 from "Waiting on customer" to another status, the way ``how`` says."""
    text = current_text(site, "Ticket:1001")
    if how == "edit":
        save(site, "Ticket:1001", text.replace("|Status=Waiting on customer", "|Status=In progress"), desk.agent)
    elif how == "api":
        client = create_app(site=site).test_client()
        with site.db.read() as session:
            base = site.get_page(session, site.titles.parse("Ticket:1001")).latest_id
        response = client.put("/api/v1/pages/Ticket:1001", headers={"Authorization": f"Bearer {api_key(site, 'Agent')}"},
                              json={"text": text.replace("|Status=Waiting on customer", "|Status=Open"),
                                    "base_revision_id": base})
        assert response.status_code == 200, response.get_data(as_text=True)
    elif how == "bulk":
        assert triage.bulk(site, desk.agent, [1001], "status", "Resolved") == [(1001, None)]
    elif how == "button":
        client = create_app(site=site).test_client()
        login(client, "Agent")
        response = client.post("/tickets/1001/update", data={
            "csrf_token": csrf_token(client, "/wiki/Ticket:1001"), "status": "In progress"})
        assert response.status_code == 302
    else:
        with site.db.write() as session:
            conversation.reply(site, session, desk.alice, load(site, session, site.titles.parse("Ticket:1001")),
                               "Here is the log you asked for.")


@pytest.mark.parametrize("how", ["edit", "api", "bulk", "button", "reply"])
def test_due_times_move_on_however_the_ticket_leaves_waiting(make_site, how):
    site = make_site(seed=True)
    desk = make_desk(site)
    opened = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)
    open_test_ticket(site, desk.alice, priority="P1", now=opened)  # P1: the clock runs around the clock
    waiting_from = opened + timedelta(days=8)
    save(site, "Ticket:1001", current_text(site, "Ticket:1001").replace("|Status=New", "|Status=Waiting on customer"),
         desk.agent, now=waiting_from)  # into waiting by a plain edit: the history has it either way
    before = get_ticket(site, "Ticket:1001")
    _leave_waiting(site, desk, how)
    after = get_ticket(site, "Ticket:1001")
    assert after.status != "Waiting on customer"
    with site.db.read() as session:
        left_at = session.scalar(select(Revision.timestamp).where(Revision.page_id == after.page.id,
                                                                  Revision.id > before.revision.id)
                                 .order_by(Revision.id).limit(1))
    paused = left_at - waiting_from
    for name in ("Response due", "Resolution due"):
        assert after.moment(name) == (before.moment(name) + paused).replace(microsecond=0), name
    summaries = history_summaries(site, after.page.id)
    if how in ("edit", "api"):  # a plain save is followed by the clock's own revision
        assert summaries[-1].startswith("SLA clock: due times moved on by 48h 00m")
    else:
        assert not any(s.startswith("SLA clock") for s in summaries)


def history_summaries(site, page_id: int) -> list[str]:
    with site.db.read() as session:
        return list(session.scalars(select(Revision.summary).where(Revision.page_id == page_id).order_by(Revision.id)))


def test_breach_job_escalates_once_and_tells_assignee_and_lead(make_site):
    site = make_site(seed=True)
    desk = make_desk(site)
    save(site, "Project:Ticket departments", "* Support (lead: Lead)\n* Billing", desk.admin)
    long_ago = datetime.now(UTC) - timedelta(days=10)
    open_test_ticket(site, desk.alice, subject="Old problem", now=long_ago)
    open_test_ticket(site, desk.alice, subject="Fresh problem")
    outcomes = run_jobs(site, ["tickets.sla_breaches"], force=True)
    assert outcomes[0].ran and outcomes[0].error is None
    item = get_ticket(site, "Ticket:1001")
    assert item.get("Breaches") == "response, resolution" and item.priority == "P2"
    assert item.get("Assignee") == "Lead"
    assert item.revision.summary.startswith("SLA breached (response, resolution)")
    assert get_ticket(site, "Ticket:1002").get("Breaches") == ""
    assert escalation.check_breaches(site) == 0, "a second run finds nothing new"
    assert get_ticket(site, "Ticket:1001").revision.id == item.revision.id
    with site.db.read() as session:
        mails = session.query(OutgoingMail).filter(OutgoingMail.category == "tickets").all()
    assert [m.to_address for m in mails] == ["lead@example.test"] and "SLA breached" in mails[0].subject


def test_breach_job_skips_a_lead_who_may_no_longer_lead(make_site):
    site = make_site(seed=True)
    desk = make_desk(site)
    save(site, "Project:Ticket departments", "* Support (lead: Lead)\n* Billing", desk.admin)
    with site.db.write() as session:  # checked when the page was saved; disabled since
        find_user(session, "Lead").disabled = True
    open_test_ticket(site, desk.alice, now=datetime.now(UTC) - timedelta(days=10))
    assert escalation.check_breaches(site) == 1
    item = get_ticket(site, "Ticket:1001")
    assert item.get("Breaches") == "response, resolution" and item.get("Assignee") == ""


def _wait_on_customer(site, desk, number: int, at: datetime) -> None:
    with site.db.write() as session:
        item = load(site, session, site.titles.parse(f"Ticket:{number}"), lock=True)
        triage.change(site, session, desk.agent, item, {"Status": "Waiting on customer"}, now=at)


def _reminder_mails(site) -> list[OutgoingMail]:
    with site.db.read() as session:
        return session.query(OutgoingMail).filter(OutgoingMail.subject.contains("Waiting for your answer")).all()


def test_reminder_job_mails_the_requester_once_per_wait(make_site):
    site = make_site(seed=True)
    desk = make_desk(site)
    now = datetime.now(UTC)
    open_test_ticket(site, desk.alice, subject="Old question", now=now - timedelta(days=5))
    open_test_ticket(site, desk.alice, subject="Fresh question", now=now - timedelta(days=5))
    _wait_on_customer(site, desk, 1001, now - timedelta(days=4))
    _wait_on_customer(site, desk, 1002, now - timedelta(days=1))  # not yet: reminders come after 3 days
    outcomes = run_jobs(site, ["tickets.reminders"], force=True)
    assert outcomes[0].ran and outcomes[0].error is None
    mails = _reminder_mails(site)
    assert [(m.to_address, m.subject) for m in mails] == [
        ("alice@example.test", "[Ticket:1001] Waiting for your answer: Old question")]
    assert "Please reply on the ticket page" in mails[0].body
    item = get_ticket(site, "Ticket:1001")
    assert item.get("Reminded") and item.revision.summary.startswith("Reminder sent to the requester; Reminded:")
    assert reminders.send_reminders(site) == 0, "a second run sends nothing new"
    with site.db.write() as session:  # the customer answers; later the ticket waits on them again
        conversation.reply(site, session, desk.alice, load(site, session, site.titles.parse("Ticket:1001")), "Done.")
    _wait_on_customer(site, desk, 1001, now + timedelta(hours=1))
    assert reminders.send_reminders(site, now=now + timedelta(days=1)) == 0
    assert reminders.send_reminders(site, now=now + timedelta(days=4)) == 2  # the second wait, and Ticket:1002
    assert len(_reminder_mails(site)) == 3


def test_report_page_shows_counts_durations_compliance_and_trend(make_site):
    site = make_site(seed=True)
    desk = make_desk(site)
    start = datetime.now(UTC) - timedelta(days=2)
    open_test_ticket(site, desk.alice, priority="P1", category="Payments", now=start)
    open_test_ticket(site, desk.bob, category="Technical")
    with site.db.write() as session:
        item = load(site, session, site.titles.parse("Ticket:1001"))
        conversation.reply(site, session, desk.agent, item, "Looking", now=start + timedelta(minutes=30))
    with site.db.write() as session:
        item = load(site, session, site.titles.parse("Ticket:1001"))
        triage.change(site, session, desk.agent, item, {"Status": "Resolved"}, now=start + timedelta(hours=6))
    analyst = create_app(site=site).test_client()
    login(analyst, "Analyst")
    page = analyst.get("/wiki/Project:Ticket_reports").get_data(as_text=True)
    assert "0h 30m (average of 1 ticket)" in page and "6h 00m (average of 1 ticket)" in page
    assert "100.0% (1 of 1)" in page and "0.0% (0 of 1)" in page
    assert "/tickets/reports/weekly.svg?weeks=8" in page and "format=csv" in page
    svg = analyst.get("/tickets/reports/weekly.svg?weeks=8")
    assert svg.mimetype == "image/svg+xml" and svg.headers["X-Content-Type-Options"] == "nosniff"
    alice = create_app(site=site).test_client()
    login(alice, "Alice")
    mine = alice.get("/wiki/Project:Ticket_reports").get_data(as_text=True)
    assert "Technical" not in mine.split("Most common categories")[0], "Bob's ticket is not counted for Alice"
