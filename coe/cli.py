"""The `coe` command: a thin shell over the library; each command calls one service."""

import ipaddress
import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from coe import cli_audit, cli_users, interchange, migrate, services, users
from coe.cli_support import actor, app, command, day_option, engine
from coe.config import Settings
from coe.db import reading, writing
from coe.enums import Involvement, Kind, Severity, Status
from coe.errors import CoeError
from coe.render import incident_table, incident_text


class ExportFormat(StrEnum):
    """Formats `coe export` writes."""

    json = "json"
    csv = "csv"


@app.callback()
def options(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option("--database", help="Database URL (default: $COE_DATABASE_URL, else sqlite:///coe.db)."),
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as this user (default: $COE_USER, else the OS user).")
    ] = None,
) -> None:
    """Choose the database and the acting user for every command."""
    try:
        ctx.obj = Settings.from_env(database, as_user)
    except CoeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


@command()
def init(ctx: typer.Context) -> None:
    """Create the database, or upgrade it to the newest schema. Safe to run again.

    Example: coe init
    """
    db = engine(ctx, ready=False)
    migrate.upgrade(db)
    with writing(db) as session:
        made_admin = users.ensure_first_admin(session, name=actor(ctx))
    typer.echo(f"database ready: {db.url.render_as_string()}")
    if made_admin:
        typer.echo(f"{actor(ctx)} is its first user, with the admin role")


@command("demo")
def demo_(
    ctx: typer.Context,
    incidents: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many incidents.")] = 500,
    seed: Annotated[int, typer.Option(help="Same seed, same history.")] = 7,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if the database holds incidents.")] = False,
) -> None:
    """Fill the database with a realistic synthetic two-year history and its teams' monthly change volumes.

    Example: coe demo --incidents 500 --seed 7
    """
    # Imported here: it loads pandas, which every other command can do without
    from coe import demo

    db = engine(ctx)
    with reading(db) as session:
        if if_empty and services.count_incidents(session):
            typer.echo("the database already holds incidents; no demo data added")
            return
    started = time.perf_counter()
    with writing(db) as session:
        keys = demo.fill(session, incidents=incidents, seed=seed, actor=actor(ctx))
    typer.echo(f"added {len(keys)} demo incidents in {time.perf_counter() - started:.1f} s")



@command()
def export(
    ctx: typer.Context,
    format: Annotated[ExportFormat, typer.Option("--format", help="json (lossless) or csv (one row per incident).")] = ExportFormat.json,
    output: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
) -> None:
    """Export every COE, oldest first.

    Example: coe export --format json --output all.json
    """
    db = engine(ctx)
    write = interchange.write_json if format == ExportFormat.json else interchange.write_csv
    with reading(db) as session:
        incidents = services.iter_incidents(session)
        if output is None:
            write(incidents, sys.stdout)
            return
        partial = output.with_name(f".{output.name}.partial")
        # Written beside the target and renamed: a failed export never leaves half a file.
        with partial.open("w", encoding="utf-8-sig" if format == ExportFormat.csv else "utf-8", newline="") as out:
            count = write(incidents, out)
        partial.replace(output)
    typer.echo(f"exported {count} incidents to {output}", err=True)


@command("list")
def list_(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD) of started_at, UTC.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD) of started_at, UTC.")] = None,
    team: Annotated[list[str] | None, typer.Option(help="Owning team (repeatable).")] = None,
    service: Annotated[list[str] | None, typer.Option(help="Affected service (repeatable).")] = None,
    severity: Annotated[list[Severity] | None, typer.Option(help="Severity (repeatable).")] = None,
    kind: Annotated[list[Kind] | None, typer.Option(help="incident, near_miss or drill (repeatable).")] = None,
    status: Annotated[list[Status] | None, typer.Option(help="Workflow status (repeatable).")] = None,
    ai: Annotated[list[Involvement] | None, typer.Option(help="AI involvement (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many, newest first.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List COEs, newest first, optionally filtered.

    Example: coe list --since 2025-01-01 --severity sev1 --severity sev2 --ai confirmed
    """
    filters = services.IncidentFilter(
        since=day_option(since, "--since"), until=day_option(until, "--until"), teams=team or (), services=service or (),
        severities=severity or (), kinds=kind or (), statuses=status or (), ai_involvement=ai or (), limit=limit,
    )
    with reading(engine(ctx)) as session:
        rows = services.list_incidents(session, filters=filters)
    typer.echo(incident_table(rows, as_json=as_json))



@command()
def show(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The COE key, e.g. COE-2025-0001.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the coe/v1 incident object.")] = False,
) -> None:
    """Show one COE in full.

    Example: coe show COE-2025-0001 --json
    """
    with reading(engine(ctx)) as session:
        doc = services.get_incident(session, key=key)
    typer.echo(interchange.incident_json(doc) if as_json else incident_text(doc))


@command("app")
def app_(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to bind (127.0.0.1 keeps it local).")] = "127.0.0.1",
) -> None:
    """Start the web application (Streamlit) on the chosen database.

    Example: coe app --port 8501
    """
    settings: Settings = ctx.obj
    if settings.auth == "header" and not _loopback(address):
        raise CoeError(f"COE_AUTH=header trusts the {settings.auth_header} header, so the app must be reachable "
                       f"only through the proxy: bind to 127.0.0.1, not {address}")
    engine(ctx)
    env = os.environ | {"COE_DATABASE_URL": settings.database_url, "COE_USER": settings.user}
    script = settings.dashboards_dir / "app.py"
    argv = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
            "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "minimal"]
    typer.echo(f"serving on http://{address}:{port}  (Ctrl-C stops it)", err=True)
    # Become the server, so that Ctrl-C or a supervisor's SIGTERM reaches it and no orphan is left behind.
    os.execve(sys.executable, argv, env)



def _loopback(address: str) -> bool:
    """Whether an address to bind is reachable only from this machine."""
    try:
        return address == "localhost" or ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _zone(name: str | None) -> str | None:
    """A known IANA zone name, or a usage error."""
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(f"{name!r} is not a time zone like UTC or Europe/Berlin", param_hint="--timezone") from None
    return name


def _span(keys: list[str]) -> str:
    """'COE-2025-0001' or 'COE-2025-0001 … COE-2025-0042'."""
    return keys[0] if len(keys) == 1 else f"{keys[0]} … {keys[-1]}"


# Registered after the commands above, in this order, which is the order of `coe --help`.
# isort: off
from coe import cli_workflow  # noqa: F401
from coe import cli_search  # noqa: F401  (search and similar)
from coe import cli_reports  # noqa: F401  (PDF reports)
from coe import cli_import  # noqa: F401  (import of every format)
from coe import cli_metrics  # noqa: F401  (metrics and change volumes)
# isort: on

app.add_typer(cli_audit.app, name="audit")
app.add_typer(cli_users.app, name="user")


def main() -> None:
    """Console entry point."""
    app()
