"""Cells of a spreadsheet made coe/v1 values: lists, times, severities, durations, root-cause words, yes/no flags."""

import json
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coe.enums import RootCauseCategory

# Tried in order; day-first dotted dates are European, slashed dates are read as US month/day.
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%d.%m.%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y", "%d %b %Y %H:%M",
    "%d %B %Y %H:%M", "%d %b %Y", "%b %d, %Y %H:%M", "%B %d, %Y %H:%M",
)
# Minutes per unit, as written in a cell ("1h 30m") or a header ("duration (h)", "TTR hours").
UNITS = {"s": 1 / 60, "sec": 1 / 60, "secs": 1 / 60, "second": 1 / 60, "seconds": 1 / 60,
         "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
         "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60, "d": 1440, "day": 1440, "days": 1440}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)")
# Words of root-cause classifications that name one category clearly; anything else stays text.
CAUSE_WORDS = (
    (re.compile(r"\bsoftwares?\b|\bbugs?\b|\bcode\b"), RootCauseCategory.code_defect),
    (re.compile(r"\bhardware\b"), RootCauseCategory.hardware),
    (re.compile(r"\bconfig(uration)?\b"), RootCauseCategory.config_change),
    (re.compile(r"\binsufficient resources?\b|\bcapacity\b|\bexcessive (flow|load|traffic)\b|\boverload"),
     RootCauseCategory.capacity),
    (re.compile(r"\bthird[- ]party\b|\bdependency\b|\bupstream\b"), RootCauseCategory.dependency),
    (re.compile(r"\bdeploy(ment)?s?\b|\brelease\b|\brollout\b"), RootCauseCategory.deployment),
)
TRUE, FALSE = ("true", "yes", "y", "1", "x"), ("false", "no", "n", "0")


def as_list(cell: str) -> Any:
    """A JSON list cell, else the `;`-separated parts."""
    if cell.startswith("["):
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            pass
    return [part.strip() for part in cell.split(";") if part.strip()]


def as_time(cell: str, zone: str | None) -> tuple[str, datetime | None]:
    """The cell as ISO-8601 (in `zone` when it has no offset of its own) and as parsed; unparsed: (cell, None)."""
    parsed = _parsed(cell)
    if parsed is None:
        return cell, None
    if parsed.tzinfo is None and zone:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.isoformat(), parsed


def date_only(cell: str) -> bool:
    """Whether a time cell gives a day and no time of day."""
    return ":" not in cell


def _parsed(cell: str) -> datetime | None:
    try:
        return datetime.fromisoformat(cell)
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(cell, fmt)
        except ValueError:
            continue
    return None


def severity(cell: str) -> str:
    """'SEV-1', 'Sev 2', '3' and 'P2' all name a severity."""
    match = re.fullmatch(r"(?:sev|p)?[\s\-_]*([1-5])", cell.strip(), re.I)
    return f"sev{match[1]}" if match else cell.lower()


def duration(cell: str, unit: float) -> timedelta | None:
    """'1768' (in the column's unit), '90 min', '1h 30m', '2 days', '1:30' (h:mm); None when it is none of these."""
    text = cell.strip().lower()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return timedelta(minutes=float(text.replace(",", ".")) * unit)
    if match := re.fullmatch(r"(\d+):([0-5]\d)(?::([0-5]\d))?", text):
        return timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3] or 0))
    parts = _PART.findall(text)
    if not parts or _PART.sub("", text).strip(" ,") or any(u not in UNITS for _, u in parts):
        return None
    return timedelta(minutes=sum(float(n.replace(",", ".")) * UNITS[u] for n, u in parts))


def causes(cell: str) -> tuple[list[tuple[str, RootCauseCategory]], list[str]]:
    """(part, category) for the `;`- or `,`-separated parts of a cause that name one clearly, and the other parts."""
    found, unclear = [], []
    for part in (p.strip() for p in re.split(r"[;,]", cell) if p.strip()):
        words = part.lower().replace("_", " ")
        named = {c for pattern, c in CAUSE_WORDS if pattern.search(words)}
        if words.replace(" ", "_") in RootCauseCategory.__members__:
            named = {RootCauseCategory(words.replace(" ", "_"))}
        if len(named) == 1:
            found.append((part, named.pop()))
        else:
            unclear.append(part)
    return found, unclear


def flag(cell: str) -> bool | None:
    """True, False, or None for a cell that is neither (yes/no, 1/0, x)."""
    text = cell.strip().lower()
    return True if text in TRUE else False if text in FALSE else None
