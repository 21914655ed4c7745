"""Markdown post-mortems (SRE book, PagerDuty, Atlassian and variants) as coe/v1 records."""

import re
from dataclasses import dataclass, field
from datetime import date

import yaml

from coe.importers import timeline as tl
from coe.importers.sections import field_for

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LABEL_RE = re.compile(r"^\s*(?:[-*]\s+)?\*\*([^*]{2,60}?):?\*\*:?\s*(.*)$|^([A-Z][A-Za-z /'-]{1,40}):\s+(\S.*)$")
BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
TEXT_FIELDS = ("summary", "customer_impact", "root_cause", "trigger", "resolution")
# One-line facts: a bold label naming one of these takes its own line only.
MOMENT_FIELDS = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
META_FIELDS = ("severity", "team", "date", "authors", "doc_status", "services", "duration", "time_to_detect", *MOMENT_FIELDS)
LESSON_FIELDS = ("went_well", "went_wrong", "got_lucky")
KINDS = {"prevent": "prevent", "prevention": "prevent", "detect": "detect", "detection": "detect",
         "mitigate": "mitigate", "mitigation": "mitigate", "process": "process", "investigate": "investigate",
         "repair": "repair", "fix": "repair", "monitoring": "detect", "alerting": "detect"}


@dataclass
class Section:
    """A heading or label and the lines under it."""

    heading: str
    level: int
    line: int
    field: str | None
    lines: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The section's text without surrounding blank lines."""
        return "\n".join(self.lines).strip()


BREAK_RE = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; line ends made \\n, and the HTML that exported
    documents carry (`&nbsp;`, `<br>`) made plain: a break is '; ' inside a table row, a new line elsewhere."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("&nbsp;", " ").replace("\u00a0", " ").split("\n")
    return "\n".join(BREAK_RE.sub("; " if line.lstrip().startswith("|") else "\n", line) for line in lines)


def front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """YAML front matter as text values (a list joined with ', '), the body, and how many lines it took."""
    if not text.startswith("---\n"):
        return {}, text, 0
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text, 0
    rest = text[end + 4:].split("\n", 1)
    return _meta(text[4:end]), rest[1] if len(rest) > 1 else "", text[:end + 4].count("\n") + 1


def _meta(block: str) -> dict[str, str]:
    """Front-matter keys in lower case with text values; plain `key: value` lines when it is not valid YAML."""
    try:
        loaded = yaml.safe_load(block)
    except yaml.YAMLError:
        loaded = None
    if not isinstance(loaded, dict):
        pairs = (line.partition(":") for line in block.splitlines())
        return {k.strip().lower(): v.strip().strip("'\"") for k, sep, v in pairs if sep and k.strip()}
    return {str(k).strip().lower(): _meta_text(v) for k, v in loaded.items() if v is not None}


def _meta_text(value) -> str:
    """A front-matter value as text: dates in ISO form, lists joined with ', '."""
    if isinstance(value, list):
        return ", ".join(_meta_text(v) for v in value if v is not None)
    return value.isoformat() if isinstance(value, date) else str(value).strip()


# An H1 that only says what kind of document this is, not which incident.
WRAPPER_RE = re.compile(r"(an?\s+|the\s+)?(example|sample)?\s*(incident\s+)?(post[\s-]?mortem|incident\s+report|"
                        r"retrospective|coe|correction\s+of\s+errors?|rca|root\s+cause\s+analysis)s?(\s+template)?",
                        re.IGNORECASE)
# "Postmortem: Search indexing stalled", "Incident Report - Billing export": the kind of document, then its title.
TITLE_PREFIX_RE = re.compile(rf"^(?:{WRAPPER_RE.pattern})\s*(?:[:|]|\s[-–—])\s*(?=\S)", re.IGNORECASE)


def title_of(heading: str) -> str:
    """An H1 as a title: no emphasis, no 'Postmortem:' before the incident's name."""
    return TITLE_PREFIX_RE.sub("", re.sub(r"[*_`]", "", heading).strip())


def split_sections(body: str, first_line: int) -> tuple[str | None, list[Section]]:
    """The H1 title and the sections under headings and bold `**Label**:` lines."""
    title, sections = None, [Section("", 0, first_line, None)]
    receiving = sections[0]
    in_code = False
    pieces = [(n, piece) for n, line in enumerate(body.split("\n")) for piece in label_pieces(line)]
    lines = [piece for _, piece in pieces]
    for index, line in enumerate(lines):
        number = first_line + pieces[index][0]
        if line.lstrip().startswith("```"):
            in_code = not in_code
        if not in_code and re.fullmatch(r"\s*(=+|-+)\s*", line) and len(line.strip()) >= 3:
            continue  # the underline of a setext heading, handled with the line above
        underline = lines[index + 1] if index + 1 < len(lines) else ""
        setext = (not in_code and line.strip() and not BULLET_RE.match(line) and not line.lstrip().startswith("|")
                  and re.fullmatch(r"\s*(=+|-+)\s*", underline) and len(underline.strip()) >= 3)
        if setext:
            line = ("# " if underline.strip()[0] == "=" else "## ") + line.strip()
        heading = None if in_code else HEADING_RE.match(line)
        if heading:
            level, name = len(heading[1]), heading[2].strip()
            if level == 1 and title is None:
                title = title_of(name)
                continue
            if (level == 2 and title and WRAPPER_RE.fullmatch(title) and field_for(name) is None
                    and len(sections) == 1 and not "".join(sections[0].lines).strip()):
                # "Example Postmortem" over "Shakespeare Sonnet++ Postmortem": the H2 names the incident.
                title = title_of(name)
                continue
            sections.append(Section(name, level, number, field_for(name)))
            receiving = sections[-1]
            continue
        if not in_code and (index == 0 or not lines[index - 1].lstrip().startswith("|")):
            for name, value in fact_columns(lines[index:index + 4]):
                # "| Severity | Status | Duration | Lead |" over one row: each column a fact; the table stays whole.
                sections.append(Section(name, max(receiving.level, 0) + 7, number, field_for(name, keywords=False),
                                        [value]))
        label = None if in_code else LABEL_RE.match(line)
        fact = None if in_code or label else fact_row(line)
        if label or fact:
            name, rest = fact or ((label[1], label[2]) if label[1] else (label[3], label[4]))
            mapped = field_for(name)
            if BULLET_RE.match(line) and (mapped not in META_FIELDS or receiving.field):
                mapped = None  # "- **Detection delay**: …" in a list is an item of that list, not a section
            if mapped in MOMENT_FIELDS and receiving.field == "timeline":
                mapped = None  # "Resolved: 10:05 …" in a timeline is one of its events
            if (label and rest and not mapped and receiving.level >= 7 and not BULLET_RE.match(line)
                    and receiving.field in (*TEXT_FIELDS, "action_items") and re.search(r"[A-Za-z]{3}", name)
                    and (index == 0 or not lines[index - 1].strip())):
                # "**Provide feedback:** Please …" after "**Next Steps:** We …": a run-in label like theirs starts
                # a paragraph of its own; a "**Notes:**" line over its text stays a part of the section it is in
                sections.append(Section(name, receiving.level, number, None, [rest]))
                receiving = sections[-1]
                continue
            if mapped and (mapped != receiving.field or mapped == "action_items"):
                parent = receiving
                sections.append(Section(name, max(parent.level, 0) + 7, number, mapped, [rest] if rest else []))
                if mapped in META_FIELDS:
                    if parent.field in TEXT_FIELDS or fact:
                        # "**Severity:** Major" also stays in the Impact it was written in; a table stays whole.
                        parent.lines.append(line)
                    continue  # a one-line fact: the lines after it still belong to the section around it
                receiving = sections[-1]
                continue
        receiving.lines.append(line)
    return title, [part for section in sections for part in closing(section)]


SIGN_OFF_RE = re.compile(r"^\s*(?:sincerely|(?:best|kind|warm)?\s*regards|respectfully|cheers|thanks|thank you),?\s*$",
                         re.IGNORECASE)
APOLOGY_RE = re.compile(r"\b(?:apologi[sz]e|sorry|thank|appreciate)", re.IGNORECASE)


def closing(section: Section) -> list[Section]:
    """A section whose letter ends with a sign-off ('Sincerely,'), and the closing words from the apology
    just before the sign-off to the end as a section of their own."""
    signed = next((i for i, line in enumerate(section.lines) if SIGN_OFF_RE.match(line)), None)
    if signed is None or not any(line.strip() for line in section.lines[signed + 1:]):
        return [section]
    start = signed
    while start > 0 and not section.lines[start - 1].strip():
        start -= 1
    above = start
    while above > 0 and section.lines[above - 1].strip():
        above -= 1
    if APOLOGY_RE.search(" ".join(section.lines[above:start])):
        start = above
    words = Section("Closing", max(section.level, 1), section.line + start, None, section.lines[start:])
    section.lines = section.lines[:start]
    return [section, words]


def label_pieces(line: str) -> list[str]:
    """A line of labels side by side ('Status: Final | Severity: SEV3') as one line per label; else the line."""
    if line.lstrip().startswith("|"):
        return [line]
    for separator in (" | ", " · ", " • "):
        parts = [part.strip() for part in line.split(separator)]
        labels = sum(bool(LABEL_RE.match(part)) for part in parts)
        # A note beside the labels ("(times in CET)") is kept as a line of its own.
        if len(parts) >= 2 and labels >= 2 and labels >= len(parts) - 1:
            return parts
    return [line]


def fact_row(line: str) -> tuple[str, str] | None:
    """A two-cell table row that states a fact ('| **Severity** | Sev 2 |'): its label and value."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
    if len(cells) != 2 or not all(cells):
        return None
    name = clean(cells[0]).rstrip(":")
    return (name, cells[1]) if field_for(name, keywords=False) in META_FIELDS else None


def fact_columns(lines: list[str]) -> list[tuple[str, str]]:
    """A table of facts side by side (a header of labels such as Severity, Duration, then one row of values):
    each label that names a fact with its value; else nothing."""
    rows = [line for line in lines if line.lstrip().startswith("|")]
    if len(rows) != 3 or not all(ln.lstrip().startswith("|") for ln in lines[:3]):
        return []
    header, values = ([clean(c) for c in ln.strip().strip("|").split("|")] for ln in (rows[0], rows[2]))
    if len(header) != len(values):
        return []
    facts = [(name.rstrip(":"), value) for name, value in zip(header, values, strict=True)
             if value and field_for(name.rstrip(":"), keywords=False) in META_FIELDS]
    return facts if len(facts) >= 2 else []


def table_rows(lines: list[str]) -> list[tuple[list[str], list[str]]]:
    """Each Markdown table row with the header of its table."""
    return [(header, cells) for header, cells, _ in numbered_rows(lines)]


def numbered_rows(lines: list[str]) -> list[tuple[list[str], list[str], int]]:
    """Each Markdown table row with the header of its table and its index in the lines."""
    rows, header = [], None
    for index, line in enumerate(lines):
        if not line.strip().startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
        elif not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            rows.append((header, cells, index))
    return rows


def clean(text: str) -> str:
    """Cell or bullet text without emphasis markup."""
    return re.sub(r"\*\*|__|`", "", text).strip()


def incidents_told(sections: list[Section]) -> list[int]:
    """Where each incident of a report that tells several starts: sibling headings that name no field and open
    with a date ('### March 5 15:11 UTC (lasting 1 hour 12 minutes)'), outside any timeline; else nothing."""
    starts, above, undated = [], [], None
    for index, section in enumerate(sections):
        if section.level >= 7:
            continue
        while above and above[-1].level >= section.level:
            above.pop()
        dated = tl.MONTH_DATE_RE.match(clean(section.heading)) or tl.ISO_DATE_RE.match(clean(section.heading))
        # "## Timeline" then "## May 12", "## 13 May": the days of the timeline, not incidents
        in_timeline = any(s.field == "timeline" for s in above) or (
            undated is not None and undated.field == "timeline" and undated.level <= section.level)
        if dated and section.field is None and not in_timeline and section.text():
            starts.append(index)
        above.append(section)
        undated = undated if dated else section
    levels = {sections[i].level for i in starts}
    return starts if len(starts) >= 2 and len(levels) == 1 else []


def incident_parts(title: str | None, sections: list[Section], starts: list[int]) -> list[tuple[str, list[Section]]]:
    """Each incident of a report that tells several, as its own title and sections: its heading joins the
    title, its text is its summary, its sub-sections go with it; the text before the first goes with the first."""
    parts = []
    for number, (start, end) in enumerate(zip(starts, [*starts[1:], len(sections)], strict=True)):
        sections[start].field = "summary"
        heading = clean(sections[start].heading)
        parts.append((f"{title} — {heading}" if title else heading, (sections[:start] if number == 0 else [])
                      + sections[start:end]))
    return parts