"""Service levels: business calendars, targets per priority, due times and elapsed time.

Pure functions and values, no database: ``parse_service_levels`` reads the text of
``Project:Service levels`` (a list, see ``DEFAULT_TEXT``) and raises ``SlaConfigError``
naming every bad line.  A target's clock runs either in business hours only (the
calendar's work days and opening hours in its time zone, minus holidays) or around the
clock.  All datetimes going in and out are aware; results are in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext

UTC = timezone.utc
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PRIORITIES = ("P1", "P2", "P3", "P4")
BUSINESS, ALWAYS = "business hours", "around the clock"
#: Give up looking for business time after this many days (a calendar with no work days).
MAX_DAYS = 3 * 366
#: How long a ticket waits on the customer before the requester is reminded (``* Remind after: 3d``).
DEFAULT_REMIND_AFTER = timedelta(days=3)

DEFAULT_TEXT = """Service level targets of the help desk, checked when this page is saved.
Times are hours (`4h`), minutes (`30m`) or days of 24 hours (`2d`).

* Time zone: Asia/Riyadh
* Business days: Saturday, Sunday, Monday, Tuesday, Wednesday, Thursday
* Business hours: 09:00-17:00
* Holidays: 2026-12-18, 2027-03-20
* P1: response 1h, resolution 4h, around the clock
* P2: response 4h, resolution 24h, business hours
* P3: response 8h, resolution 24h, business hours
* P4: response 24h, resolution 24h, business hours
* Remind after: 3d
"""


class SlaConfigError(ValueError):
    """``Project:Service levels`` cannot be understood; ``messages`` name each bad line."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo
    workdays: frozenset[int]  # 0 is Monday
    opens: time
    closes: time
    holidays: frozenset[date] = frozenset()

    def is_workday(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def hours_of(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening and closing moments in UTC, or ``None`` on a day off."""
        if not self.is_workday(day):
            return None
        return (datetime.combine(day, self.opens, self.zone).astimezone(UTC),
                datetime.combine(day, self.closes, self.zone).astimezone(UTC))


@dataclass(frozen=True)
class Target:
    response: timedelta
    resolution: timedelta
    clock: str = BUSINESS


DEFAULT_TARGETS = {
    "P1": Target(timedelta(hours=1), timedelta(hours=4), ALWAYS),
    "P2": Target(timedelta(hours=4), timedelta(hours=24)),
    "P3": Target(timedelta(hours=8), timedelta(hours=24)),
    "P4": Target(timedelta(hours=24), timedelta(hours=24)),
}


def add_business_time(cal: Calendar, start: datetime, amount: timedelta) -> datetime:
    """The moment ``amount`` of business time after ``start``."""
    if amount <= timedelta(0):
        return start.astimezone(UTC)
    start = start.astimezone(UTC)
    day = start.astimezone(cal.zone).date()
    for _ in range(MAX_DAYS):
        hours = cal.hours_of(day)
        if hours is not None:
            begin = max(hours[0], start)
            if begin < hours[1]:
                available = hours[1] - begin
                if amount <= available:
                    return begin + amount
                amount -= available
        day += timedelta(days=1)
    raise ValueError(gettext("the business calendar has no working hours within %(days)s days", days=MAX_DAYS))


def business_time_between(cal: Calendar, start: datetime, end: datetime) -> timedelta:
    """Business time from ``start`` to ``end`` (zero when ``end`` is not later)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta(0)
    day = start.astimezone(cal.zone).date()
    while datetime.combine(day, time(), cal.zone).astimezone(UTC) < end:
        hours = cal.hours_of(day)
        if hours is not None:
            overlap = min(hours[1], end) - max(hours[0], start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


@dataclass(frozen=True)
class ServiceLevels:
    calendar: Calendar
    targets: dict[str, Target] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    remind_after: timedelta = DEFAULT_REMIND_AFTER

    def target(self, priority: str) -> Target:
        return self.targets.get(priority, self.targets["P3"])

    def add(self, priority: str, start: datetime, amount: timedelta) -> datetime:
        if self.target(priority).clock == ALWAYS:
            return start.astimezone(UTC) + amount
        return add_business_time(self.calendar, start, amount)

    def elapsed(self, priority: str, start: datetime, end: datetime) -> timedelta:
        if self.target(priority).clock == ALWAYS:
            return max(end - start, timedelta(0))
        return business_time_between(self.calendar, start, end)

    def due(self, priority: str, opened: datetime) -> tuple[datetime, datetime]:
        """(first response due, resolution due) of a ticket opened at ``opened``."""
        target = self.target(priority)
        return self.add(priority, opened, target.response), self.add(priority, opened, target.resolution)

    def remaining(self, priority: str, now: datetime, due: datetime) -> timedelta:
        """Clock time left until ``due`` (negative when overdue)."""
        if now >= due:
            return -self.elapsed(priority, due, now)
        return self.elapsed(priority, now, due)


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_TARGET = re.compile(r"^(P[1-4])\s*:\s*response\s+(\S+)\s*,\s*resolution\s+(\S+)\s*(?:,\s*(.+))?$", re.I)
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def parse_duration(text: str) -> timedelta:
    found = _DURATION.match(text.strip().lower())
    if not text.strip() or not found or not any(found.groups()):
        raise ValueError(gettext("'%(value)s' is not a duration like 4h, 30m, 1h30m or 2d", value=text))
    days, hours, minutes = (int(g or 0) for g in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def format_duration(amount: timedelta) -> str:
    """``3h 05m`` (``-`` in front when negative)."""
    sign = "-" if amount < timedelta(0) else ""
    minutes = int(abs(amount).total_seconds() // 60)
    return f"{sign}{minutes // 60}h {minutes % 60:02d}m"


def _setting(key: str, value: str, found: dict) -> None:
    if key == "time zone":
        try:
            found["zone"] = ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(gettext("unknown time zone '%(value)s' (use a name like Asia/Riyadh or UTC)",
                                     value=value)) from None
    elif key == "business days":
        days = [d.strip().lower() for d in value.split(",") if d.strip()]
        unknown = [d for d in days if d not in DAY_NAMES]
        if unknown or not days:
            raise ValueError(gettext("business days must be day names like Saturday, Sunday; not %(value)s",
                                     value=", ".join(unknown) or gettext("(none)")))
        found["workdays"] = frozenset(DAY_NAMES.index(d) for d in days)
    elif key == "business hours":
        hours = _HOURS.match(value)
        if not hours:
            raise ValueError(gettext("business hours must look like 09:00-17:00, not '%(value)s'", value=value))
        h1, m1, h2, m2 = (int(g) for g in hours.groups())
        try:
            opens, closes = time(h1, m1), time(h2, m2)
        except ValueError:
            raise ValueError(gettext("'%(value)s' is not a valid time of day range", value=value)) from None
        if opens >= closes:
            raise ValueError(gettext("business hours must open before they close, not '%(value)s'", value=value))
        found["opens"], found["closes"] = opens, closes
    elif key == "holidays":
        try:
            found["holidays"] = frozenset(date.fromisoformat(d.strip()) for d in value.split(",") if d.strip())
        except ValueError:
            raise ValueError(gettext("holidays must be dates like 2026-12-18, separated by commas; not '%(value)s'",
                                     value=value)) from None
    elif key == "remind after":
        found["remind_after"] = parse_duration(value)
    else:
        raise ValueError(gettext("unknown setting '%(key)s'; use Time zone, Business days, Business hours, Holidays, "
                                 "Remind after or P1-P4", key=key))


def parse_service_levels(text: str) -> ServiceLevels:
    """Read the list lines (``* Key: value``) of ``Project:Service levels``; other lines are prose."""
    found: dict = {"zone": ZoneInfo("UTC"), "workdays": frozenset(range(5)), "opens": time(9), "closes": time(17),
                   "holidays": frozenset(), "remind_after": DEFAULT_REMIND_AFTER}
    targets = dict(DEFAULT_TARGETS)
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith("* "):
            continue
        item = stripped[2:].strip()
        try:
            target = _TARGET.match(item)
            if target:
                priority, response, resolution, clock = target.groups()
                clock = (clock or BUSINESS).strip().lower()
                if clock not in (BUSINESS, ALWAYS):
                    raise ValueError(gettext("the clock must be '%(business)s' or '%(always)s', not '%(value)s'",
                                             business=BUSINESS, always=ALWAYS, value=clock))
                targets[priority.upper()] = Target(parse_duration(response), parse_duration(resolution), clock)
            elif item.upper().startswith(PRIORITIES):
                raise ValueError(gettext("a target must look like 'P2: response 4h, resolution 24h, business hours'"))
            else:
                key, colon, value = item.partition(":")
                if not colon:
                    raise ValueError(gettext("a setting must look like 'Key: value'"))
                _setting(key.strip().lower(), value.strip(), found)
        except ValueError as exc:
            errors.append(gettext("Service levels, line %(line)s: %(why)s.", line=number, why=exc))
    if errors:
        raise SlaConfigError(errors)
    return ServiceLevels(Calendar(found["zone"], found["workdays"], found["opens"], found["closes"],
                                  found["holidays"]), targets, found["remind_after"])
