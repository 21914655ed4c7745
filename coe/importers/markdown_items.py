"""Action items, lessons, contributing factors and five whys out of Markdown lists, tables and paragraphs."""

import re
from dataclasses import dataclass, field

from coe.importers import timeline as tl
from coe.importers.markdown import BULLET_RE, KINDS, clean, table_rows

NUMBERED_RE = re.compile(r"^\s*\d+[.)]\s")
URL_RE = re.compile(r"https?://[^\s)>\]]+")
LINK_DEFINITION_RE = re.compile(r"^\s*\[[^\]]+\]:\s")
OWNER_RE = re.compile(r"[\s(;,–—-]*\b(?:owner|owned by|assignee|assigned to)\s*[:=–-]\s*@?([\w.\-/]+)\)?\s*$", re.IGNORECASE)
GROUP_RE = re.compile(r"^\s*(?:\*\*|__)([^*_]{2,80}?):?(?:\*\*|__):?\s*$")
DONE_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[xX]\]|✅|☑|✔")
# "Cap retries — @fulfilment-eng": a trailing mention names the owner.
MENTION_RE = re.compile(r"\s+[–—-]+\s*@([\w.\-/]+)\s*$|\s+\((@[\w.\-/]+|[a-z][\w.]*-[\w.\-]+)\)\s*$")
# A status written into the item: "DONE: …", "… (in progress)", "… — done 2025-05-14", "(won't do: cost)".
STATUS_WORDS = (("wont_do", r"won'?t\s+do|wontfix|will\s+not\s+do|not\s+doing|cancell?ed|dropped|rejected"),
                ("in_progress", r"in[ -]progress|wip|ongoing|started|doing"),
                ("done", r"done|completed?|closed|fixed|shipped|resolved|finished"),
                ("open", r"open|to\s?do|not\s+started|planned|backlog|pending|new"))
_STATUS = "|".join(f"(?:{words})" for _, words in STATUS_WORDS)
STATUS_PREFIX_RE = re.compile(rf"^\[?({_STATUS})\]?\s*[:–—-]\s*|^\[({_STATUS})\]\s*", re.IGNORECASE)
STATUS_SUFFIX_RE = re.compile(rf"(?:\s+[–—-]+\s*|\s*[(\[])({_STATUS})\b([^()\[\]]*)[)\]]?\s*\.?\s*$", re.IGNORECASE)
STRUCK_RE = re.compile(r"^~~(.+?)~~")
PRIORITY_RE = re.compile(r"\s*[\[(]\s*(P[0-4])\s*[\])]", re.IGNORECASE)
# Action-item table columns beyond the title, owner, kind and ticket, by their headers.
COLUMNS = (("status", r"^(status|state|done)"), ("priority", r"^(priority|prio)"), ("due", r"^(due|deadline|target|eta)"),
           ("completed", r"^(completed|done on|closed)"))
PRIORITY_WORDS = {"critical": "p0", "urgent": "p0", "highest": "p0", "high": "p1", "medium": "p2", "normal": "p2",
                  "low": "p3", "lowest": "p3"}
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
    items, prose, group, blank, in_code, prosing = [], [], "", True, False, False
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
        elif line.strip() and items and (not blank or line[:1] in (" ", "\t") or BULLET_RE.match(line) or in_code) \
                and not (prosing and not blank):  # the next line of a paragraph after the list is still that paragraph
            items[-1].rest.append(line)
        elif line.strip():
            if blank or not prose:
                prose.append(line)
            else:
                prose[-1] += "\n" + line
            prosing = True
            blank = False
            continue
        prosing = prosing and not top and not label
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


def actions(heading: str, lines: list[str]) -> tuple[list[dict], str]:
    """Action items from a table (action, type, owner, bug) or a list, and the text they leave out."""
    rows = table_rows(lines)
    table = [_row(dict(zip(header, cells)), cells) for header, cells in rows]
    if rows:
        prose = "\n".join(ln for ln in lines if not ln.lstrip().startswith("|")).strip()
        return [item for item in table if item], prose
    linked = [ln for ln in lines if LINK_DEFINITION_RE.match(ln)]
    found, prose = items_of([ln for ln in lines if not LINK_DEFINITION_RE.match(ln)])
    result = []
    for item in found:
        title = clean(BULLET_RE.sub(r"\1", item.first)).replace("✅", "").replace("❌", "").strip(" -–—")
        if not title:
            continue
        title, entry = _marks(title)
        owner = next((OWNER_RE.search(ln) for ln in item.rest if OWNER_RE.search(ln)), None)
        if owner and "owner" not in entry:
            entry["owner"] = owner[1][:200]
        title = re.sub(r"\s*<https?://[^>]+>", "", title).strip() or title  # the link becomes ticket_url
        title = as_task(title)
        entry["title"] = (title if title else text_of(item))[:500]
        entry["kind"] = _kind(title)
        entry["status"] = entry.get("status") or _status(item, heading)
        if entry["status"] != "done":
            entry.pop("completed_on", None)
            entry.pop("completed_said", None)
        url = URL_RE.search(" ".join([item.first, *item.rest]))
        if url:
            entry["ticket_url"] = url[0]
        result.append(entry)
    left_out = any(URL_RE.sub("", clean(BULLET_RE.sub(r"\1", ln))).strip(" <>-") for i in found for ln in i.rest)
    kept = bool(prose or linked) or left_out or (not result and any(ln.strip() for ln in lines))
    return result, "\n".join(lines).strip() if kept else ""


def _marks(title: str) -> tuple[str, dict]:
    """The title without what is written into it, and those values: status ('DONE:', '(in progress)',
    '~~struck~~', '— done 2025-05-14' with its day), owner ('(owner: x)', '— @x') and priority ('[P1]')."""
    marks: dict = {}
    struck = STRUCK_RE.match(title)
    if struck:
        title = (struck[1] + title[struck.end():]).strip()
    found = True
    while found:
        found = False
        for pattern in (STATUS_SUFFIX_RE, STATUS_PREFIX_RE, OWNER_RE, MENTION_RE, PRIORITY_RE):
            match = pattern.search(title)
            rest = (title[:match.start()] + title[match.end():]).strip(" -–—:") if match else ""
            if not rest:
                continue
            if pattern in (OWNER_RE, MENTION_RE):
                marks.setdefault("owner", (match[1] or match[2]).lstrip("@")[:200])
            elif pattern is PRIORITY_RE:
                marks.setdefault("priority", _priority(match[1]))
            elif _status_word(match[1] or match[2]) and "status" not in marks:
                marks["status"] = _status_word(match[1] or match[2])
                _completed(marks, match.group(0))
            title, found = rest, True
    if struck and "status" not in marks:
        marks["status"] = "done"  # crossed off the list
    return title, marks


# Work still to do, as a remediation list writes it: "We will add …", "We're going to …", "Add alerting on …".
# "We are adding …", "We're also improving …": work under way, promised as much as "we will".
_UNDER_WAY = r"(?:'re| are) (?:also |now )?(?=\w+ing\b)"
FUTURE_RE = re.compile(r"^(?:finally,? )?(?:we(?:'ll| will| are going to|'re going to| plan to| intend to|"
                       r" are planning to| need to| should| must)|(?:this|that|it|the \w+) will|will|planned|todo|to do)\b|"
                       rf"^(?:finally,? )?we{_UNDER_WAY}", re.IGNORECASE)
PROMISE_RE = re.compile(r"^(?:finally,? )?(?:we(?:'ll| will| are going to|'re going to| plan to| intend to|"
                        rf" are planning to)|will|we{_UNDER_WAY})\s*", re.IGNORECASE)
IMPERATIVE = ("add", "implement", "introduce", "create", "build", "improve", "update", "automate", "migrate", "enable",
              "require", "document", "review", "audit", "investigate", "move", "remove", "increase", "reduce", "set up",
              "write", "ensure", "extend", "make", "monitor", "alert", "establish", "adopt", "limit", "cap", "split",
              "separate", "validate", "test", "schedule", "replace", "refactor", "upgrade", "change", "configure", "tune",
              "expand", "harden", "block", "prevent", "detect", "evaluate", "explore", "consider", "define", "publish",
              "train", "run", "rotate", "deprecate", "lower", "raise", "tighten", "fix", "patch", "track")


def as_task(text: str) -> str:
    """A promise as the task it names: 'We will add alerting' → 'Add alerting'."""
    task = PROMISE_RE.sub("", text.lstrip(), count=1)
    return task[:1].upper() + task[1:] if task else text


def planned(heading: str, lines: list[str]) -> tuple[list[dict], list[str]]:
    """A resolution section's future work as action items, and the lines left for the resolution: what was
    done stays ('We rolled back …'), what is promised or asked for goes ('We will add …', 'Add alerting on …')."""
    if table_rows(lines):
        return [], lines
    found, _ = items_of(lines)
    kept, future = list(lines), []
    for item in found:
        text = re.sub(r"^(?:\[[ xX]\]\s*)?", "", clean(BULLET_RE.sub(r"\1", item.first)).lstrip())
        first = text.split(" ", 1)[0].lower().strip(",")  # "Update:" is a label, not a verb
        two = " ".join(text.lower().split()[:2])
        if not (FUTURE_RE.match(text) or first in IMPERATIVE or two in IMPERATIVE) or text.rstrip().endswith(":"):
            continue  # "We are taking the following steps:" introduces the items
        for line in (item.first, *item.rest):
            kept.remove(line)
        if BULLET_RE.match(item.first):
            future.extend(["- " + as_task(BULLET_RE.sub(r"\1", item.first)), *item.rest])
        else:  # a paragraph is one item, however it is wrapped
            future.append("- " + as_task(" ".join(ln.strip() for ln in (item.first, *item.rest))))
    if not future:
        return [], lines
    found, _ = actions(heading, future)
    return found, kept


# A paragraph of prose that says what is being done about it: "We have taken several actions to prevent …".
PREVENTING_RE = re.compile(r"\b(?:prevent|recurrence|recur|avoid|happen(?:ing)? again)", re.IGNORECASE)
ANNOUNCE_RE = re.compile(r"\b(?:several|following|some|these|a number of)\s+(?:actions|steps|measures|changes)\b",
                         re.IGNORECASE)
# "We have disabled …", "We've since added …": done already.
DONE_PROSE_RE = re.compile(r"^we(?:'ve| have)(?: also| since| now| already)*\s+(?=\w+ed\b)", re.IGNORECASE)
# A paragraph that opens on a commitment says what is being done about it too: "We have since added …".
COMMITS_RE = re.compile(r"^we(?:'ve| have) since \w+ed\b|^we(?: will|'ll| are going to| plan to)\b|^we(?:'re| are) "
                        r"(?:also |now )?(?:adding|improving|building|introducing|implementing|investing|updating|"
                        r"reviewing|auditing|changing|working on)\b", re.IGNORECASE)
LEAD_CLAUSE_RE = re.compile(r"^(?:to [^,]{3,80},|in addition,|additionally,|finally,|also,)\s*", re.IGNORECASE)


def promised(paragraphs: list[str]) -> list[dict]:
    """Action items out of prose that says what is being done so it does not happen again: each sentence of
    such a paragraph that promises work ('We will …', 'We are adding …') or tells it done ('We have disabled …')."""
    found = []
    for paragraph in paragraphs:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(paragraph.split()))
        if not (PREVENTING_RE.search(sentences[0]) or COMMITS_RE.match(sentences[0])):
            continue
        for sentence in sentences:
            said = LEAD_CLAUSE_RE.sub("", sentence)
            done = DONE_PROSE_RE.match(said)
            if ANNOUNCE_RE.search(sentence) or not (done or FUTURE_RE.match(said)):
                continue
            title = said[done.end():] if done else as_task(said)
            title = title[:1].upper() + title[1:]
            found.append({"title": title[:500], "kind": _kind(title), "status": "done" if done else "open"})
    return found


def _completed(item: dict, said: str) -> None:
    """The day an item was done: a full date as completed_on; a day without its year ('completed March 6') kept
    as completed_said, for the incident's year to date it."""
    day = tl.find_date(said)
    if day:
        item["completed_on"] = day.isoformat()
    elif tl.MONTH_DATE_RE.search(said):
        item["completed_said"] = said.strip(" ()[]-–—")


def _status_word(text: str) -> str | None:
    """The action-item status a word names: Done, In progress, Won't do, To do (after any emoji: '✅ Done')."""
    text = re.sub(r"^\W+", "", text)
    return next((status for status, words in STATUS_WORDS if re.match(rf"(?:{words})\b", text, re.IGNORECASE)), None)


def _priority(text: str) -> str | None:
    """p0 … p3 from 'P1', 'High' or 'Low'."""
    written = re.match(r"\s*p([0-4])\b", text, re.IGNORECASE)
    return f"p{min(int(written[1]), 3)}" if written else PRIORITY_WORDS.get(clean(text).lower())


def _row(row: dict[str, str], cells: list[str]) -> dict:
    """One action-item table row; empty rows give nothing."""
    row = {clean(k): v for k, v in row.items()}
    title = next((clean(v) for k, v in row.items() if re.search(r"action|item|task|what|descr|title", k)),
                 clean(cells[0]))
    if not title:
        return {}
    item = {"title": title[:500]}
    column = {name: next((clean(v) for k, v in row.items() if re.search(pattern, k)), "")
              for name, pattern in COLUMNS}
    status = _status_word(column["status"]) if column["status"] else None
    if status:
        item["status"] = status
        if status == "done":
            _completed(item, column["completed"]) if column["completed"] else _completed(item, column["status"])
    if _priority(column["priority"]):
        item["priority"] = _priority(column["priority"])
    if tl.find_date(column["due"]):
        item["due_on"] = tl.find_date(column["due"]).isoformat()
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


def listed_lessons(lines: list[str]) -> tuple[list[str], str]:
    """A lessons section's list items, and the prose around a list ('Thank you for bearing with us'), which
    is no lesson; a section without a list is its paragraphs."""
    found, prose = items_of(lines)
    listed = [text for text in map(text_of, found) if text]
    return (listed, "\n\n".join(p for p in prose if p)) if listed else (lessons(lines), "")


def factors(lines: list[str]) -> list[dict]:
    """Contributing factors, each with the root-cause category its words suggest (else unknown)."""
    result = []
    for text in lessons(lines):
        lowered = text.lower()
        category = next((c for c, words in FACTOR_WORDS if any(w in lowered for w in words)), "unknown")
        result.append({"category": category, "description": text[:2000]})
    return result


def learned(lines: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """A flat 'Lessons learned' list sorted into went_well, got_lucky and (else) went_wrong; and the prose around it."""
    found, prose = items_of(lines)
    sorted_ = [(_lesson_kind(text), text) for text in map(text_of, found) if text]
    return sorted_, [p for p in prose if p]


def _lesson_kind(text: str) -> str:
    """Which kind of lesson a sentence is, by its words."""
    lowered = text.lower()
    if re.search(r"\b(lucky|luckily|fortunate(ly)?)\b", lowered):
        return "got_lucky"
    if re.search(r"went well|worked (?:exactly |just )?(well|as (intended|designed|expected))|\bhelped\b|\bquickly\b|\bwas (?:quick|fast)\b|kept the .* short",
                 lowered):
        return "went_well"
    return "went_wrong"


def asks_why(lines: list[str]) -> bool:
    """Whether a section is written as five whys ('Why did jobs not run? Because …'), whatever its heading."""
    return sum(bool(re.match(r"\s*(?:(?:[-*+]|\d+[.)])\s+)?(?:\*\*)?why\b[^?]*\?", ln, re.IGNORECASE))
               for ln in lines) >= 3


def whys(lines: list[str]) -> list[dict]:
    """Five whys written as 'Why …? Because …' items; a question paragraph takes the answer paragraph after it."""
    texts: list[str] = []
    for text in lessons(lines):
        if texts and texts[-1].endswith("?") and "?" not in text:
            texts[-1] += " " + text
        else:
            texts.append(text)
    result = []
    for text in texts:
        question, mark, answer = text.partition("?")
        result.append({"question": (question + mark).strip(), "answer": answer.strip()} if mark
                      else {"question": "Why?", "answer": text})
    return result
