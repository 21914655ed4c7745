"""Action items, lessons, contributing factors and five whys out of Markdown lists, tables and paragraphs."""

import re
from dataclasses import dataclass, field

from coe.importers.markdown import BULLET_RE, KINDS, clean, table_rows

NUMBERED_RE = re.compile(r"^\s*\d+[.)]\s")
URL_RE = re.compile(r"https?://[^\s)>\]]+")
LINK_DEFINITION_RE = re.compile(r"^\s*\[[^\]]+\]:\s")
OWNER_RE = re.compile(r"[\s(;,–-]*\b(?:owner|owned by|assignee|assigned to)\s*[:=–-]\s*@?([\w.\-/]+)\)?\s*$", re.IGNORECASE)
GROUP_RE = re.compile(r"^\s*(?:\*\*|__)([^*_]{2,80}?):?(?:\*\*|__):?\s*$")
DONE_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[xX]\]|✅|☑|✔")
# An item that starts with one of these verbs asks a question rather than changing anything.
INVESTIGATE_RE = re.compile(r"^(investigate|look into|evaluate|assess|explore|figure out|reflect|check|consider|"
                            r"understand|analy[sz]e|review if|discuss|research|determine)\b", re.IGNORECASE)
# Words that say what an action item does, checked in order when the document names no type.
KIND_WORDS = (("detect", ("alert", "alarm", "monitor", "dashboard", "detect", "observab", "metric", "notif", "probe")),
              ("process", ("runbook", "playbook", "document", "process", "communicat", "train", "teach", "review",
                           "retrospective", "incident report", "guideline", "policy", "drill", "on-call", "declare")),
              ("mitigate", ("mitigat", "rollback", "roll back", "restore", "failover", "load shedding", "circuit breaker")),
              ("repair", ("fix ", "plug", "repair", "patch", "upgrade", "revert", "restart")))
FACTOR_WORDS = (("config_change", ("config", "setting", "header", "flag")), ("deployment", ("deploy", "pipeline", "rollout", "release")),
                ("access_control", ("permission", "access", "credential", "token", "role")),
                ("capacity", ("capacity", "memory", "cpu", "resource", "load", "starv", "exhaust", "limit")),
                ("dependency", ("upstream", "vendor", "third-party", "third party", "aws", "library")),
                ("process", ("process", "communicat", "review", "monitor", "alert", "detection", "test", "announce")),
                ("security", ("vulnerab", "attack", "cve", "malicious")))


@dataclass
class Item:
    """One list item or paragraph: its first line, the lines under it and the group label above it."""

    first: str
    rest: list[str] = field(default_factory=list)
    group: str = ""


def items_of(lines: list[str]) -> tuple[list[Item], list[str]]:
    """Top-level list items (or paragraphs when there is no list), and the prose paragraphs around them."""
    listed = [ln for ln in lines if BULLET_RE.match(ln)]
    if not listed:
        return [Item(p[0], p[1:]) for p in _paragraphs(lines)], []
    indent = min(len(ln) - len(ln.lstrip()) for ln in listed)
    numbered = bool(NUMBERED_RE.match(listed[0]))
    items, prose, group, blank, in_code = [], [], "", True, False
    for line in lines:
        top = (BULLET_RE.match(line) and len(line) - len(line.lstrip()) == indent
               and bool(NUMBERED_RE.match(line)) == numbered and not in_code)
        label = GROUP_RE.match(line)
        if line.lstrip().startswith("```"):
            in_code = not in_code
        if top:
            items.append(Item(line, group=group))
        elif label and not in_code:
            group = label[1]
        elif line.strip() and items and (not blank or line[:1] in (" ", "\t") or BULLET_RE.match(line) or in_code):
            items[-1].rest.append(line)
        elif line.strip():
            if blank or not prose:
                prose.append(line)
            else:
                prose[-1] += "\n" + line
        blank = not line.strip()
    return items, [clean(p) for p in prose]


def _paragraphs(lines: list[str]) -> list[list[str]]:
    """Paragraphs as lists of lines; a line that ends a sentence and is followed by a capital starts a new one."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            paragraphs.append([])
        elif paragraphs[-1] and re.search(r"[.!?]\s*$", paragraphs[-1][-1]) and re.match(r"\s*[A-Z✅❌]", line):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return [p for p in paragraphs if p]


def text_of(item: Item) -> str:
    """An item's words without list markers, check boxes, ticks or emphasis; its wrapped lines joined."""
    first = clean(BULLET_RE.sub(r"\1", item.first)).replace("✅", "").replace("❌", "").strip(" -–—")
    rest = clean(" ".join(BULLET_RE.sub(r"\1", ln) for ln in item.rest if not ln.lstrip().startswith("```")))
    if rest and first and not re.search(r"[.:!?;,–—-]$", first):
        first += ":"  # a bold heading line over its explanation
    return re.sub(r"\s+", " ", f"{first} {rest}").strip()


def actions(heading: str, lines: list[str]) -> tuple[list[dict], bool]:
    """Action items from a table (action, type, owner, bug) or a list, and whether text was left out of them."""
    rows = table_rows(lines)
    table = [_row(dict(zip(header, cells)), cells) for header, cells in rows]
    if rows:
        return [item for item in table if item], False
    linked = [ln for ln in lines if LINK_DEFINITION_RE.match(ln)]
    found, prose = items_of([ln for ln in lines if not LINK_DEFINITION_RE.match(ln)])
    result = []
    for item in found:
        title = clean(BULLET_RE.sub(r"\1", item.first)).replace("✅", "").replace("❌", "").strip(" -–—")
        if not title:
            continue
        entry: dict = {}
        owner = next((OWNER_RE.search(ln) for ln in [item.first, *item.rest] if OWNER_RE.search(ln)), None)
        if owner:
            entry["owner"] = owner[1][:200]
            title = OWNER_RE.sub("", title).strip()
        title = re.sub(r"\s*<https?://[^>]+>", "", title).strip() or title  # the link becomes ticket_url
        entry["title"] = (title if title else text_of(item))[:500]
        entry["kind"] = _kind(title)
        entry["status"] = _status(item, heading)
        url = URL_RE.search(" ".join([item.first, *item.rest]))
        if url:
            entry["ticket_url"] = url[0]
        result.append(entry)
    left_out = any(URL_RE.sub("", clean(BULLET_RE.sub(r"\1", ln))).strip(" <>-") for i in found for ln in i.rest)
    return result, bool(prose or linked) or left_out or (not result and any(ln.strip() for ln in lines))


def _row(row: dict[str, str], cells: list[str]) -> dict:
    """One action-item table row; empty rows give nothing."""
    title = next((clean(v) for k, v in row.items() if re.search(r"action|item|task|what|descr|title", k)),
                 clean(cells[0]))
    if not title:
        return {}
    item = {"title": title[:500]}
    kind = next((clean(v).lower() for k, v in row.items() if re.match(r"type|kind|category", k)), "")
    item["kind"] = KINDS.get(kind, _kind(title))
    owner = next((clean(v) for k, v in row.items() if "owner" in k or "assignee" in k or k in ("who", "by")), "")
    if owner and owner.lower() not in ("-", "n/a", "tbd"):
        item["owner"] = owner.lstrip("@")[:200]
    ticket = next((v for k, v in row.items() if re.search(r"bug|ticket|issue|link", k)), "")
    url = URL_RE.search(ticket)
    if url:
        item["ticket_url"] = url[0]
    return item


def _kind(title: str) -> str:
    """What an action item does, from its words; prevent when they say nothing more specific."""
    if INVESTIGATE_RE.match(title):
        return "investigate"
    lowered = f"{title.lower()} "
    return next((kind for kind, words in KIND_WORDS if any(w in lowered for w in words)), "prevent")


def _status(item: Item, heading: str) -> str:
    """done when ticked or under a 'Completed' heading; in_progress under 'In progress'; else open."""
    if DONE_RE.search(item.first) or re.search(r"\((?:done|completed)\)\s*\.?\s*$", item.first, re.IGNORECASE):
        return "done"
    for words in (item.group, heading):
        lowered = words.lower()
        if re.search(r"\bcompleted\b|\bdone\b", lowered):
            return "done"
        if re.search(r"in[ -]progress", lowered) and "planned" not in lowered:
            return "in_progress"
    return "open"


def lessons(lines: list[str]) -> list[str]:
    """List items, or paragraphs when the section is prose."""
    found, prose = items_of(lines)
    return [text for text in map(text_of, found) if text] + [p for p in prose if p]


def factors(lines: list[str]) -> list[dict]:
    """Contributing factors, each with the root-cause category its words suggest (else unknown)."""
    result = []
    for text in lessons(lines):
        lowered = text.lower()
        category = next((c for c, words in FACTOR_WORDS if any(w in lowered for w in words)), "unknown")
        result.append({"category": category, "description": text[:2000]})
    return result


def whys(lines: list[str]) -> list[dict]:
    """Five whys written as 'Why …? Because …' items."""
    result = []
    for text in lessons(lines):
        question, mark, answer = text.partition("?")
        result.append({"question": (question + mark).strip(), "answer": answer.strip()} if mark
                      else {"question": "Why?", "answer": text})
    return result
