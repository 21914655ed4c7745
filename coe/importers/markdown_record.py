"""Turn the sections of one Markdown post-mortem into a coe/v1 record and a mapping summary."""

import re
from datetime import date, datetime

from coe.importers import timeline as tl
from coe.importers.markdown import (BULLET_RE, KINDS, LESSON_FIELDS, TEXT_FIELDS, Section, clean, decode,
                                    front_matter, split_sections, table_rows)

SEVERITY_RE = re.compile(r"\b(?:sev(?:erity)?[\s-]*|p)([1-5])\b", re.I)


def record(name: str, raw: bytes, assume_tz: str | None) -> tuple[dict, list[str], list[tuple[int, str, str]]]:
    """The record, the summary lines ('## Root Causes → root_cause') and problems (line, field, message)."""
    text = decode(raw)
    meta, body, skipped = front_matter(text)
    title, sections = split_sections(body, skipped + 1)
    zone, zone_note = tl.zone_of(text, assume_tz)
    doc: dict = {"title": meta.get("title") or title or re.sub(r"\.(md|markdown)$", "", name)}
    summary, problems, extra = [], [], []
    lessons: dict[str, list[str]] = {f: [] for f in LESSON_FIELDS}
    doc_day = _doc_date(meta, sections, name)
    events, actions = [], []
    parent_field = None
    stated: dict[str, str] = {}
    for section in sections:
        target = section.field
        if section.level and section.level < 7:
            parent_field = target if target else (parent_field if section.level > 2 else None)
        if not target and parent_field in ("timeline", "lessons", "action_items") and section.level > 2:
            target = parent_field if parent_field != "lessons" else None
        body_text = section.text()
        if not section.heading:
            if body_text:
                extra.append({"heading": "Preamble", "text": body_text})
                summary.append("(text before the first heading) → extra_sections")
            continue
        label = f"{'#' * section.level if section.level < 7 else '**'} {section.heading}"
        if target in TEXT_FIELDS:
            doc[target] = (doc.get(target, "") + "\n\n" + body_text).strip()
        elif target in LESSON_FIELDS:
            lessons[target].extend(_bullets(section.lines))
        elif target == "lessons":
            if body_text:  # prose under Lessons Learned itself, outside well / wrong / lucky
                extra.append({"heading": section.heading, "text": body_text})
        elif target == "timeline":
            day = tl.find_date(section.heading) or doc_day
            found = _timeline(section, day, zone)
            events.extend(found)
            if not found and body_text:
                extra.append({"heading": section.heading, "text": body_text})
        elif target == "action_items":
            actions.extend(_actions(section.lines))
        elif target in ("severity", "date", "authors", "services", "duration", "doc_status", "detection"):
            stated[target] = (stated.get(target, "") + " " + body_text).strip()
            if target == "detection" and body_text:
                extra.append({"heading": section.heading, "text": body_text})
        elif body_text:
            extra.append({"heading": section.heading, "text": body_text})
            target = "extra_sections"
        else:
            continue
        summary.append(f"{label} → {target}")
    if zone_note:
        summary.append(zone_note)
    events.sort(key=lambda e: e["at"])
    doc["timeline"] = [dict(e, at=e["at"].isoformat()) for e in events]
    doc["action_items"] = actions
    doc["lessons"] = lessons
    doc["extra_sections"] = extra
    _severity(doc, stated.get("severity", "") or meta.get("severity", ""), summary)
    if stated.get("authors") or meta.get("authors") or meta.get("author"):
        names = stated.get("authors") or meta.get("authors") or meta.get("author")
        doc["authors"] = [clean(n) for n in re.split(r",|;| and ", names) if clean(n)][:20]
    if stated.get("services"):
        doc["services"] = [clean(n) for n in re.split(r",|;", stated["services"]) if clean(n)][:20]
    _detection_method(doc, stated.get("detection", ""))
    _times(doc, events, doc_day, stated.get("duration", ""), zone, summary, problems)
    return doc, summary, problems


def _doc_date(meta: dict, sections: list[Section], name: str) -> date | None:
    """The incident's day: front matter, a 'Date:' label, the file name, or the first date in the text."""
    for candidate in (meta.get("date", ""), *(s.text() for s in sections if s.field == "date"), name):
        day = tl.find_date(candidate)
        if day:
            return day
    for s in sections:
        day = tl.find_date(s.heading) or tl.find_date(s.text()[:2000])
        if day:
            return day
    return None


def _timeline(section: Section, day: date | None, zone) -> list[dict]:
    """Events from table rows and list or plain lines that carry a clock time."""
    events = []
    rows = table_rows(section.lines)
    lines = ([" | ".join(cells) for _, cells in rows] if rows else
             [ln for ln in section.lines if ln.strip()])
    for line in lines:
        plain = clean(BULLET_RE.sub(r"\1", line))
        day = tl.find_date(plain) or day
        clock = tl.find_time(plain)
        if not clock or day is None:
            if clock is None and tl.find_date(plain) and not events:
                continue
            if events and plain and clock is None:
                events[-1]["description"] += " " + plain  # a wrapped line continues its event
            continue
        description = plain[clock[2]:]
        description = tl.ISO_DATE_RE.sub("", tl.MONTH_DATE_RE.sub("", description))
        description = tl.ZONE_RE.sub("", description, count=1) if tl.ZONE_RE.match(description.strip()) else description
        description = description.strip(" |:-–—,\t")
        if not description:
            description = plain.strip(" |")
        at = tl.event_at(day, clock[0], plain, zone)
        events.append({"at": at, "description": description[:4000], "phase": tl.phase_of(description)})
    return events


def _actions(lines: list[str]) -> list[dict]:
    """Action items from a table (action, type, owner, bug) or bullets; all open: no document dates completion."""
    items = []
    for header, cells in table_rows(lines):
        row = dict(zip(header, cells))
        title = next((clean(v) for k, v in row.items() if re.search(r"action|item|task|what|descr|title", k)),
                     clean(cells[0]))
        if not title:
            continue
        item = {"title": title[:500]}
        kind = next((v for k, v in row.items() if k in ("type", "kind", "category")), "")
        if kind.strip().lower() in KINDS:
            item["kind"] = KINDS[kind.strip().lower()]
        owner = next((clean(v) for k, v in row.items() if "owner" in k or "assignee" in k or k == "who"), "")
        if owner and owner.lower() not in ("-", "n/a", "tbd"):
            item["owner"] = owner[:200]
        ticket = next((v for k, v in row.items() if re.search(r"bug|ticket|issue|link", k)), "")
        url = re.search(r"https?://[^\s)>\]]+", ticket)
        if url:
            item["ticket_url"] = url[0]
        items.append(item)
    if items:
        return items
    for line in lines:
        bullet = BULLET_RE.match(line)
        if bullet and clean(bullet[1]):
            item = {"title": clean(bullet[1])[:500]}
            items.append(item)
    return items


def _bullets(lines: list[str]) -> list[str]:
    """List items, or paragraphs when the section is prose."""
    items = [clean(m[1]) for m in map(BULLET_RE.match, lines) if m and clean(m[1])]
    if items:
        return items
    return [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]


def _severity(doc: dict, stated: str, summary: list[str]) -> None:
    """sevN / SEV-N / PN as stated; a document that states none becomes sev3, and the summary says so."""
    match = SEVERITY_RE.search(stated)
    if match:
        doc["severity"] = f"sev{match[1]}"
    else:
        doc["severity"] = "sev3"
        summary.append("severity not stated → sev3 (edit before submitting)")


def _times(doc, events, day, duration_text, zone, summary, problems) -> None:
    """started/detected/mitigated/resolved: the first event of each phase; a stated duration sets resolved_at."""
    if not events and day is None:
        problems.append((1, "started_at", "no date found in the front matter, a Date: line, the timeline or the file name"))
        return
    begins = next((e["at"] for e in events if tl.marker_of(e["description"]) == "trigger"), None)
    started = begins or events[0]["at"] if events else datetime.combine(day, datetime.min.time(), tzinfo=zone or tl.timezone.utc)
    doc["started_at"] = started.isoformat()
    for phase, name in (("detection", "detected_at"), ("mitigation", "mitigated_at"), ("resolution", "resolved_at")):
        marked = [e["at"] for e in events if tl.marker_of(e["description"]) == phase]
        first = marked[0] if marked else next((e["at"] for e in events if e["phase"] == phase and e["at"] >= started), None)
        if first:
            doc[name] = first.isoformat()
            summary.append(f"{name} inferred from the timeline: {first.isoformat()}")
    length = tl.parse_duration(duration_text) if duration_text else None
    if length:
        doc["resolved_at"] = (started + length).isoformat()
        summary.append(f"resolved_at = started_at + stated duration {length}")
    elif "resolved_at" not in doc and len(events) > 1 and events[-1]["phase"] in ("resolution", "mitigation"):
        doc["resolved_at"] = events[-1]["at"].isoformat()
    for name in ("detected_at", "mitigated_at"):
        if doc.get(name) and doc.get("resolved_at") and (
                datetime.fromisoformat(doc[name]) > datetime.fromisoformat(doc["resolved_at"])):
            del doc[name]


def _detection_method(doc: dict, text: str) -> None:
    """How the incident was found, when the Detection section says it in common words."""
    lowered = text.lower()
    for method, words in (("alarm", ("alert", "paged", "pager", "alarm", "monitor")),
                          ("customer_report", ("customer", "user report", "support ticket")),
                          ("internal_report", ("engineer noticed", "employee", "internal report"))):
        if any(w in lowered for w in words):
            doc["detection_method"] = method
            return
