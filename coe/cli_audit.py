"""`coe audit …`: check and export the audit trail."""

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from coe import verify as audit_check
from coe.cli_support import command, engine
from coe.db import reading

app = typer.Typer(
    help="Check and export the tamper-evident audit trail.\n\nExample: coe audit verify",
    no_args_is_help=True,
)


@command("verify", on=app)
def verify(ctx: typer.Context) -> None:
    """Check the hash chain and that every COE still matches its last audited state.

    Example: coe audit verify
    """
    with reading(engine(ctx)) as session:
        report = audit_check.verify(session)
    typer.echo(report.sentence())


@command("export", on=app)
def export(
    ctx: typer.Context,
    since: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], show_default=False,
                                            help="First UTC day (YYYY-MM-DD) of the events, included.")],
    until: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], show_default=False,
                                            help="Last UTC day (YYYY-MM-DD) of the events, included.")],
    output: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
) -> None:
    """Export the audit events of a window as coe-audit/v1 JSON for an auditor.

    Example: coe audit export --since 2026-01-01 --until 2026-03-31 --output audit-q1.json
    """
    first, last = since.date(), until.date()
    if first > last:
        raise typer.BadParameter(f"{first} is after --until {last}", param_hint="--since")
    with reading(engine(ctx)) as session:
        events = audit_check.export_events(session, since=first, until=last)
        if output is None:
            audit_check.write_export(events, sys.stdout, since=first, until=last)
            return
        partial = output.with_name(f".{output.name}.partial")
        # Written beside the target and renamed: an interrupted export never leaves half a file.
        try:
            with partial.open("w", encoding="utf-8") as out:
                count = audit_check.write_export(events, out, since=first, until=last)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    typer.echo(f"exported {count} audit events to {output}", err=True)
