"""started/detected/acknowledged/mitigated/resolved of a Markdown post-mortem, from its timeline, stated
durations and, when it has no timeline, the times its summary states ("from 15:30 to 18:10 UTC")."""

import re
from datetime import UTC, date, datetime
from itertools import pairwise

from coe.importers import timeline as tl
from coe.importers.markdown import MOMENT_FIELDS, clean
from coe.importers.sections import field_for

MITIGATED_RE = re.compile(r"\b(?:mitigat|rolled back|reverted|revoked|contained|restored|healthy again|deleted them)",
                          re.IGNORECASE)
RESOLVED_RE = re.compile(r"\b(?:fully recovered|resolved|fully restored|back to normal|returned to normal|recovered)",
                         re.IGNORECASE)
FULLY_MITIGATED_RE = re.compile(r"\b(?:fully|completely) mitigated?\b|\bmitigation (?:\w+ )?was declared\b", re.IGNORECASE)
WINDOW_RE = re.compile(r"\b(from|between)\b", re.IGNORECASE)


# Who acted, when the words say it was not a person: an alert fires, a pipeline runs.
ACTORS = (("system", re.compile(r"\b(alert|alarm|monitoring|pagerduty|borgmon|uptime check|health ?check|cloudwatch)",
                                re.IGNORECASE)),
          ("automation", re.compile(r"\b(pipeline|scheduled?r?|automated|cron|daily run|auto-?scal)", re.IGNORECASE)))


# Prose telling that the impact had begun ("the outage commenced at 19:26"): a change after it is a fix.
BEGAN_RE = re.compile(r"\b(?:began|begins|beginning|commenced|experienced)\b|"
                      r"\b(?:outage|incident|disruption|impact|errors?|issues?|problems?)\b[^.]*?\b(?:started|starts)\b",
                      re.IGNORECASE)


def assign_phases(events: list[dict], told: bool = False) -> None:
    """Each event's phase from its words (a change is a trigger only until someone noticed something, or, in
    prose, until the text says the impact began), and system or automation as its actor when its words say so."""
    noticed = False
    for event in events:
        event["phase"] = tl.phase_of(event["description"], noticed)
        said = f"{event.get('actor', '')} {event['description'][:200]}"
        event["actor_kind"] = next((kind for kind, words in ACTORS if words.search(said)), "human")
        began = told and BEGAN_RE.search(event["description"]) is not None
        # After a resolution, what follows is the next incident of a document that tells several.
        noticed = event["phase"] != "resolution" and (
            noticed or began or event["phase"] in ("detection", "escalation", "diagnosis"))


def prose_moments(texts: list[str], day: date | None, zone) -> list[tuple[datetime, str, bool]]:
    """Each time a paragraph states, with its sentence and whether it opens a 'from … to …' window."""
    found = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])(?<![ap]\.m\.)(?<!e\.g\.)(?<!i\.e\.)\s+", text):
            clean = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", sentence)
            clocks = list(tl.TIME_RE.finditer(clean))
            pieces = _pieces(clean, clocks)
            for index, clock in enumerate(clocks):
                moment = tl.find_time(clean[clock.start():])
                if moment is None:
                    continue
                before = clean[:clock.start()]
                stated = [tl.find_date(before[m.start():], day.year if day else None)
                          for m in list(tl.MONTH_DATE_RE.finditer(before)) + list(tl.ISO_DATE_RE.finditer(before))]
                on = tl.date_after(clean[clock.start() + moment[2]:], day.year if day else None)
                stated = [d for d in [*stated, on and on[0]] if d]
                day = stated[-1] if stated else day
                if day is None:
                    continue
                written = tl.ZONE_RE.search(clean, clock.end())
                at = datetime.combine(day, moment[0], tzinfo=tl.zone_named(written) if written else (zone or UTC))
                if not stated and found:  # "at 11:40 PM …, at 12:25 AM"
                    shift = tl.day_shift(at, found[-1][0])
                    at, day = at + shift, day + shift
                opens = index == 0 and WINDOW_RE.search(before) is not None
                found.append((at, clean, opens, pieces[index]))
    return found


# Where a sentence that states several times turns from one to the next: "…at 10:54 UTC, and was mitigated by 12:50".
TURN_RE = re.compile(r",?\s+and\s+|;\s*|,\s*|\s+(?:then|before|until|after)\s+", re.IGNORECASE)


LEADS_RE = re.compile(r"[\s,;]*(?:and\s+)?(?:(?:at|by|around|approximately)\s+)?", re.IGNORECASE)


def _pieces(sentence: str, clocks: list[re.Match]) -> list[str]:
    """The words that go with each time of a sentence: it is cut where it turns between two times, so
    'began at 10:54 and was mitigated by 12:50' gives 'mitigated' to 12:50 only."""
    cuts = [0]
    for before, after in pairwise(clocks):
        between = sentence[before.end():after.start()]
        turns = list(TURN_RE.finditer(between))
        # A time that opens its clause ("At 2:45 AM, a process restored …, followed by …") has its words after it.
        leads = LEADS_RE.fullmatch(sentence[cuts[-1]:before.start()]) is not None
        turn = (turns[-1] if leads else turns[0]).start() if turns else len(between) // 2
        cuts.append(before.end() + turn)
    cuts.append(len(sentence))
    return [sentence[a:b] for a, b in pairwise(cuts)]


# A moment inside a clause: "… resolved at 07:58 …", "mitigated on Wednesday, 26 April 2023 04:56 US/Pacific".
AT_TIME_RE = re.compile(r"\b(?:at|by|around|approximately)\s+(?=\d{1,2}:\d{2})|\bon\s+(?:[a-z]+day,?\s+)?"
                        r"(?:\d{1,2}(?:st|nd|rd|th)?\s+[a-z]+|[a-z]+\s+\d{1,2}(?:st|nd|rd|th)?),?\s+\d{4},?\s+(?:at\s+)?"
                        r"(?=\d{1,2}:\d{2})", re.IGNORECASE)
# Clauses of one sentence that each tell a moment: "At 07:05 an engineer …, and at 07:12 we rolled back".
CLAUSE_RE = re.compile(r",?\s+and\s+(?=(?:at|by|around)\s+\d)|,\s+and\s+(?=[^,.;]*\b(?:at|by)\s+\d{1,2}:\d{2})|;\s+",
                       re.IGNORECASE)


def told_events(texts: list[str], day: date | None, zone) -> list[dict]:
    """Timeline events from narrative prose: each clause that opens with its time ('At 06:24 our probes alerted',
    'By November 14, 15:02 UTC, …'); a window ('between 06:18 and 07:12') is no event."""
    events = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])(?<![ap]\.m\.)\s+", re.sub(r"\s+", " ", text)):
            clauses = CLAUSE_RE.split(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", sentence))
            for clause in (piece for whole in clauses for piece in _timed_pieces(whole)):
                clause = re.sub(r"^[\s,;]*(?:and\s+)?", "", clause)
                moment = _told_moment(re.sub(r"^[*_]+", "", clause.strip()), day)
                if moment is None or moment[1] is None or (moment[0] or day) is None:
                    continue
                day = moment[0] or day
                said = moment[2].strip(" ,;:*_-–—") or clause.strip(" ,;:*_-–—")
                description = said[:1].upper() + said[1:]  # "At 06:24 our probes alerted" → "Our probes alerted"
                at = tl.event_at(day, moment[1], clause, zone)
                if moment[0] is None and events:
                    shift = tl.day_shift(at, events[-1]["at"])
                    at, day = at + shift, day + shift
                events.append({"at": at, "description": description[:4000], "timed": True})
    return sorted(events, key=lambda e: e["at"])


def _timed_pieces(clause: str) -> list[str]:
    """A clause cut between the times it tells with 'at' or 'by': 'improved by 1:34 PM, with all devices
    recovered by 2:22 PM' is two events."""
    clocks = [m for m in tl.TIME_RE.finditer(clause) if AT_BEFORE_RE.search(clause, 0, m.start())]
    return _pieces(clause, clocks) if len(clocks) > 1 else [clause]


AT_BEFORE_RE = re.compile(r"\b(?:at|by|around|approximately)\s+$", re.IGNORECASE)


def _told_moment(clause: str, day: date | None):
    """The date and time a clause opens with and the rest of it, else the time it gives with 'at 07:58'
    (on the day written before it) and the whole clause."""
    year = day.year if day else None
    moment = tl.leading_moment(clause, year)
    if moment and moment[1]:
        return moment
    inside = AT_TIME_RE.search(clause)
    if inside is None or WINDOW_RE.search(re.split(r"[,;]", clause[:inside.start()])[-1]):  # "from 09:00 to …"
        return None
    clock = tl.find_time(clause[inside.end():])
    if clock is None or clock[1] != 0:
        return None
    on = tl.date_after(clause[inside.end() + clock[2]:], year)
    day_of = on[0] if on else tl.find_date(inside[0], year) or tl.find_date(clause[:inside.start()], year)
    return day_of, clock[0], clause


def add_told(doc: dict, told: list[dict], summary: list[str]) -> None:
    """detected/acknowledged/mitigated/resolved from events told in prose, where the text's windows left them unset."""
    started = datetime.fromisoformat(doc["started_at"])
    found: dict = {}
    _from_events(found, [e for e in told if e["at"] >= started], [])
    # "The incident was fully mitigated by 12:35" says when, whatever other recoveries the text tells.
    said = [e["at"] for e in told if e["at"] >= started and e["phase"] == "mitigation"
            and SAID_MITIGATED_RE.search(e["description"])]
    if said:
        found["mitigated_at"] = min(said).isoformat()
    for name in ("detected_at", "acknowledged_at", "mitigated_at", "resolved_at"):
        if name in found and name not in doc:
            doc[name] = found[name]
            summary.append(f"{name} from the text: {found[name]}")
    fully = [e["at"] for e in told if e["at"] >= started and FULLY_MITIGATED_RE.search(e["description"])]
    if fully and doc.get("mitigated_at") != min(fully).isoformat():
        doc["mitigated_at"] = min(fully).isoformat()
        summary.append(f"mitigated_at as the text states it: {doc['mitigated_at']}")


def infer(doc: dict, events: list[dict], day: date | None, stated: dict, zone, prose: list[str],
          summary: list[str]) -> bool:
    """Set the times on the record; False when nothing at all dates the incident."""
    moments = [] if events else prose_moments(prose, day, zone)
    if not events and not moments and day is None:
        return False
    begins = next((e["at"] for e in events if tl.marker_of(e["description"]) == "trigger"), None)
    window = next((i for i, m in enumerate(moments[:-1]) if m[2] and moments[i + 1][1] == m[1]), None)
    if events:
        first = events[0]["at"]
        # A first event with no time of day gives way to the first timed event of that day.
        timed = next((e["at"] for e in events if e.get("timed") and e["at"].date() == first.date()), first)
        started = begins or (first if events[0].get("timed", True) else timed)
    elif moments:
        # The change that set it off ("an operator started a run …") comes before the impact it caused.
        impact = [m[0] for m in moments if tl.phase_of(m[3], detected=False) != "trigger"] or [m[0] for m in moments]
        started = moments[window][0] if window is not None else min(impact)
        summary.append(f"started_at from the text: {started.isoformat()}")
    else:
        started = datetime.combine(day, datetime.min.time(), tzinfo=zone or UTC)
        summary.append(f"started_at = the incident's day {day} (no time is stated)")
    doc["started_at"] = started.isoformat()
    later = [e for e in events if e["at"] >= started]
    _from_events(doc, later, summary)
    if moments:
        ends = [m[0] for m in moments if RESOLVED_RE.search(m[3]) and m[0] > started]
        end = moments[window + 1][0] if window is not None else None
        if ends:
            doc["resolved_at"] = max(ends).isoformat()
            if end and started < end < max(ends):
                doc["mitigated_at"] = end.isoformat()
        elif end and end > started:
            doc["resolved_at"] = end.isoformat()
        eased = [m[0] for m in moments if MITIGATED_RE.search(m[3]) and not tl.FAILED_RE.search(m[3]) and m[0] > started]
        # "The issue was fully mitigated on … 04:56" wins over an earlier "a mitigation has been applied".
        fully = [m[0] for m in moments if FULLY_MITIGATED_RE.search(m[3]) and m[0] > started]
        if fully and (not ends or min(fully) <= max(ends)):
            doc["mitigated_at"] = min(fully).isoformat()
        elif eased and "mitigated_at" not in doc and (not ends or min(eased) < max(ends)):
            doc["mitigated_at"] = min(eased).isoformat()
        for name in ("mitigated_at", "resolved_at"):
            if name in doc:
                summary.append(f"{name} from the text: {doc[name]}")
    if events:
        _said_mitigated(doc, prose_moments(prose, day, zone), started, summary)
    noticed = next((e["at"] for e in later if e["phase"] in ("detection", "escalation")), None)
    _stated(doc, started, stated, noticed, summary)
    _order(doc)
    return True


SAID_MITIGATED_RE = re.compile(r"(?<!not )(?<!never )\b(?:fully |was |were )?mitigated\b", re.IGNORECASE)


def _said_mitigated(doc: dict, moments: list, started: datetime, summary: list[str]) -> None:
    """'… was fully mitigated by 12:50 UTC' in the summary says when, whatever the timeline's words suggest."""
    resolved = datetime.fromisoformat(doc["resolved_at"]) if "resolved_at" in doc else None
    said = [m[0] for m in moments if SAID_MITIGATED_RE.search(m[3]) and m[0] >= started
            and (resolved is None or m[0] <= resolved)]
    if said:
        doc["mitigated_at"] = min(said).isoformat()
        summary.append(f"mitigated_at as the text states it: {doc['mitigated_at']}")


def _from_events(doc: dict, events: list[dict], summary: list[str]) -> None:
    """detected/acknowledged/mitigated/resolved: an explicit marker, else the first event of the phase."""
    for phase, name in (("detection", "detected_at"), ("escalation", "acknowledged_at"),
                        ("mitigation", "mitigated_at"), ("resolution", "resolved_at")):
        marked = [e["at"] for e in events if tl.marker_of(e["description"]) == phase and phase != "escalation"]
        if phase == "escalation":
            marked = ([_acknowledged(e) for e in events if acknowledges(e["description"], EXPLICIT_ACK_RE)]
                      or [e["at"] for e in events if acknowledges(e["description"], ENGAGED_RE)])
            first = min(marked) if marked else None
        else:
            first = min(marked) if marked else next((e["at"] for e in events if e["phase"] == phase), None)
        if first:
            doc[name] = first.isoformat()
            summary.append(f"{name} inferred from the timeline: {first.isoformat()}")
    if "detected_at" not in doc and "acknowledged_at" in doc:
        doc["detected_at"] = doc["acknowledged_at"]
    if "resolved_at" not in doc and len(events) > 1 and events[-1]["phase"] in ("resolution", "mitigation"):
        doc["resolved_at"] = events[-1]["at"].isoformat()


# A responder took the incident on (TTA in DOMAIN.md): stated outright ("acknowledged", "incident declared"), else
# the first responder engaging ("on-call engaged", "starts investigating"). A page going out, or a report escalated to
# a team, only notifies the responders; a page escalating because nobody answered is the opposite.
EXPLICIT_ACK_RE = re.compile(r"acknowledg|incident (?:was )?declared|declare[sd]? (?:an |the )?incident|"
                             r"initiates incident|incident begins", re.IGNORECASE)
ENGAGED_RE = re.compile(r"\bengag(?:ed|es)\b|\b(?:responded|responds)\b|\b(?:on-?call|responders?|sre|we)\s+"
                        r"(?:\w+\s+)?(?:began|begins|started|starts) (?:to )?investigat|\bjoin(?:ed|s) the "
                        r"(?:incident|call|bridge|channel)|\btook (?:the page|ownership)|\bpicked up the (?:page|alert)",
                        re.IGNORECASE)
NOT_ACK_RE = re.compile(r"unacknowledg|not (?:been )?acknowledg|no one acknowledg|nobody acknowledg|without (?:an )?ack|"
                        r"not engaged", re.IGNORECASE)


def acknowledges(description: str, words: re.Pattern) -> bool:
    """Whether an event says, in these words, that a responder took the incident on."""
    return words.search(description) is not None and NOT_ACK_RE.search(description) is None


def _acknowledged(event: dict) -> datetime:
    """When an event says it was acknowledged: its own time, or the one it names ('paged; acknowledged at 23:18')."""
    said = re.search(r"acknowledg\w*\s+at\s+(.*)", event["description"], re.IGNORECASE)
    clock = tl.find_time(said[1]) if said else None
    if clock is None or clock[1] != 0:
        return event["at"]
    named = event["at"].replace(hour=clock[0].hour, minute=clock[0].minute)
    return max(named, event["at"])


def _stated(doc: dict, started: datetime, stated: dict, noticed: datetime | None, summary: list[str]) -> None:
    """Stated durations ('Time to recovery: 13 minutes') win over guesses, unless several disagree or the
    recovery they give comes before anyone in the timeline noticed anything (they count from another start)."""
    recovery = {tl.parse_duration(text) for text in stated.get("duration", [])} - {None}
    if len(recovery) == 1 and noticed and started + min(recovery) < noticed:
        summary.append(f"stated durations not used: started_at + {min(recovery)} is before the first report"
                       f" {noticed.isoformat()}")
        return
    for key, name in (("time_to_detect", "detected_at"), ("duration", "resolved_at")):
        lengths = {tl.parse_duration(text) for text in stated.get(key, [])} - {None}
        if len(lengths) == 1:
            [length] = lengths
            doc[name] = (started + length).isoformat()
            summary.append(f"{name} = started_at + stated {length}")
        elif len(lengths) > 1:
            summary.append(f"{name}: the document states {len(lengths)} different durations; taken from the timeline")


def _order(doc: dict) -> None:
    """Drop an inferred time that would break the order DOMAIN.md requires (each ≤ resolved_at, ack ≥ detection)."""
    at = {k: datetime.fromisoformat(v) for k, v in doc.items() if k.endswith("_at") and isinstance(v, str)}
    for name in ("detected_at", "acknowledged_at", "mitigated_at"):
        if name in at and "resolved_at" in at and at[name] > at["resolved_at"]:
            del doc[name]
    if "acknowledged_at" in doc and "detected_at" in doc and at["acknowledged_at"] < at["detected_at"]:
        doc["detected_at"] = doc["acknowledged_at"]


def completion_day(doc: dict) -> date:
    """The day a 'completed' action item was done by, when the document gives none: the incident's last day."""
    last = doc.get("resolved_at") or doc.get("mitigated_at") or doc["started_at"]
    return datetime.fromisoformat(last).astimezone(UTC).date()


IMPACT_FOR_RE = re.compile(r"\bfor\s+(?:about\s+|around\s+|roughly\s+|~\s*)?(\d+\s*(?:minutes?|mins?|hours?|h)\b"
                           r"(?:\s+(?:and\s+)?\d+\s*(?:minutes?|mins?)\b)?)", re.IGNORECASE)


def impact_end(doc: dict, events: list[dict], summary: list[str]) -> None:
    """'could not sign in for 38 minutes': when the impact's stated length ends on a mitigating event of the
    timeline, that event is the mitigation, not an earlier step the timeline's words also call a fix."""
    said = IMPACT_FOR_RE.search(doc.get("customer_impact", ""))
    length = tl.parse_duration(said[1]) if said else None
    if not length or "mitigated_at" not in doc:
        return
    end = datetime.fromisoformat(doc["started_at"]) + length
    resolved = datetime.fromisoformat(doc.get("resolved_at", end.isoformat()))
    if any(e["at"] == end and e["phase"] == "mitigation" for e in events) and end <= resolved:
        if doc["mitigated_at"] != end.isoformat():
            doc["mitigated_at"] = end.isoformat()
            summary.append(f"mitigated_at = started_at + the impact's stated {length}: {doc['mitigated_at']}")


# "… for a duration of 2 hours and 58 minutes", "lasting approximately 85 minutes": how long the impact lasted.
LASTED_RE = re.compile(r"\b(?:for a (?:total )?(?:duration|period) of|lasting(?: for)?)\s+(?:approximately |about |roughly )?"
                       r"(\d+\s*(?:hours?|hrs?|minutes?|mins?)\b(?:,?\s*(?:and\s+)?\d+\s*(?:minutes?|mins?)\b)?)",
                       re.IGNORECASE)


def lasted(doc: dict, started_stated: bool, summary: list[str]) -> None:
    """A start the text does not state, from the end it does and how long it says the impact lasted: 'for a
    duration of 2 hours and 58 minutes' before 'fully mitigated on 26 April 2023 04:56' began at 01:58."""
    said = LASTED_RE.search(" ".join(doc.get(k, "") for k in ("summary", "customer_impact")))
    length = tl.parse_duration(said[1]) if said else None
    ends = [datetime.fromisoformat(doc[k]) for k in ("mitigated_at", "resolved_at") if doc.get(k)]
    if started_stated or not length or not ends:
        return
    started = datetime.fromisoformat(doc["started_at"])
    if all(abs(end - length - started).total_seconds() > 300 for end in ends):  # it fits neither end
        end = doc.get("mitigated_at") or doc["resolved_at"]
        start = datetime.fromisoformat(end) - length
        doc["started_at"] = start.isoformat()
        summary.append(f"started_at = {end} less the stated '{said[0]}': {doc['started_at']}")
        _order_from_start(doc)


def _order_from_start(doc: dict) -> None:
    """Drop an inferred time that a later start puts before it."""
    started = datetime.fromisoformat(doc["started_at"])
    for name in ("detected_at", "acknowledged_at"):
        if name in doc and datetime.fromisoformat(doc[name]) < started:
            del doc[name]


def stated_moments(doc: dict, stated: dict, meta: dict, day: date | None, zone, summary: list[str]) -> set[str]:
    """Times stated outright ('Start time: 2025-06-10 08:15 UTC', front matter's `end_time:`) win over inferred
    ones; an inferred time they put out of order is dropped. The names of those stated."""
    said, written = {}, {name: list(stated.get(name, [])) for name in MOMENT_FIELDS}
    for key, value in meta.items():
        if field_for(key, keywords=False) in MOMENT_FIELDS:
            written[field_for(key, keywords=False)].append(value)
    for name in MOMENT_FIELDS:
        moment = _moment(clean(" ".join(written[name])), day, zone)
        if moment:
            said[name] = doc[name] = moment.isoformat()
            summary.append(f"{name} as stated: {doc[name]}")
    at = {k: datetime.fromisoformat(doc[k]) for k in MOMENT_FIELDS if k in doc}
    for name in set(at) - set(said) - {"started_at"}:
        if _out_of_order(name, at[name], {k: at[k] for k in said}):
            del doc[name]
            summary.append(f"{name} inferred as {at[name].isoformat()} dropped: it contradicts the stated times")
    _order(doc)
    return set(said)


def _moment(text: str, day: date | None, zone) -> datetime | None:
    """A stated moment: an ISO timestamp with its offset, else a date (or the incident's day) and a clock time."""
    try:
        written = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        written = None
    if written and written.tzinfo:
        return written
    clock, when = tl.find_time(text), tl.find_date(text, day.year if day else None) or day
    return tl.event_at(when, clock[0], text, zone) if clock and when else None


def _out_of_order(name: str, at: datetime, said: dict[str, datetime]) -> bool:
    """Whether an inferred time breaks DOMAIN.md's order against the stated ones."""
    return ((name != "resolved_at" and at > said.get("resolved_at", at)) or at < said.get("started_at", at)
            or (name == "resolved_at" and any(at < v for v in said.values()))
            or (name == "detected_at" and at > said.get("acknowledged_at", at))
            or (name == "acknowledged_at" and at < said.get("detected_at", at)))
