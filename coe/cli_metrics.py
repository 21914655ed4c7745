"""`coe metrics` and `coe volume …`: the trend metrics, and the change volumes they divide by."""

import json
from pathlib import Path
from typing import Annotated

import typer

from coe.cli_support import actor, app, command, day_option, engine
from coe.db import reading, writing
from coe.errors import CoeError, ValidationFailed

volume_app = typer.Typer(help="Change volumes per team and month: the denominator of change failure rates.",
                         no_args_is_help=True)



@command("metrics")
def metrics_(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD, UTC) of the window; "
                                                   "default: the first incident's day.", show_default=False)] = None,
    until: Annotated[str | None, typer.Option(help="Last day of the window, included; default: --as-of.",
                                              show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day against which overdue actions are judged; "
                                              "default: today (UTC).", show_default=False)] = None,
    team: Annotated[list[str] | None, typer.Option(help="Only this team (repeatable).", show_default=False)] = None,
    service: Annotated[list[str] | None, typer.Option(help="Only incidents affecting this service (repeatable).",
                                                      show_default=False)] = None,
    severity: Annotated[list[str] | None, typer.Option(help="Only this severity, e.g. sev1 (repeatable).",
                                                       show_default=False)] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only this kind: incident, near_miss (repeatable).",
                                                   show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON object of DOMAIN.md instead of a table.")]
    = False,
) -> None:
    """Trend metrics of a window: durations, the AI-attributable range, control gaps, follow-through, CFR.

    Example: coe metrics --since 2025-01-01 --until 2025-12-31 --as-of 2026-01-31 --json
    """
    # Imported here: the metrics load pandas, which would slow the start of every other command.
    from coe import metrics
    from coe.metrics.text import metrics_text

    start, end, day = day_option(since, "--since"), day_option(until, "--until"), day_option(as_of, "--as-of")
    if start and end and end < start:
        raise typer.BadParameter(f"{until} is before --since {since}", param_hint="--until")
    with reading(engine(ctx)) as session:
        result = metrics.window(session, since=start, until=end, as_of=day, teams=team or (),
                                services=service or (), severities=severity or (), kinds=kind or ())
    typer.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else metrics_text(result))


@command("import", on=volume_app)
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV with columns month,team,changes_total,changes_ai_generated.",
                                         show_default=False)],
) -> None:
    """Import change volumes from a CSV; a month and team already present is replaced; all or nothing.

    Example: coe volume import volumes.csv
    """
    # Imported here: it loads pandas
    from coe import volumes

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CoeError(f"cannot read {path}: {exc.strerror if isinstance(exc, OSError) else 'not UTF-8 text'}") \
            from None
    try:
        rows = volumes.parse_csv(text)
    except ValidationFailed as exc:
        exc.path = str(path)  # type: ignore[attr-defined]
        raise
    with writing(engine(ctx)) as session:
        count = volumes.import_volumes(session, rows=rows, actor=actor(ctx), source=path.name)
    typer.echo(f"imported {count} change-volume row{'s' if count != 1 else ''} from {path}")


@command("list", on=volume_app)
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List change volumes by month and team.

    Example: coe volume list
    """
    # Imported here: it loads pandas
    from coe import volumes

    with reading(engine(ctx)) as session:
        table = volumes.list_volumes(session)
    if as_json:
        typer.echo(json.dumps(table.to_dict(orient="records"), indent=2))
    elif table.empty:
        typer.echo("no change volumes yet (add them with `coe volume import FILE.csv`)")
    else:
        typer.echo(table.to_string(index=False))


app.add_typer(volume_app, name="volume")
