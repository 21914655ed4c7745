"""Search commands: full-text search and similar earlier incidents."""

import json
from typing import Annotated

import typer

from coe.cli_support import command, engine
from coe.db import reading

Limit = Annotated[int, typer.Option(min=1, max=500, help="At most this many results.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words, "a phrase", prefix*, and service:, team:, severity:, ai: filters.',
                                         show_default=False)],
    limit: Limit = 20,
    as_json: Json = False,
) -> None:
    """Full-text search over every COE, best match first, with the matching text highlighted.

    Example: coe search '"connection pool" service:payments severity:sev1'
    """
    # Imported here: only the search commands need the search engine
    from coe.search import fulltext

    with reading(engine(ctx)) as session:
        hits = fulltext.search(session, query=query, limit=limit)
    if as_json:
        typer.echo(json.dumps([h.__dict__ | {"started_at": h.started_at.isoformat()} for h in hits], indent=2))
        return
    if not hits:
        typer.echo("no incident matches")
    for hit in hits:
        typer.echo(f"{hit.key}  {hit.severity}  {hit.status:<9} {hit.title}")
        typer.echo(f"    {hit.snippet}")


@command()
def similar(ctx: typer.Context, key: Annotated[str, typer.Argument(help="The COE key.", show_default=False)],
            limit: Limit = 5, as_json: Json = False) -> None:
    """Earlier incidents most like this COE, why they match, and whether their fixes are still unfinished.

    Example: coe similar COE-2025-0042
    """
    # Imported here: it loads rapidfuzz
    from coe.search import similar as similarity

    with reading(engine(ctx)) as session:
        matches = similarity.similar(session, key=key, limit=limit)
    if as_json:
        typer.echo(json.dumps([m.as_json() for m in matches], indent=2))
        return
    if not matches:
        typer.echo(f"no earlier incident is like {key}")
    for m in matches:
        flag = "  REPEAT WITH AN UNFINISHED FIX" if m.unfinished_fix else ""
        typer.echo(f"{m.key}  {m.score:.2f}  {m.title}{flag}")
        typer.echo(f"    because: {'; '.join(m.reasons)}")
        for item in m.open_actions:
            typer.echo(f"    not done: {item['title']} ({item['status']}, {item['owner'] or 'no owner'})")
