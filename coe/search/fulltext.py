"""`search()`: ranked incidents with highlighted snippets, the same on SQLite and PostgreSQL."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, text
from sqlmodel import Session

from coe import models
from coe.search.index import FTS_TABLE, PG_TABLE, WEIGHTS
from coe.search.query import Query, Term, parse

INCIDENT: Any = models.Incident.__table__
SERVICE: Any = models.IncidentService.__table__
MARK = "**"  # snippets highlight matches as Markdown bold: readable in a terminal, bold in the app
# Characters Markdown acts on; user text (a snippet, a title) is escaped so that it shows as written.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def markdown_text(value: str) -> str:
    """User text made literal in Markdown: every character Markdown would act on is escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def snippet_markdown(snippet: str) -> str:
    """A snippet as Markdown: its text literal, the matches between its `**` marks in bold."""
    return MARK.join(markdown_text(part) for part in snippet.split(MARK))


def snippet_text(snippet: str) -> str:
    """A snippet as plain text, without its highlight marks (for table cells)."""
    return snippet.replace(MARK, "")


@dataclass(frozen=True)
class Hit:
    """One incident found, best first."""

    key: str
    title: str
    rank: float
    snippet: str
    status: str
    severity: str
    team: str
    started_at: datetime


def search(session: Session, *, query: str, limit: int = 20) -> list[Hit]:
    """Incidents matching a query, most relevant first (newest first when only filters are given)."""
    parsed = parse(query)
    ids = select(INCIDENT.c.id).where(*filter_conditions(parsed))
    if not parsed.terms:
        rows = session.execute(
            select(*_hit_columns()).where(INCIDENT.c.id.in_(ids)).order_by(INCIDENT.c.started_at.desc()).limit(limit)
        ).mappings()
        return [Hit(**r, rank=0.0, snippet=r["title"]) for r in rows]
    if session.get_bind().dialect.name == "sqlite":
        found = _sqlite(session, parsed, limit)
    else:
        found = _postgres(session, parsed, limit)
    if parsed.filters:
        allowed = set(session.execute(ids.where(INCIDENT.c.id.in_([i for i, _, _ in found]))).scalars())
        found = [f for f in found if f[0] in allowed]
    return _hits(session, found[:limit])


def filter_conditions(parsed: Query) -> list[Any]:
    """SQL conditions on the incident table for `service:`, `team:`, `severity:` and `ai:` filters."""
    c, out = INCIDENT.c, []
    for name, values in parsed.filters.items():
        lowered = [v.lower() for v in values]
        if name == "service":
            out.append(exists().where(and_(SERVICE.c.incident_id == c.id, func.lower(SERVICE.c.name).in_(lowered))))
        elif name == "team":
            out.append(func.lower(c.team).in_(lowered))
        elif name == "severity":
            out.append(func.lower(c.severity).in_(lowered))
        else:  # ai: an involvement (confirmed, suspected, none, unknown) or a tool's name
            out.append(or_(c.ai_involvement.in_(lowered), func.lower(c.ai_tool).in_(lowered)))
    return out


def fts5_expression(terms: list[Term], joiner: str = " ") -> str:
    """An FTS5 MATCH expression of quoted strings: no operator or column name of the user's reaches FTS5."""
    return joiner.join('"' + " ".join(t.words) + '"' + ("*" if t.prefix else "") for t in terms)


def _sqlite(session: Session, parsed: Query, limit: int) -> list[tuple[int, float, str]]:
    """(id, rank, snippet) from FTS5: incidents with every term in the title first, then by weighted bm25.

    FTS5's bm25 saturates (k1 = 1.2), so column weights alone let a short text that repeats a word outrank
    the incident whose title names it; the rank is 1 + bm25/(1 + bm25) for a title match, bm25/(1 + bm25) else.
    """
    weights = ", ".join(str(w) for w in WEIGHTS)
    expression = fts5_expression(parsed.terms)
    rows = session.execute(
        text(f"SELECT rowid, rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :in_title)"
             f" + -bm25({FTS_TABLE}, {weights}) / (1 - bm25({FTS_TABLE}, {weights})) AS rank, "
             f"snippet({FTS_TABLE}, -1, '{MARK}', '{MARK}', '…', 16) "
             f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match ORDER BY rank DESC LIMIT :limit"),
        {"match": expression, "in_title": f"title : ({expression})",
         "limit": limit * 50 if parsed.filters else limit},
    )
    return [(i, r, s) for i, r, s in rows]


def pg_tsquery(terms: list[Term], joiner: str = " && ") -> tuple[str, dict[str, str]]:
    """A tsquery built from bound parameters: phrases through phraseto_tsquery, words as plain lexemes."""
    parts, params = [], {}
    for n, term in enumerate(terms):
        if term.prefix:  # the word is \w+ only, so `word:*` is a well-formed tsquery
            parts.append(f"to_tsquery('english', :t{n})")
            params[f"t{n}"] = f"{term.words[0]}:*"
        else:
            parts.append(f"phraseto_tsquery('english', :t{n})")
            params[f"t{n}"] = " ".join(term.words)
    return "(" + joiner.join(parts) + ")", params


def _postgres(session: Session, parsed: Query, limit: int) -> list[tuple[int, float, str]]:
    """(id, rank, snippet) from the tsvector index, ts_rank with weights, ts_headline on the best few only."""
    tsquery, params = pg_tsquery(parsed.terms)
    rows = session.execute(
        text(f"WITH q AS (SELECT {tsquery} AS q), best AS ("
             f"  SELECT s.incident_id, s.title, s.cause, s.detail,"
             f"         ts_rank('{{{WEIGHTS[2] / 10}, 0.1, {WEIGHTS[1] / 10}, {WEIGHTS[0] / 10}}}', s.document, q.q) AS rank"
             f"  FROM {PG_TABLE} s, q WHERE s.document @@ q.q ORDER BY rank DESC LIMIT :limit) "
             f"SELECT incident_id, rank, ts_headline('english', title || ' — ' || cause || ' ' || detail, q.q,"
             f"  'StartSel={MARK}, StopSel={MARK}, MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=…')"
             f" FROM best, q ORDER BY rank DESC"),
        params | {"limit": limit * 50 if parsed.filters else limit},
    )
    return [(i, float(r), s) for i, r, s in rows]


def _hit_columns() -> list[Any]:
    """The incident columns a hit shows."""
    c = INCIDENT.c
    return [c.key, c.title, c.status, c.severity, c.team, c.started_at]


def _hits(session: Session, found: list[tuple[int, float, str]]) -> list[Hit]:
    """Hits in the order found, with the incident's own columns."""
    rows = {r["id"]: r for r in session.execute(
        select(INCIDENT.c.id, *_hit_columns()).where(INCIDENT.c.id.in_([i for i, _, _ in found]))).mappings()}
    return [Hit(**{k: v for k, v in rows[i].items() if k != "id"}, rank=round(rank, 4), snippet=snippet.replace("\n", " "))
            for i, rank, snippet in found if i in rows]
