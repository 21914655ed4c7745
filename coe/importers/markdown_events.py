"""Timeline events out of the tables, lists, paragraphs and timed sub-headings of a Markdown post-mortem."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from coe.importers import timeline as tl
from coe.importers.markdown import BULLET_RE, Section, clean, numbered_rows

IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ACTOR_COLUMN_RE = re.compile(r"who|actor|by|owner|person|team", re.IGNORECASE)


def plain(text: str) -> str:
    """Event text without list markers, emphasis or HTML images (kept as Markdown images)."""
    text = IMG_RE.sub(_image, text)
    return clean(BULLET_RE.sub(r"\1", text)).replace("✅", "").replace("❌", "").strip()


def _image(tag: re.Match) -> str:
    """An HTML image as a Markdown one: ![alt](src)."""
    alt, src = (re.search(rf'{name}="([^"]*)"', tag.group(0)) for name in ("alt", "src"))
    return f"![{alt[1] if alt else 'image'}]({src[1] if src else ''})"


def _without_code(lines: list[str]) -> tuple[list[str], str]:
    """The lines outside fenced code blocks, and the blocks themselves as Markdown."""
    kept, code, in_code = [], [], False
    for line in lines:
        fence = line.lstrip().startswith(("```", "~~~"))
        (code if in_code or fence else kept).append(line.strip() if fence else line)
        in_code = in_code != fence
    return kept, "\n".join(code).strip()


@dataclass
class TimelineReader:
    """Reads timeline sections in document order, carrying the day and the last time from one to the next."""

    day: date | None
    zone: object
    events: list[dict] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The year a date written without one ('Jan 14') belongs to."""
        return self.day.year if self.day else None

    def read(self, section: Section) -> None:
        """Add the events of one section; text that is no event is kept as a note under its heading."""
        heading = clean(section.heading)
        moment = tl.leading_moment(heading, self.year)
        self.day = (moment[0] if moment and moment[0] else None) or tl.find_date(heading, self.year) or self.day
        if moment and moment[1]:
            body, code = _without_code(section.lines)
            text = "\n".join(plain(ln) for ln in body if ln.strip()) or moment[2].strip(" -–—:|")
            self._add(moment[0], moment[1], text or heading, heading, section.line)
            if code:
                self.notes.append((section.heading, code))
            return
        first = section.line + (1 if section.level < 7 else 0)  # the line number of section.lines[0]
        rows = numbered_rows(section.lines)
        for header, cells, index in rows:
            self._row(header, cells, first + index)
        kept = ["" if ln.strip().startswith("|") else ln for ln in section.lines] if rows else section.lines
        unused = [text for text in self._items(kept, first) if text]
        if unused:
            self.notes.append((section.heading, "\n\n".join(unused)))

    def _row(self, header: list[str], cells: list[str], line: int) -> None:
        """One table row: the first cell that starts with a date or time places it, a 'Who' column names
        the actor, the others describe it."""
        who = next((i for i, name in enumerate(header) if ACTOR_COLUMN_RE.fullmatch(clean(name))), None)
        for index, cell in enumerate(cells):
            moment = tl.leading_moment(clean(cell), self.year)
            if moment:
                others = [plain(c) for i, c in enumerate(cells) if i not in (index, who) and plain(c)]
                text = " — ".join(others) or moment[2].strip(" -–—:|")
                self._add(moment[0], moment[1], text, cell, line)
                if who is not None and who < len(cells) and plain(cells[who]):
                    self.events[-1]["actor"] = plain(cells[who])[:200]
                return
        if any(clean(c) for c in cells):
            self.notes.append(("Timeline (rows without a date or time)", " | ".join(cells)))

    def _items(self, lines: list[str], first: int) -> list[str]:
        """Split lines into list items and paragraphs; those that start with a time become events, the rest is returned."""
        items: list[tuple[int, list[str]]] = []
        in_code, blank = False, True
        for offset, line in enumerate(lines):
            fence = line.lstrip().startswith(("```", "~~~"))
            indented = line[:1] in (" ", "\t")
            bullet = BULLET_RE.match(line) and not indented
            starts = not in_code and not fence and line.strip() and (
                bullet or (not indented and (blank or self._moment(line))))
            if starts or not items:
                if line.strip():
                    items.append((first + offset, [line]))
            elif line.strip() or in_code:
                items[-1][1].append(line)
            if fence:
                in_code = not in_code
            blank = not line.strip() and not in_code
        unused = []
        for number, lines_of_item in items:
            block, code = _without_code(lines_of_item)
            if code:  # logs and commands stay beside the timeline, not inside an event's description
                unused.append(f"{plain(block[0])[:80]}:\n\n{code}" if block else code)
            if not block:
                continue
            text = "\n".join(plain(ln) for ln in block).strip()
            moment = self._moment(block[0])
            if moment is None and BULLET_RE.match(block[0]):
                clock = tl.find_time(plain(block[0]))
                moment = (tl.find_date(plain(block[0]), self.year), clock[0], plain(block[0])) if clock else None
            if moment and moment[1] is None and len(block) == 1 and len(text) < 40:
                self.day = moment[0]  # a date line ("2015-10-21 (all times UTC)") sets the day below it
                continue
            if moment is None:
                if not (tl.STATED_ZONE_RE.search(text) and len(text) < 60):  # "All times in UTC." is used, not kept
                    unused.append(text)
                continue
            rest = "\n".join([moment[2], *(plain(ln) for ln in block[1:])]).strip(" -–—:|\n")
            self._add(moment[0], moment[1], rest or text, block[0], number)
        return unused

    def _moment(self, line: str):
        """The date and time a line starts with, if it starts with one."""
        return tl.leading_moment(plain(line), self.year)

    def _add(self, day: date | None, clock, text: str, source: str, line: int) -> None:
        """One event; a day rolls over when the clock goes back by more than half a day."""
        stated = day is not None
        aside = re.match(r"^\s*\(([^)]{3,30})\)\s*[-–—:]*\s*", text)
        if aside and tl.find_date(aside[1], self.year):
            day, stated, text = tl.find_date(aside[1], self.year), True, text[aside.end():]
        day = day or self.day
        if day is None:
            self.notes.append(("Timeline (events without a date)", text))
            return
        self.day = day
        last = self.events[-1]["at"] if self.events else None
        if clock is None:
            # No time of day ("2024-03-13 HH:mm"): after the event above it on the same day, else at midnight.
            local = last.astimezone(self.zone) if last and self.zone else last
            same_day = local is not None and local.date() == day
            at = last if same_day else datetime.combine(day, datetime.min.time(), tzinfo=self.zone or UTC)
            self.remarks.append(f"timeline line {line}: no time of day; placed at {at:%Y-%m-%d %H:%M}")
        else:
            at = tl.event_at(day, clock, source, self.zone)
        if clock and not stated and tl.rolled_over(at, last):
            at += timedelta(days=1)
            self.day = day + timedelta(days=1)
            self.remarks.append(f"timeline line {line}: {clock:%H:%M} follows {last:%H:%M}, taken as the next day")
        elif clock and last and at < last:
            self.remarks.append(f"timeline line {line}: {at:%Y-%m-%d %H:%M} is written after {last:%Y-%m-%d %H:%M};"
                                " sorted by time")
        description = re.sub(r"\s+", " ", text).strip(" -–—:|") or "(no description)"
        self.events.append({"at": at, "description": description[:4000], "line": line, "timed": clock is not None})
