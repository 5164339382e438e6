"""Reading the dates and times editors write, and the repeat rules they give."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from .model import RepeatRule, When

_WHEN = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T ]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?$",
    re.IGNORECASE,
)
_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(:\d{2})?\s*(am|pm)?$", re.IGNORECASE)
EXAMPLE = "write 2026-10-01 for an all-day event or 2026-10-01 18:30 for a time"


class DateProblem(ValueError):
    """A date an editor wrote cannot be used; the message says why and the fix how to mend it."""

    def __init__(self, message: str, fix: str = EXAMPLE):
        super().__init__(message)
        self.message = message
        self.fix = fix


def parse_when(text: str, zone: ZoneInfo, earliest_year: int, latest_year: int) -> When:
    """Turn ``2026-10-01``, ``2026-10-01 18:30`` or ``2026-10-01T18:30+01:00`` into a value.

    Times without an offset are local times in ``zone``; times with an offset are the instant
    they name, shown in ``zone``.
    """
    text = text.strip()
    if _TIME_ONLY.match(text):
        raise DateProblem(f"{text!r} is a time without a date",
                          "write the date too, for example 2026-10-01 18:30")
    match = _WHEN.match(text)
    if not match:
        raise DateProblem(f"{text!r} is not a date")
    year, month, day = (int(match[name]) for name in ("year", "month", "day"))
    if not earliest_year <= year <= latest_year:
        raise DateProblem(f"the year {year} is outside {earliest_year} to {latest_year}",
                          "check the year")
    if not 1 <= month <= 12:
        raise DateProblem(f"{text!r} has no month {month}", "months run from 01 to 12")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise DateProblem(
            f"{text!r} is not a real date: {calendar.month_name[month]} {year} has "
            f"{days_in_month} days", "check the day and month")
    if match["hour"] is None:
        return date(year, month, day)
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateProblem(f"{text!r} is not a real time of day",
                          "use the 24-hour clock, from 00:00 to 23:59")
    offset = match["offset"]
    if offset:
        return datetime(year, month, day, hour, minute, second,
                        tzinfo=_fixed_offset(offset)).astimezone(zone)
    local = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    if local.astimezone(timezone.utc).astimezone(zone).replace(fold=0) != local:
        raise DateProblem(
            f"{text!r} does not exist in {zone.key}: the clocks go forward that night",
            "choose a time outside the hour the clocks skip")
    return local


def _fixed_offset(text: str) -> timezone:
    if text.upper() == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 18 or minutes > 59:
        raise DateProblem(f"the UTC offset {text!r} is not possible",
                          "write an offset such as +01:00 or Z")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def last_day(start: When, end: When | None, zone: ZoneInfo) -> date:
    """The last day an event is on, in ``zone``; an end at midnight ends the day before."""
    if end is None:
        return start.astimezone(zone).date() if isinstance(start, datetime) else start
    if not isinstance(end, datetime):
        return end
    local_end = end.astimezone(zone)
    if local_end.time() == time.min and end > start:
        return local_end.date() - timedelta(days=1)
    return local_end.date()


def first_day(start: When, zone: ZoneInfo) -> date:
    return start.astimezone(zone).date() if isinstance(start, datetime) else start


# --- Repeat rules ---------------------------------------------------------------------------

ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
RULE_PARTS = ("FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
              "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST")
_RULE_CHARACTERS = re.compile(r"^[A-Za-z0-9=;,+\-]+$")
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$", re.IGNORECASE)


def parse_repeat(text: str, start: When, zone: ZoneInfo) -> RepeatRule:
    """Check an RRULE an editor wrote and normalise its UNTIL as RFC 5545 section 3.3.10 asks."""
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        raise DateProblem("starts with 'RRULE:'", "leave out 'RRULE:' and write only the rule")
    if not _RULE_CHARACTERS.match(text):
        raise DateProblem(f"{text!r} is not a repeat rule",
                          "write a rule such as FREQ=WEEKLY;INTERVAL=6;COUNT=9")
    parts: dict[str, str] = {}
    for piece in text.split(";"):
        name, equals, value = piece.partition("=")
        name = name.upper()
        if not equals or not value:
            raise DateProblem(f"{piece!r} is not a NAME=VALUE part",
                              "write a rule such as FREQ=WEEKLY;INTERVAL=6;COUNT=9")
        if name not in RULE_PARTS:
            raise DateProblem(f"{name} is not a part of a repeat rule",
                              "use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH")
        if name in parts:
            raise DateProblem(f"{name} is given twice", "give each part once")
        parts[name] = value.upper()
    frequency = parts.get("FREQ")
    if frequency not in ALLOWED_FREQUENCIES:
        raise DateProblem(
            f"FREQ={frequency}" if frequency else "has no FREQ",
            "events repeat DAILY, WEEKLY, MONTHLY or YEARLY, e.g. FREQ=WEEKLY;COUNT=6")
    if "COUNT" in parts and "UNTIL" in parts:
        raise DateProblem("has both COUNT and UNTIL", "give one of them")
    for number in ("COUNT", "INTERVAL"):
        if number in parts and not (parts[number].isdigit() and int(parts[number]) > 0):
            raise DateProblem(f"{number}={parts[number]} is not a whole number above 0",
                              f"write for example {number}=3")
    _check_possible(parts)
    published, local = dict(parts), dict(parts)
    if "UNTIL" in parts:
        published["UNTIL"], local["UNTIL"] = _until(parts["UNTIL"], start, zone)
    local_rule = ";".join(f"{key}={value}" for key, value in local.items())
    naive_start = _naive(start)
    try:
        rrulestr(local_rule, dtstart=naive_start)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise DateProblem(f"is not a valid rule: {error}",
                          "write a rule such as FREQ=WEEKLY;INTERVAL=6;COUNT=9") from None
    return RepeatRule(";".join(f"{key}={value}" for key, value in published.items()), local_rule)


def _check_possible(parts: dict[str, str]) -> None:
    """Refuse a rule whose days never come, such as the 30th of February.

    The expansion would otherwise search every day until the year 9999 for them.
    """
    if "BYMONTH" not in parts or "BYMONTHDAY" not in parts:
        return
    try:
        months = [int(m) for m in parts["BYMONTH"].split(",")]
        days = [int(d) for d in parts["BYMONTHDAY"].split(",")]
    except ValueError:
        return  # the rule's own check reports it
    longest = {month: calendar.monthrange(2024, month)[1] for month in range(1, 13)}
    if not any(abs(day) <= longest.get(month, 0) for month in months for day in days):
        raise DateProblem(f"BYMONTH={parts['BYMONTH']};BYMONTHDAY={parts['BYMONTHDAY']} is a "
                          "day that never comes", "check the month and day of the rule")


def _until(value: str, start: When, zone: ZoneInfo) -> tuple[str, str]:
    """Return UNTIL as published and as a local wall time."""
    match = _UNTIL.match(value)
    if not match:
        raise DateProblem(f"UNTIL={value} is not a date",
                          "write UNTIL=20270601 (the last day the event may fall on)")
    day_text, time_text, utc = match.groups()
    try:
        day = datetime.strptime(day_text, "%Y%m%d").date()
    except ValueError:
        raise DateProblem(f"UNTIL={value} is not a real date", "check the day and month") from None
    if not isinstance(start, datetime):
        return day.strftime("%Y%m%d"), day.strftime("%Y%m%d")
    if time_text:
        clock = datetime.strptime(time_text, "%H%M%S").time()
        moment = datetime.combine(day, clock, tzinfo=timezone.utc if utc else zone)
    else:
        # A date means "up to the end of that day" where the event happens.
        moment = datetime.combine(day, time(23, 59, 59), tzinfo=zone)
    published = moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    local = moment.astimezone(start.tzinfo).strftime("%Y%m%dT%H%M%S")
    return published, local


def _naive(start: When) -> datetime:
    if isinstance(start, datetime):
        return start.replace(tzinfo=None)
    return datetime.combine(start, time.min)


def repeat_starts(rule: RepeatRule, start: When, until: date, limit: int) -> tuple[list[When], bool]:
    """Expand a rule in local wall time up to ``until``; say whether it had more than ``limit``.

    Expanding in wall time keeps a weekly 18:30 meeting at 18:30 across the clock change,
    as RFC 5545 requires for a DTSTART with a TZID.
    """
    starts: list[When] = []
    expansion = rrulestr(rule.local, dtstart=_naive(start))
    if "COUNT=" not in rule.local:
        # Stop the expansion itself at the window, so that a rule whose dates never come
        # (BYMONTH=2;BYMONTHDAY=30) cannot keep a build searching until the year 9999.
        window_end = datetime.combine(until, time.max)
        rule_until = getattr(expansion, "_until", None)
        expansion = expansion.replace(until=min(rule_until, window_end) if rule_until else window_end)
    for moment in expansion:
        if moment.date() > until:
            return starts, False
        if len(starts) == limit:
            return starts, True
        starts.append(moment.replace(tzinfo=start.tzinfo) if isinstance(start, datetime)
                      else moment.date())
    return starts, False
