"""Turn the sections of one Markdown post-mortem into a coe/v1 record and a mapping summary."""

import re
from collections import Counter
from datetime import date, datetime
from typing import Any

from coe.importers import markdown_items as items
from coe.importers import timeline as tl
from coe.importers.markdown import (
    LESSON_FIELDS,
    MOMENT_FIELDS,
    TEXT_FIELDS,
    Section,
    clean,
    decode,
    front_matter,
    incident_parts,
    incidents_told,
    split_sections,
)
from coe.importers.markdown_events import TimelineReader
from coe.importers.markdown_times import (
    add_told,
    assign_phases,
    completion_day,
    impact_end,
    infer,
    lasted,
    stated_moments,
    told_events,
)
from coe.importers.sections import field_for

UPDATES_RE = re.compile(r"(?:status |incident )?updates", re.IGNORECASE)
SEVERITY_RE = re.compile(r"\b(?:sev(?:erity)?[\s-]*|p)([1-5])\b", re.IGNORECASE)
MENTIONED_SEVERITY_RE = re.compile(r"\bsev(?:erity)?[\s-]?([1-5])\b", re.IGNORECASE)
# "This major incident affected …" (Atlassian's template) when no severity is stated.
INCIDENT_WORD_RE = re.compile(r"\b(critical|major|minor)\s+(?:incident|outage)\b", re.IGNORECASE)
SEVERITY_WORDS = (("sev1", ("critical", "catastrophic", "blocker")), ("sev2", ("major", "high")),
                  ("sev3", ("moderate", "medium", "minor")), ("sev4", ("low",)), ("sev5", ("trivial", "cosmetic")))
# Footnote marks of the SRE book's web edition: ^[163](url)^ and [[166]](url).
FOOTNOTE_RE = re.compile(r"\^?\[\[?\d+\]?\]\([^)]*\)\^?")
PLACEHOLDER_RE = re.compile(r"\b(?:DD/MM/YYYY|YYYY-MM-DD|20xx-MM-DD|HH:mm|PMyyyy)\b|^(?:incident\s+)?title\b|\btemplate\b",
                            re.IGNORECASE | re.MULTILINE)
# Facts about the incident, gathered from wherever they are stated rather than written into a field as text.
STATED = ("severity", "team", "date", "authors", "services", "duration", "time_to_detect", "doc_status", "detection", "stats",
          *MOMENT_FIELDS)


Found = tuple[dict, list[str], list[tuple[int, str, str]]]


def records(name: str, raw: bytes, assume_tz: str | None) -> list[Found]:
    """Each incident the document tells (one, or each of a report's several): its record, the summary lines
    ('## Root Causes → root_cause') and problems (line, field, message)."""
    text = decode(raw)
    meta, body, skipped = front_matter(text)
    title, sections = split_sections(body, skipped + 1)
    zoned = tl.zone_of(text, assume_tz)  # the whole document's, for each incident it tells
    starts = incidents_told(sections)
    if not starts:
        return [_record(name, text, meta, title, sections, zoned)]
    return [_record(name, text, meta, part_title, part, zoned)
            for part_title, part in incident_parts(title, sections, starts)]


def _record(name: str, text: str, meta: dict, title: str | None, sections: list[Section],
            zoned: tuple[Any, str]) -> Found:
    """One incident's record from its sections, in the document's zone (and the note that says where it is from)."""
    zone, zone_note = zoned
    doc: dict = {"title": (meta.get("title") or title or _name_title(name))[:200]}
    day, guessed = _doc_date(meta, sections, doc["title"], name)
    reader = TimelineReader(day, zone)
    state = _Sections(doc, reader)
    for section in sections:
        state.take(section)
    summary, extra = state.summary, state.extra
    if not doc.get("summary"):
        _opening_summary(doc, extra, summary)
    if zone_note:
        summary.append(zone_note)
    if guessed:
        summary.append(f"{guessed}: the incident's day taken as {day} (edit before submitting)")
    summary.extend(reader.remarks)
    extra.extend({"heading": heading[:200], "text": note} for heading, note in reader.notes)
    events = sorted(reader.events, key=lambda e: e["at"])
    if not events and not any(tl.TIME_RE.search(t) for t in state.told):
        # No time anywhere but in the status updates: they are the only timeline the report has.
        events = told_events([x["text"] for x in extra if UPDATES_RE.fullmatch(x["heading"])], day, zone)
        if events:
            summary.append(f"no time stated but in the status updates: {len(events)} updates read as the timeline")
    told = [] if events else told_events(state.told, day, zone)
    assign_phases(events or told, told=not events)
    if told:
        summary.append(f"no timeline section: {len(told)} events from the times the text states")
    doc["timeline"] = [{"at": e["at"].isoformat(), "description": e["description"], "phase": e["phase"],
                        "actor_kind": e["actor_kind"], **({"actor": e["actor"]} if e.get("actor") else {})}
                       for e in events or told]
    doc["extra_sections"] = extra
    doc["lessons"] = state.lessons
    _severity(doc, " ".join(state.stated.get("severity", [])) or meta.get("severity", ""), summary,
              [e["description"] for e in events] + [doc.get("summary", "")])
    names = " ".join(state.stated.get("authors", [])) or meta.get("authors") or meta.get("author")
    if names:
        doc["authors"] = [clean(n).lstrip("@") for n in re.split(r",|;| and ", names) if clean(n)][:20]
    team = clean(" ".join(state.stated.get("team", [])) or meta.get("team", ""))
    if team:
        doc["team"] = team[:200]
    services = " ".join(state.stated.get("services", [])) or meta.get("services", "")
    if services:
        doc["services"] = [clean(n) for n in re.split(r",|;", services) if clean(n)][:20]
    if not state.actions:
        state.actions = items.promised([p for key in ("summary", "customer_impact")
                                        for p in doc.get(key, "").split("\n\n")])
        if state.actions:
            summary.append(f"{len(state.actions)} action items from the sentences that say what is being done about it")
    _customers_affected(doc, summary)
    _detection_method(doc, " ".join(state.stated.get("detection", [])), events or told)
    if not infer(doc, events, day, state.stated, zone, state.prose, summary):
        return doc, summary, [(1, "started_at", _undated(text, doc["title"]))]
    if told:
        add_told(doc, told, summary)
    said = stated_moments(doc, state.stated, meta, day, zone, summary)
    impact_end(doc, events, summary)
    lasted(doc, "started_at" in said, summary)
    _completed_days(state.actions, datetime.fromisoformat(doc["started_at"]).date(), summary)
    done = [a for a in state.actions if a.get("status") == "done" and not a.get("completed_on")]
    for action in done:
        action["completed_on"] = completion_day(doc).isoformat()
    if done:
        summary.append(f"{len(done)} action items marked done; completed_on = the incident's last day (not stated)")
    doc["action_items"] = state.actions
    return doc, summary, []


def _opening_summary(doc: dict, extra: list[dict], summary: list[str]) -> None:
    """The opening paragraphs of a document without a Summary section are its summary; a byline among them
    ('*Last updated 11 Feb 2025*') dates the write-up and stays in the Preamble."""
    opening = extra[0]["text"].split("\n\n") if extra and extra[0]["heading"] == "Preamble" else []
    said = [p for p in opening if not BYLINE_RE.search(p)]
    if not said:
        return
    doc["summary"] = "\n\n".join(said).strip()
    byline = "\n\n".join(p for p in opening if BYLINE_RE.search(p))
    if byline:
        extra[0]["text"] = byline
    else:
        extra.pop(0)
    summary[summary.index("(text before the first heading) → extra_sections")] = "(text before the first heading) → summary"


class _Sections:
    """Walks the sections in order, each to its field, under the heading that encloses it."""

    def __init__(self, doc: dict, reader: TimelineReader) -> None:
        self.doc, self.reader = doc, reader
        self.summary: list[str] = []
        self.extra: list[dict] = []
        self.lessons: dict[str, list[str]] = {f: [] for f in LESSON_FIELDS}
        self.actions: list[dict] = []
        self.stated: dict[str, list[str]] = {}
        self.prose: list[str] = []
        self.told: list[str] = []  # every narrative text in order: without a timeline, the events are told there
        self.parent: tuple[str | None, int] = (None, 0)
        self.heading = ""
        self.in_part = False  # under a sub-heading of the timeline ("### October 21 - Redis overload")
        self.headed: set[str] = set()  # text fields given by a heading of their own

    def take(self, section: Section) -> None:
        """Map one section and note where it went."""
        section.heading = FOOTNOTE_RE.sub("", section.heading).strip(" :")
        section.lines = [FOOTNOTE_RE.sub("", ln) for ln in section.lines]
        body = section.text()
        if not section.heading:
            if tl.STATED_ZONE_RE.search(body) and len(re.sub(r"[\W_]", "", body)) < 30:
                return  # "(times in CET)": used for the zone, no summary
            if body:
                self._keep("Preamble", body)
                self.prose.append(body)
                self.told.append(body)
                self.summary.append("(text before the first heading) → extra_sections")
            return
        target, child = self._target(section)
        label = f"{'#' * section.level if section.level < 7 else '**'} {section.heading}"
        if section.level >= 7 and target in self.headed and self.parent[0] is None:
            # "Summary:" in an "Updates" section: a status update's own label; the report's Summary is its heading's.
            self._keep(self.heading, f"{section.heading}: {body}")
            target = f"extra_sections ({self.heading})"
        elif section.level >= 7 and self.in_part and target not in ("timeline", None):
            # A label inside one dated part of a timeline ("**Root causes:**") speaks of that part only.
            self._keep(f"{self.heading}: {section.heading}", body)
            target = "extra_sections"
        elif target == "root_cause" and not child and items.asks_why(section.lines):
            self.doc.setdefault("five_whys", []).extend(items.whys(section.lines))
            target = "five_whys (written as whys)"
        elif target == "resolution" and (planned := items.planned(section.heading, section.lines))[0]:
            found, kept = planned
            self.actions.extend(found)
            text = re.sub(r"\n\s*\n(?:\s*\n)+", "\n\n", "\n".join(kept)).strip()
            text = f"{'#' * section.level} {section.heading}\n\n{text}" if child and text else text
            if text:
                self.doc["resolution"] = (self.doc.get("resolution", "") + "\n\n" + text).strip()
                self.told.append(text)
            target = f"resolution ({len(found)} planned items → action_items)"
        elif target in TEXT_FIELDS:
            if not body and not child:
                return
            if section.level < 7:
                self.headed.add(target)
            text = f"{'#' * section.level} {section.heading}\n\n{body}".strip() if child else body
            self.doc[target] = (self.doc.get(target, "") + "\n\n" + text).strip()
            if target in ("summary", "customer_impact"):
                self.prose.append(body)
            self.told.append(body)
        elif target in LESSON_FIELDS:
            listed, prose = items.listed_lessons(section.lines)
            self.lessons[target].extend(listed)
            self._keep(section.heading, prose)
        elif target == "lessons":
            learned, prose = items.learned(section.lines)
            for kind, lesson in learned:
                self.lessons[kind].append(lesson)
            self._keep(section.heading, "\n\n".join(prose))
            if learned:
                target = "lessons (" + ", ".join(f"{n} {k}" for k, n in Counter(k for k, _ in learned).items()) + \
                         ", sorted by their words)"
        elif target == "contributing_factors":
            self.doc.setdefault("contributing_factors", []).extend(items.factors(section.lines))
        elif target == "five_whys":
            self.doc.setdefault("five_whys", []).extend(items.whys(section.lines))
        elif target == "timeline":
            self.reader.read(section)
        elif target == "action_items":
            found, left_out = items.actions(section.heading, section.lines)
            self.actions.extend(found)
            self._keep(section.heading, left_out)  # prose and details the items do not carry
        elif target in STATED:
            self.stated.setdefault(target, []).append(body)
            if target == "stats":
                for key, value in re.findall(r"time to (detect\w*|recover\w*|resol\w*)\s*:\s*(.+)", body, re.IGNORECASE):
                    self.stated.setdefault("time_to_detect" if key.startswith("detect") else "duration",
                                           []).append(value)
            spans = target == "date" and re.search(r"\d\s*[-–]\s*\d|\bto\b", tl.ISO_DATE_RE.sub("", body))
            untimed = target in MOMENT_FIELDS and tl.find_time(body) is None
            if (target in ("detection", "doc_status", "stats") or spans or untimed) and body:
                self._keep(section.heading, body)  # what the record's fields do not hold: "January 14-19, 2026"
        elif body:
            self._keep(section.heading, body)
            target = "extra_sections"
        else:
            return
        self.summary.append(f"{label} → {target}")

    def _target(self, section: Section) -> tuple[str | None, bool]:
        """The section's field, and whether it is only inherited from the heading above it."""
        target = section.field
        if section.level >= 7:
            return target, False
        self.heading, self.in_part = section.heading, False
        parent, level = self.parent
        if parent == "timeline" and section.level > level and not field_for(section.heading, keywords=False):
            target = None  # "### Follow-up" under a timeline is a part of it, not the follow-up actions
        if target:
            self.parent = (target, section.level)
            return target, False
        dated = tl.leading_moment(clean(section.heading), self.reader.year) is not None
        if parent and (section.level > level or (parent == "timeline" and dated)):
            inherited = parent if parent in ("timeline", "action_items", *TEXT_FIELDS) else None
            self.in_part = inherited == "timeline"
            return inherited, inherited is not None
        self.parent = (None, section.level)
        return None, False

    def _keep(self, heading: str, text: str) -> None:
        """Text that maps to no field, under its heading."""
        heading = re.sub(r"[*_`]", "", heading).strip()[:200] or "Notes"
        if text and self.extra and self.extra[-1]["heading"] == heading:
            self.extra[-1]["text"] += "\n\n" + text  # the next part of the same section
        elif text:
            self.extra.append({"heading": heading, "text": text})


def _completed_days(actions: list[dict], started: date, summary: list[str]) -> None:
    """'completed March 6': the incident's year, or the next one when that day comes before the incident."""
    for action in actions:
        said = action.pop("completed_said", None)
        day = tl.find_date(said, started.year) if said and action.get("status") == "done" else None
        if day and not action.get("completed_on"):
            day = day if day >= started else tl.find_date(said, started.year + 1) or day
            action["completed_on"] = day.isoformat()
            summary.append(f"action item '{action['title'][:60]}': '{said}' taken as completed_on {day}")


def _name_title(name: str) -> str:
    """A title from a file name: '2024-02-28-decide is down.md' → 'decide is down'."""
    stem = re.sub(r"\.(md|markdown|txt)$", "", name, flags=re.IGNORECASE)
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]+", "", stem).strip() or stem
    return stem if " " in stem else re.sub(r"[-_]+", " ", stem)


BYLINE_RE = re.compile(r"^\W*(?:posted|published|written|updated|last updated|last edited)\b", re.IGNORECASE)


def _doc_date(meta: dict, sections: list[Section], title: str, name: str) -> tuple[date | None, str]:
    """The incident's day (front matter, a 'Date:' label, the title, the file name, the first date in the text),
    else the first of the month a text names alone, else the front matter's publication date; and a note
    when it is one of the last two."""
    started = [v for k, v in meta.items() if field_for(k, keywords=False) == "started_at"]
    for candidate in (meta.get("date", ""), *started, *(s.text() for s in sections if s.field == "date"), title, name):
        day = tl.find_date(candidate)
        if day:
            return day, ""
    for s in sections:
        # A byline ("Posted by … — April 17, 2025") dates the write-up, not the incident.
        told = "\n".join(ln for ln in s.lines if not BYLINE_RE.search(ln))
        day = tl.find_date(s.heading) or tl.find_date(told.strip()[:2000])
        if day:
            return day, ""
    month = next(filter(None, (tl.find_month(c) for c in (title, *(s.text()[:2000] for s in sections)))), None)
    if month:
        return month, "only the month is stated"
    published = next((tl.find_date(v) for k, v in meta.items() if "published" in k and tl.find_date(v)), None)
    return published, "no incident date in the text; the publication date" if published else ""


def _undated(text: str, title: str) -> str:
    """Why a file cannot be imported without a date; an empty template says so."""
    if PLACEHOLDER_RE.search(title) or len(PLACEHOLDER_RE.findall(text)) >= 2:
        return f"no date found: '{title}' looks like an empty template; fill it in before importing"
    return "no date found in the front matter, a Date: line, the title, the timeline or the file name"


def _severity_word(text: str) -> str | None:
    """The severity a word names: Critical → sev1, Major → sev2, Minor → sev3, Low → sev4."""
    lowered = text.lower()
    return next((sev for sev, words in SEVERITY_WORDS if any(re.search(rf"\b{w}\b", lowered) for w in words)), None)


def _severity(doc: dict, stated: str, summary: list[str], texts: list[str]) -> None:
    """sevN / SEV-N / PN or a word (Critical, Major, Minor) as stated, else a 'Sev 1' or a 'major incident'
    the text mentions; none at all becomes sev3, and the summary says so."""
    match = SEVERITY_RE.search(stated)
    word = _severity_word(stated)
    mentioned = next(filter(None, (MENTIONED_SEVERITY_RE.search(t) for t in texts)), None)
    described = INCIDENT_WORD_RE.search(doc.get("summary", ""))
    if match or word:
        doc["severity"] = f"sev{match[1]}" if match else word
    elif mentioned:
        doc["severity"] = f"sev{mentioned[1]}"
        summary.append(f"severity sev{mentioned[1]} from the text: '{mentioned.group(0)}'")
    elif described:
        doc["severity"] = _severity_word(described[1])
        summary.append(f"severity {doc['severity']} from the text: '{described.group(0)}'")
    else:
        doc["severity"] = "sev3"
        summary.append("severity not stated → sev3 (edit before submitting)")


DETECTION_WORDS = (("alarm", ("alert", "paged", "pager", "alarm", "monitor", "uptime check", "warning", "probe")),
                   ("customer_report", ("customer", "support reports", "support reported", "support escalat", "user report", "users report", "support ticket", "ticket",
                                        "reached out", "end-user", "end user", "app store review")),
                   ("internal_report", ("engineer noticed", "employee", "internal report", "developer", "notices",
                                        "noticed", "engineer", " reports ")))


# "~1,200 customers were logged out", "about 300 users": a count of those affected, not of those who wrote in.
AFFECTED_RE = re.compile(r"(?<![\d.,%$€£])(\d{1,3}(?:,\d{3})+|\d+)[ \t]+(?:(?:affected|unique|active|paying|distinct|enterprise|end)[ \t]+)?(?:customers|users|accounts|tenants|merchants|"
                         r"organi[sz]ations|workspaces|teams|projects|sites|stores)\b(?!\s+(?:opened|filed|reported|contacted|"
                         r"complained|wrote|reached|called|emailed|raised))", re.IGNORECASE)



def _customers_affected(doc: dict, summary: list[str]) -> None:
    """customers_affected from the first count of customers the impact states, if it states one."""
    found = AFFECTED_RE.search(doc.get("customer_impact", ""))
    if found:
        doc["customers_affected"] = int(found[1].replace(",", ""))
        summary.append(f"customers_affected {doc['customers_affected']} from the impact: '{found.group(0)}'")


# "Engineers were automatically alerted": those who were told, not who found it; the alert found it.
PASSIVE_RE = re.compile(r"\b[\w-]+\s+(?:were|was)\s+(?:automatically\s+)?(?=alerted|paged|notified)")


def _detection_method(doc: dict, text: str, events: list[dict]) -> None:
    """How the incident was found: the Detection section's words, else the first detection event's;
    of several, the one written first ('a customer ticket … the queue had no alarm')."""
    first = next((e["description"] for e in events if e["phase"] == "detection"), "") if events else ""
    for said in (PASSIVE_RE.sub("", text.lower()), PASSIVE_RE.sub("", first.lower())):
        found = [(said.find(w), method) for method, words in DETECTION_WORDS for w in words if w in said]
        if found:
            doc["detection_method"] = min(found)[1]
            return
