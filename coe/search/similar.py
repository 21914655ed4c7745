"""Earlier incidents like a COE or a draft: full-text candidates, scored by text (rapidfuzz) and shared fields."""

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import bindparam, select, text
from sqlmodel import Session

from coe import models, store
from coe.enums import ActionStatus
from coe.errors import NotFound
from coe.search.fulltext import INCIDENT, SERVICE, fts5_expression
from coe.search.index import FTS_TABLE, PG_TABLE, WEIGHTS
from coe.search.query import STOP_WORDS, Term

ACTION: Any = models.ActionItem.__table__
CANDIDATES = 100
SAMPLE_PERCENT = 1  # of the PostgreSQL index's pages read to tell common words from rare ones
RANK_BUDGET = 200  # sampled incidents the rare words may match together: about 20,000 incidents ranked
_WORD = re.compile(r"[^\W\d_]{4,}")
_VAGUE = """also could would incident issue problem caused cause"""  # words every COE uses
_COMMON = STOP_WORDS | frozenset(_VAGUE.split())
SHOWN_WORDS = 6  # words in common listed in a reason
UNFINISHED = (ActionStatus.open.value, ActionStatus.in_progress.value)


@dataclass
class Match:
    """An earlier incident like the one at hand, why, and its action items not done."""

    key: str
    title: str
    started_at: datetime
    score: float
    text_similarity: float
    reasons: list[str]
    open_actions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unfinished_fix(self) -> bool:
        """Repeat with an unfinished fix: the earlier incident still has action items open or in progress."""
        return bool(self.open_actions)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self) | {"started_at": self.started_at.isoformat(), "unfinished_fix": self.unfinished_fix}


def similar(session: Session, *, key: str, limit: int = 5) -> list[Match]:
    """The earlier incidents most like a stored COE."""
    ids = store.incident_ids(session, [key])
    if key not in ids:
        raise NotFound(f"no incident with key {key}")
    [doc] = store.load_incidents(session, [ids[key]])
    return similar_to_draft(session, draft=doc.model_dump(mode="json"), limit=limit)


def similar_to_draft(session: Session, *, draft: dict[str, Any], limit: int = 5) -> list[Match]:
    """The earlier incidents most like a COE being written (a coe/v1-shaped dict, possibly incomplete)."""
    words = _keywords(draft)
    if not words:
        return []
    before = _started(draft)
    candidates = _candidates(session, words, before, draft.get("key"))
    if not candidates:
        return []
    rows = {r["id"]: r for r in session.execute(
        select(INCIDENT.c.id, INCIDENT.c.key, INCIDENT.c.title, INCIDENT.c.started_at, INCIDENT.c.root_cause_category,
               INCIDENT.c.ai_tool, INCIDENT.c.ai_destructive_actions)
        .where(INCIDENT.c.id.in_(list(candidates)))).mappings()}
    services: dict[int, set[str]] = {}
    for incident_id, name in session.execute(
            select(SERVICE.c.incident_id, SERVICE.c.name).where(SERVICE.c.incident_id.in_(list(candidates)))):
        services.setdefault(incident_id, set()).add(name)
    mine = _distinct(_draft_text(draft))
    matches = [_match(draft, rows[i], services.get(i, set()), mine, body) for i, body in candidates.items() if i in rows]
    matches.sort(key=lambda m: m.score, reverse=True)
    best = matches[:limit]
    _attach_open_actions(session, best, {rows[i]["key"]: i for i in rows})
    return best


def _keywords(draft: dict[str, Any]) -> list[str]:
    """The draft's most frequent distinctive words: title words count double."""
    title = (draft.get("title") or "").lower()
    body = " ".join(str(draft.get(k) or "") for k in ("summary", "trigger", "root_cause")).lower()
    counts = Counter(w for w in _WORD.findall(f"{title} {title} {body}") if w not in _COMMON)
    return [w for w, _ in counts.most_common(8)]


def _started(draft: dict[str, Any]) -> datetime:
    """When the draft's incident started (now if not given yet): only incidents before it count."""
    value = draft.get("started_at")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _candidates(session: Session, words: list[str], before: datetime, key: str | None) -> dict[int, str]:
    """Earlier incidents sharing words with the draft, best first by the index's own ranking: id → their text."""
    if session.get_bind().dialect.name != "sqlite":
        return _pg_candidates(session, words, before, key or "")
    at = bindparam("at", type_=INCIDENT.c.started_at.type)
    weights = ", ".join(str(w) for w in WEIGHTS)
    query = text(
        f"SELECT f.rowid, f.title || ' ' || f.cause FROM {FTS_TABLE} f JOIN incident i ON i.id = f.rowid "
        f"WHERE {FTS_TABLE} MATCH :match AND i.started_at < :at AND i.key != :own "
        f"ORDER BY bm25({FTS_TABLE}, {weights}) LIMIT {CANDIDATES}").bindparams(at)
    terms = [Term((w,)) for w in words]
    rows = session.execute(query, {"match": fts5_expression(terms, " OR "), "at": before, "own": key or ""})
    return {i: body for i, body in rows}


def _pg_candidates(session: Session, words: list[str], before: datetime, own: str) -> dict[int, str]:
    """Candidates from PostgreSQL: incidents with the draft's rarer words, ranked by ts_rank on all its words.

    ts_rank reads each matching row, and an OR of common words matches a third of a large history; the
    rarer words find the incidents most like the draft, so only those are ranked, then the earlier ones kept.
    """
    at = bindparam("at", type_=INCIDENT.c.started_at.type)
    rare = _rare_words(session, words)
    query = text(
        f"WITH q AS (SELECT {_any_of(rare, 'm')} AS m, {_any_of(words, 'w')} AS r), "
        f"ranked AS MATERIALIZED (SELECT s.incident_id, ts_rank(s.document, q.r) AS rank "
        f"  FROM {PG_TABLE} s, q WHERE s.document @@ q.m ORDER BY rank DESC), "
        # Best first, each looked up until enough are earlier: a join is planned as a hash of every incident.
        f"best AS (SELECT r.incident_id, r.rank FROM ranked r WHERE (SELECT i.started_at < :at AND i.key != :own "
        f"  FROM incident i WHERE i.id = r.incident_id) LIMIT {CANDIDATES}) "
        f"SELECT s.incident_id, s.title || ' ' || s.cause FROM best JOIN {PG_TABLE} s USING (incident_id) "
        f"ORDER BY best.rank DESC").bindparams(at)
    params = {f"m{n}": w for n, w in enumerate(rare)} | {f"w{n}": w for n, w in enumerate(words)}
    return {i: body for i, body in session.execute(query, params | {"at": before, "own": own})}


def _rare_words(session: Session, words: list[str]) -> list[str]:
    """The draft's words least common in the PostgreSQL index, within the ranking budget."""
    # A page sample estimates how many incidents have each word: exact counts would read every match.
    counts = session.execute(text(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE document @@ plainto_tsquery('english', :w{n}))"
                              for n in range(len(words)))
        + f" FROM {PG_TABLE} TABLESAMPLE SYSTEM ({SAMPLE_PERCENT}) REPEATABLE (0)"),
        {f"w{n}": w for n, w in enumerate(words)}).one()
    return within_budget(words, list(counts))


def within_budget(words: list[str], counts: list[int]) -> list[str]:
    """The words least common first, as many as match at most RANK_BUDGET sampled incidents together (at least one)."""
    rare, total = [], 0
    for count, word in sorted(zip(counts, words, strict=True), key=lambda pair: pair[0]):
        if rare and total + count > RANK_BUDGET:
            break
        rare.append(word)
        total += count
    return rare


def _any_of(words: list[str], prefix: str) -> str:
    """A tsquery matching any of the words, bound as parameters `prefix`0, `prefix`1, …"""
    return "(" + " || ".join(f"plainto_tsquery('english', :{prefix}{n})" for n in range(len(words))) + ")"


def _draft_text(draft: dict[str, Any]) -> str:
    """The text compared: title, summary, trigger and root cause."""
    return " ".join(str(draft.get(k) or "") for k in ("title", "summary", "trigger", "root_cause", "resolution"))


def _distinct(text: str) -> list[str]:
    """The words of a text that say something, most frequent first."""
    # Without dropping common and short words, any two long texts look alike to token_set_ratio.
    return [w for w, _ in Counter(w for w in _WORD.findall(text.lower()) if w not in _COMMON).most_common()]


def _match(draft: dict[str, Any], row: Any, services: set[str], mine: list[str], body: str) -> Match:
    """Score one candidate: text similarity and words in common, plus the structured fields it shares, each a reason."""
    theirs = _distinct(body)
    similarity = fuzz.token_set_ratio(" ".join(mine), " ".join(theirs)) / 100
    reasons, score = [f"text similarity {similarity:.2f}"], 0.6 * similarity
    known = set(theirs)
    common = [w for w in mine if w in known]
    if common:
        reasons.append(f"words in common: {', '.join(common[:SHOWN_WORDS])}")
        score += 0.2 * min(1.0, len(common) / 8)
    shared = sorted(services & set(draft.get("services") or []))
    if shared:
        reasons.append(f"shared services: {', '.join(shared)}")
        score += 0.15
    category = draft.get("root_cause_category")
    if category and category == row["root_cause_category"]:
        reasons.append(f"same root-cause category: {category}")
        score += 0.1
    ai = draft.get("ai") or {}
    if ai.get("tool") and ai["tool"] == row["ai_tool"]:
        reasons.append(f"same AI tool: {row['ai_tool']}")
        score += 0.1
    destructive = sorted(set(ai.get("destructive_actions") or []) & set(row["ai_destructive_actions"] or []))
    if destructive:
        reasons.append(f"same destructive actions: {', '.join(destructive)}")
        score += 0.05
    return Match(key=row["key"], title=row["title"], started_at=row["started_at"], score=round(score, 3),
                 text_similarity=round(similarity, 3), reasons=reasons)


def _attach_open_actions(session: Session, matches: list[Match], ids: dict[str, int]) -> None:
    """Give each match its action items that are still open or in progress."""
    wanted = [ids[m.key] for m in matches]
    items: dict[int, list[dict[str, Any]]] = {}
    for row in session.execute(
            select(ACTION.c.incident_id, ACTION.c.title, ACTION.c.status, ACTION.c.owner, ACTION.c.due_on)
            .where(ACTION.c.incident_id.in_(wanted), ACTION.c.status.in_(UNFINISHED))
            .order_by(ACTION.c.incident_id, ACTION.c.position)).mappings():
        items.setdefault(row["incident_id"], []).append(
            {"title": row["title"], "status": row["status"], "owner": row["owner"],
             "due_on": row["due_on"].isoformat() if row["due_on"] else None})
    for m in matches:
        m.open_actions = items.get(ids[m.key], [])
