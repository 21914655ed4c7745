"""Dated events out of timeline tables, lists and sub-headings, and times inferred from them."""

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

# Abbreviations people write after times; fixed offsets, as written (IST = India).
ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "IST": 5.5, "PDT": -7, "PST": -8, "EDT": -4, "EST": -5,
    "CDT": -5, "CST": -6, "MDT": -6, "MST": -7, "CET": 1, "CEST": 2, "BST": 1, "JST": 9, "AEST": 10,
}
ZONE_RE = re.compile(r"\b(" + "|".join(ZONES) + r")\b")
TIME_RE = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?(?![\d])", re.I)
ISO_DATE_RE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
MONTH_DATE_RE = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?,?\s+(\d{4})\b", re.I)

PHASE_WORDS = (
    ("resolution", ("resolved", "fully recovered", "back to normal", "incident closed", "all clear", "closed the incident")),
    ("mitigation", ("mitigat", "rolled back", "rollback", "roll back", "reverted", "workaround", "restored", "recovered")),
    ("detection", ("alert", "paged", "pager", "page ", "detected", "noticed", "reported", "reports of", "pagerduty", "alarm", "first report")),
    ("trigger", ("deployed", "deploy ", "pushed", "rolled out", "started", "began")),
)


def zone_of(text: str, fallback: str | None) -> tuple[timezone | ZoneInfo | None, str]:
    """The zone the document states ('All times in UTC', 'IST'), else --timezone, else none."""
    stated = re.search(r"(?:(?:all\s+)?times?\s+(?:are\s+)?(?:in\s+)?|timeline\s*)\(?(" + "|".join(ZONES) + r")\b", text, re.I)
    if stated:
        name = stated.group(1).upper()
        return timezone(timedelta(hours=ZONES[name])), f"times in {name} (stated)"
    if fallback:
        return ZoneInfo(fallback), f"times in {fallback} (--timezone)"
    return None, ""


def find_date(text: str) -> date | None:
    """The first calendar date written in a line: 2019-10-21, 21 Oct 2019, October 21, 2019."""
    iso = ISO_DATE_RE.search(text)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    named = MONTH_DATE_RE.search(text)
    if named:
        try:
            return dateparser.parse(named.group(0), fuzzy=True).date()
        except (ValueError, OverflowError):
            return None
    return None


def find_time(text: str) -> tuple[time, int, int] | None:
    """The first clock time in a line, and where it spans."""
    for match in TIME_RE.finditer(text):
        hour, minute = int(match[1]), int(match[2])
        second = int(match[3] or 0)
        meridiem = (match[4] or "").lower().replace(".", "")
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second), match.start(), match.end()
    return None


MARKERS = (("resolution", ("outage ends", "incident ends", "incident resolved", "outage resolved")),
           ("mitigation", ("outage mitigated", "incident mitigated")),
           ("trigger", ("outage begins", "incident begins", "impact begins", "impact started")))


def marker_of(description: str) -> str | None:
    """The phase an explicit marker names ('OUTAGE BEGINS', 'OUTAGE MITIGATED'), which wins over word guesses."""
    lowered = description.lower()
    return next((phase for phase, words in MARKERS if any(w in lowered for w in words)), None)


def phase_of(description: str) -> str:
    """The incident phase an event's words suggest."""
    lowered = description.lower()
    if marker_of(description):
        return marker_of(description)  # type: ignore[return-value]
    for phase, words in PHASE_WORDS:
        if any(w in lowered for w in words):
            return phase
    return "other"


def event_at(day: date, clock: time, line: str, zone) -> datetime:
    """An aware time: a zone written on the line wins over the document's."""
    written = ZONE_RE.search(line)
    if written:
        zone = timezone(timedelta(hours=ZONES[written[1]]))
    return datetime.combine(day, clock, tzinfo=zone or timezone.utc)


def parse_duration(text: str) -> timedelta | None:
    """'13 minutes', '2h 30m', '1 hour and 5 minutes', '3 days' as a duration."""
    total = timedelta()
    found = False
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\b",
                                   text, re.I):
        found = True
        value = float(amount)
        unit = unit.lower()
        total += (timedelta(days=value) if unit.startswith("d") else timedelta(hours=value)
                  if unit.startswith("h") else timedelta(seconds=value) if unit.startswith("s")
                  else timedelta(minutes=value))
    return total if found else None
