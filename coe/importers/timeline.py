"""Dates, clock times, zones and phases as post-mortems write them, for the Markdown importer."""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

# Abbreviations people write after times; fixed offsets, as written (IST = India).
ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "IST": 5.5, "PDT": -7, "PST": -8, "EDT": -4, "EST": -5, "CDT": -5, "CST": -6,
    "MDT": -6, "MST": -7, "CET": 1, "CEST": 2, "BST": 1, "EET": 2, "EEST": 3, "JST": 9, "KST": 9, "SGT": 8,
    "HKT": 8, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "ET": "America/New_York", "PT": "America/Los_Angeles",
    "US/Pacific": "America/Los_Angeles", "US/Eastern": "America/New_York", "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver",
}
# Named regions whose offset depends on the day ("all times in Pacific Time").
REGIONS = {"pacific": "America/Los_Angeles", "eastern": "America/New_York", "central european": "Europe/Berlin",
           "central": "America/Chicago", "mountain": "America/Denver"}
OFFSET = r"(?:UTC|GMT)\s?([+-−])\s?(\d{1,2})(?::?(\d{2}))?"
ZONE_RE = re.compile(r"(?<![\w+-])(?:" + OFFSET + r"|(" + "|".join(ZONES) + r"))(?![\w+-])")
STATED_ZONE_RE = re.compile(
    r"(?:(?:all\s+)?times?\s+(?:are\s+)?(?:in\s+)?|timeline\s*)[(_*]*(?:" + OFFSET + r"|(" + "|".join(ZONES)
    + r")(?![A-Za-z])|(" + "|".join(REGIONS) + r")\s+(?:standard\s+)?time)", re.IGNORECASE)
TIME_RE = re.compile(r"(?<![\d:.])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([ap]\.?m\.?)?(?![\d])", re.IGNORECASE)
ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})\d?[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:[a-z]*\.?)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
# "October 21, 2019", "October 29-30, 2025", "21 Oct 2019", "28th of February", "Jan 14" (the year from context).
MONTH_DATE_RE = re.compile(
    r"\b(?:" + _DAY + r"(?:\s*[-–]\s*\d{1,2}(?:st|nd|rd|th)?)?\s+(?:of\s+)?" + _MONTH + r"|" + _MONTH + r"\s+" + _DAY
    + r"(?:\s*(?:[-–]|and|&)\s*\d{1,2}(?:st|nd|rd|th)?)?(?!\d))(?:,?\s+(\d{4})\b)?", re.IGNORECASE)


def _offset(sign: str, hours: str, minutes: str | None) -> timezone:
    """A fixed zone from a written UTC offset such as UTC+1 or GMT-05:30."""
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return timezone(-delta if sign in "-−" else delta)


def zone_named(match: re.Match) -> timezone | ZoneInfo:
    """The zone a ZONE_RE match names."""
    if match[1]:
        return _offset(match[1], match[2], match[3])
    return _named(match[4])


def _named(abbreviation: str) -> timezone | ZoneInfo:
    """A fixed offset (IST, PDT), or the region whose offset depends on the day (ET, PT)."""
    value = ZONES[abbreviation]
    return ZoneInfo(value) if isinstance(value, str) else timezone(timedelta(hours=value))


# The first clock time written with its zone ("at 10:13 PDT"): the zone of the times written without one.
WRITTEN_ZONE_RE = re.compile(r"(?<![\d:T])(\d{1,2}:\d{2}(?:\s*[aApP]\.?[mM]\.?)?)\s*(?:" + OFFSET + r"|(?:"
                             + "|".join(ZONES) + r"))(?![\w+-])")


def zone_of(text: str, fallback: str | None) -> tuple[timezone | ZoneInfo | None, str]:
    """The zone the document states ('All times in UTC', 'Timeline (IST)', 'UTC+1'), else --timezone, else none."""
    stated = STATED_ZONE_RE.search(text)
    if stated:
        if stated[1]:
            return _offset(stated[1], stated[2], stated[3]), f"times in {stated.group(0).split()[-1].strip('()_*')} (stated)"
        if stated[4]:
            name = stated[4].upper()
            return _named(name), f"times in {name} (stated)"
        region = REGIONS[stated[5].lower()]
        return ZoneInfo(region), f"times in {region} (stated: {stated[5]} time)"
    if fallback:
        return ZoneInfo(fallback), f"times in {fallback} (--timezone)"
    written = WRITTEN_ZONE_RE.search(text)
    zone = ZONE_RE.fullmatch(written.group(0)[len(written[1]):].strip()) if written else None
    if zone and zone.group(0) not in ("UTC", "GMT", "Z"):
        return zone_named(zone), f"times without a zone taken as {zone.group(0)}, the zone written with {written[1]}"
    return None, ""


def find_date(text: str, year: int | None = None) -> date | None:
    """The first calendar date in a line: 2019-10-21, 21 Oct 2019, October 21, 2019; 'Jan 14' in the given year."""
    iso = ISO_DATE_RE.search(text)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    for named in MONTH_DATE_RE.finditer(text):
        day, month = (named[1], named[2]) if named[2] else (named[4], named[3])
        stated = int(named[5]) if named[5] else year
        if stated is None or (not named[5] and month.startswith("may")):
            continue  # "may 5" without a year is more often the verb than the month
        try:
            return date(stated, MONTHS.index(month[:3].lower()) + 1, int(day))
        except ValueError:
            continue
    return None


MONTH_YEAR_RE = re.compile(r"\b" + _MONTH + r",?\s+(\d{4})\b", re.IGNORECASE)


def find_month(text: str) -> date | None:
    """The first day of the first month written with its year alone ('in early August 2022')."""
    found = MONTH_YEAR_RE.search(text)
    return date(int(found[2]), MONTHS.index(found[1][:3].lower()) + 1, 1) if found else None


def date_span(text: str, year: int | None = None) -> tuple[int, int] | None:
    """Where the first date of a line is written."""
    found = [m for m in (ISO_DATE_RE.search(text), MONTH_DATE_RE.search(text)) if m]
    if not found or find_date(text, year) is None:
        return None
    first = min(found, key=lambda m: m.start())
    return first.start(), first.end()


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


LEAD_RE = re.compile(r"^[\s~≈(]*(?:(?:at|around|approx\.?|approximately|by)\s+)?", re.IGNORECASE)


# A date written after its time: "… by 00:30 UTC on February 3", "at 2:45 AM PST on Tuesday, December 25th".
ON_DATE_RE = re.compile(r"\s*(?:\(?[A-Za-z][\w/+-]*\)?\s+)?,?\s*on\s+(?:the\s+)?(?:[a-z]+day,?\s+)?", re.IGNORECASE)


def date_after(text: str, year: int | None) -> tuple[date, int] | None:
    """The date that follows a time with 'on', and where it ends; None when none does."""
    said = ON_DATE_RE.match(text)
    span = date_span(text[said.end():], year) if said else None
    if not span or span[0] != 0:
        return None
    day = find_date(text[said.end():], year)
    return (day, said.end() + span[1]) if day else None


def leading_moment(text: str, year: int | None) -> tuple[date | None, time | None, str] | None:
    """A line that starts with a date, a time or both ('Jan 14, 10:18 AM', '2021-08-26 08:22', '5:05'), and the rest."""
    rest = LEAD_RE.sub("", text, count=1)
    day = None
    span = date_span(rest, year)
    if span and span[0] == 0:
        day = find_date(rest, year)
        rest = re.sub(r"^(?:T(?=\d))?[\s,]*(?:at\s+)?", "", rest[span[1]:])  # 2025-02-11T00:58Z
    clock = find_time(rest)
    if clock and clock[1] == 0:
        after = rest[clock[2]:]
        zone = ZONE_RE.match(after.lstrip(" ~"))
        if zone:
            after = after.lstrip(" ~")[zone.end():]
        on = None if day else date_after(after, year)
        if on:  # "At 2:45 AM PST on December 25th, a recovery …"
            day, after = on[0], after[on[1]:]
        return day, clock[0], after
    return (day, None, rest) if day else None


def event_at(day: date, clock: time, line: str, zone) -> datetime:
    """An aware time: a zone written on the line wins over the document's."""
    written = ZONE_RE.search(line)
    if written:
        zone = zone_named(written)
    return datetime.combine(day, clock, tzinfo=zone or UTC)


MARKERS = (("resolution", ("outage ends", "incident ends", "incident resolved", "outage resolved", "incident closed",
                           "declared resolved", "marked resolved", "marked as resolved",
                           "incident officially resolved", "incident is resolved")),
           ("mitigation", ("outage mitigated", "incident mitigated", "issue mitigated", "impact mitigated",
                           "impact ends", "impact ended")),
           ("escalation", ("incident begins", "incident declared", "declares incident", "declares an incident",
                           "declared an incident", "initiates incident", "incident was declared", "acknowledg")),
           ("trigger", ("outage begins", "impact begins", "impact started", "problem started", "issue started")))

# Checked in this order; the first phase whose words appear wins.
PHASE_WORDS = (
    ("resolution", ("resolved", "fully recovered", "fully restored", "full service restored", "back to normal",
                    "all clear", "closed the incident", "service operational", "fully operational", "issue is closed",
                    "permanently fixed", "returned to normal", "service restored", "everything seems fine",
                    "verified operational", "all systems operational", "operational again", "back online", "solved",
                    "operating normally", "full recovery", "close the incident", "closes the incident",
                    "full resolution", "fully recovering", "normal operation", "were operational", "was operational",
                    "is operational")),
    ("mitigation", ("mitigat", "rolled back", "rollback", "roll back", "reverted", "revert", "workaround", "restored",
                    "recover", "downgraded", "scaled", "disabled", "fix applied", "fix deployed",
                    "re-deploy", "redeploy", "failover", "failed over", "stabilis", "stabiliz", "capped", "draining",
                    "drained", "re-run", "rerun", "refreshed", "start succeeding", "succeeding again",
                    "working again", "users reconnect", "installed", "previous version", "restarted", "paused", "pause the",
                    "caught up", "catches up", "rerouted", "re-routed", "are routed to", "were routed to",
                    "from service", "out of service", "out of rotation", "from rotation")),
    ("detection", ("alert", "paged", "pager", " page ", "detected", "detects", "noticed", "notices", "notified",
                   "reported", "reports", "pagerduty", "alarm", "first report", "reached out", "ticket", "uptime check",
                   "became aware", "warning", "witnessed", "observed", "spotted", "incoming report",
                   "report that", "report of", " report ")),
    ("escalation", ("declare", "escalat", "acknowledg", "incident channel", "war room", "joins", "enters the chat",
                    "pulled in", "hands off", "status-page", "engaged")),
    ("diagnosis", ("investigat", "identified", "identify", "correlat", "root cause", "diagnos", "discover", "confirms", "confirmed",
                   "hypothesis", "suspect", "looking into", "troubleshoot", "found")),
    ("trigger", ("deployed", "deploy ", "deploys", "pushed", "rolled out", "rollout", "rolling out",
                 "merged", "released", "upgraded", "upgrade", "applied", "published", "expire", "executed",
                 "committed", "started a ", "kicked off", "initiated")),
)
# A recovery of part of the impact ("the main impact was resolved", "largely restored") mitigates; it does not resolve.
PARTIAL_RE = re.compile(r"\b(?:main impact|majority|largely|mostly|most (?:affected |of )?\w+|partial(?:ly)?|some services|"
                        r"began to|begins to|starting|the first)\b", re.IGNORECASE)
# The impact beginning ("the issue began at 10:49 …, with varying recovery times") is neither a fix nor an end.
IMPACT_BEGAN_RE = re.compile(r"\b(?:issue|incident|outage|disruption|problems?|errors?|impact|event)\s+(?:\w+\s+){0,2}?"
                             r"(?:began|begins|started|starts|commenced)\b", re.IGNORECASE)
# Words that say the impact eased, which a change made before anyone noticed never does.
EASED = ("mitigat", "restored", "recover", "workaround", "working again", "succeeding again", "back online")
# An attempt that did not work, or one only decided on, is not a mitigation.
FAILED_RE = re.compile(r"\b(fail(s|ed)?\b(?! over)|did not|didn't|not effective|attempt(ed|s)?\b|unsuccessful|still|persists?|"
                       r"would like to|decision to|decides? to|decided to|approach is to|plans? to|agree|no difference|"
                       r"no effect|did not help|didn't help)",
                       re.IGNORECASE)


@lru_cache(maxsize=32)
def _words_re(words: tuple[str, ...]) -> re.Pattern:
    """Any of the words, each where a word begins ('successfully restored' does not say 'fully restored')."""
    return re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, words)) + ")")


def _said(words: tuple[str, ...], lowered: str) -> bool:
    """Whether a lowered text says one of the words."""
    return _words_re(words).search(lowered) is not None


def marker_of(description: str) -> str | None:
    """The phase an explicit marker names ('OUTAGE BEGINS', 'Incident declared'), which wins over word guesses."""
    lowered = description.lower()
    return next((phase for phase, words in MARKERS if any(w in lowered for w in words)), None)


def phase_of(description: str, detected: bool = True) -> str:
    """The incident phase an event's words suggest; a change before anyone noticed is a trigger, after it a fix."""
    lowered = " " + re.sub(r"status (?:page|post|update)", "status-page", description.lower())  # pages no one
    marked = marker_of(description)
    if marked:
        return marked
    # A failed attempt, or the impact beginning, is neither a fix nor an end.
    no_fix = FAILED_RE.search(description) is not None or IMPACT_BEGAN_RE.search(description) is not None
    for phase, words in PHASE_WORDS:
        if not _said(words, lowered):
            continue
        if phase in ("mitigation", "resolution") and no_fix:
            continue
        if phase == "resolution" and PARTIAL_RE.search(description):
            return "mitigation"
        if phase == "mitigation" and not detected and not _said(EASED, lowered):
            return "trigger"  # a change before anyone noticed anything ("renewal job disabled") set it off
        if phase == "trigger" and detected:
            return "other" if no_fix else "mitigation"
        return phase
    return "other"


# A time written before the one above it by more than this is taken as the next day ("23:50", then "00:20").
ROLLOVER = timedelta(hours=12)


def rolled_over(at: datetime, last: datetime | None) -> bool:
    """Whether a time written without a date, after `last`, belongs to the next day."""
    return last is not None and at < last - ROLLOVER


# Prose may step back a little ("recovered by 00:30 on May 3 … the rollback had begun at 22:15"), not a day.
STEP_BACK = timedelta(hours=6)


def day_shift(at: datetime, last: datetime | None) -> timedelta:
    """How far to move a prose time written without a date, told after `last`: to the next day when it would be
    far before it, to the day before when that puts it only a little before it, else not at all."""
    if rolled_over(at, last):
        return timedelta(days=1)
    if last is not None and at > last + ROLLOVER and at - timedelta(days=1) >= last - STEP_BACK:
        return timedelta(days=-1)
    return timedelta()


def parse_duration(text: str) -> timedelta | None:
    """'13 minutes', '2h 30m', '1 hour and 48 minutes', '3 days' as a duration."""
    total = timedelta()
    found = False
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\b",
                                   text, re.IGNORECASE):
        found = True
        value = float(amount)
        unit = unit.lower()
        total += (timedelta(days=value) if unit.startswith("d") else timedelta(hours=value)
                  if unit.startswith("h") else timedelta(seconds=value) if unit.startswith("s")
                  else timedelta(minutes=value))
    return total if found else None
