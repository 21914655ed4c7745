"""`coe import`: files of any supported format in, all-or-nothing, with a dry run."""

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from coe import import_pipeline, importers, interchange, services, store
from coe.cli import _span, _zone
from coe.cli_support import actor, command, engine
from coe.db import reading, writing
from coe.errors import Problem, ValidationFailed
from coe.importers import spreadsheet

PROGRESS_ENV = "COE_PROGRESS"  # 1: always draw the progress bar, 0: never; unset: only when stderr is a terminal
FORMAT_HELP = ("auto (by extension and content), json (coe/v1), markdown, statuspage (Statuspage API JSON or JSONL), "
               "csv, agent-postmortem (agent post-mortem YAML records or their JSON export) or aiid (an AI Incident "
               "Database snapshot folder or its incidents.csv).")


@command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(
        help="Files or folders to import; a folder gives its files of the format, sub-folders included, "
             "less read-mes, licences and templates.", show_default=False)],
    format: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
    timezone: Annotated[
        str | None, typer.Option(help="Zone for timestamps written without an offset, e.g. Europe/Berlin; a date alone is 00:00 there.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and show the mapping, write nothing.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the valid records and list the others.")] = False,
    map_: Annotated[list[str] | None, typer.Option("--map", help="csv: COLUMN=FIELD for a column not named like its field.")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="csv: FIELD=VALUE for every row that gives no FIELD, e.g. severity=sev3 for a sheet without one.")] = None,
) -> None:
    """Import COEs from files or folders; all-or-nothing: one invalid record and nothing is written.

    A large coe/v1 file shows a progress bar on a terminal (COE_PROGRESS=0 hides it, COE_PROGRESS=1 forces it).

    Example: coe import incidents.json

    Example: coe import --format markdown --dry-run postmortems/

    Example: coe import --format csv --map "Incident Name=title" incidents.csv

    Example: coe import --format csv --set severity=sev3 --timezone UTC --dry-run incidents.csv
    """
    if format not in importers.FORMATS:
        raise typer.BadParameter(f"{format!r} is not one of {', '.join(importers.FORMATS)}", param_hint="--format")
    pairs = [m.split("=", 1) for m in map_ or []]
    if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
        raise typer.BadParameter("expected COLUMN=FIELD, e.g. 'Incident Name=title'", param_hint="--map")
    mapping = {column.strip(): field.strip() for column, field in pairs}
    zone = _zone(timezone)
    preset = _preset(set_ or [], format, zone)
    if preset and format == "auto" and any(path.suffix.lower() != ".csv" for path in paths):
        raise typer.BadParameter("applies to .csv files only", param_hint="--set")
    db = engine(ctx)
    docs, sources = [], []
    paths, problems = _files(paths, format)
    read_before: dict[str, Path] = {}  # SHA-256 → the file of this run that had those bytes
    named_before: dict[tuple[str, str], Path] = {}  # a record's id elsewhere → the file of this run that gave it
    repeated: dict[Path, list[Path]] = {}  # a file of this run → the later files that gave its records again
    streams: list[tuple[Path, interchange.JsonStream]] = []
    with reading(db) as session:
        for path in paths:
            stream = importers.streamed(path, format, zone)
            if stream is not None:
                streams.append((path, stream))
                continue
            found = importers.read(path, format, zone, mapping, preset)
            problems.extend(found.problems)
            if dry_run and found.summary:
                typer.echo(f"{path}:")
                for line in found.summary:
                    typer.echo(f"  {line}")
            if not found.incidents:
                continue
            before = services.imported_as(session, sha256=found.sha256) if found.sha256 else []
            if before and any(ref.id == f"sha256:{found.sha256}" for d in found.incidents for ref in d.external_refs):
                typer.echo(f"{path}: already imported as {_few(before)}; skipped", err=True)
                continue
            if found.sha256 and found.sha256 in read_before:  # a copy under another name, in the same run
                typer.echo(f"{path}: the same bytes as {read_before[found.sha256]}; skipped", err=True)
                continue
            read_before[found.sha256] = path
            fresh = _new_records(path, found.incidents, named_before, repeated)
            if fresh:
                docs.extend(fresh)
                sources.append(str(path))
        for earlier, later in repeated.items():
            typer.echo(f"skipped {len(later)} records that {earlier} gave already (the same ids), in "
                       f"{_few([str(p) for p in dict.fromkeys(later)])}", err=True)
        # A newer snapshot or another export of the same records is a different file: recognise each record.
        known = services.already_imported(session, incidents=docs)
        docs = [doc for n, doc in enumerate(docs) if n not in known]
    if problems:
        for line in problems:
            typer.echo(line, err=True)
        if not skip_invalid:
            raise typer.Exit(1)
    source = ", ".join(sources + [str(path) for path, _ in streams])
    keys: list[str] = []
    if docs or streams:
        with writing(db, commit=not dry_run) as session:
            try:
                keys = services.import_incidents(session, incidents=docs, actor=actor(ctx), source=source) if docs else []
            except ValidationFailed as exc:
                exc.path = source if len(sources) == 1 and not streams else ""  # type: ignore[attr-defined]
                raise
            for path, stream in streams:
                keys += _import_stream(session, path, stream, actor(ctx))
    verb = "would import" if dry_run else "imported"
    named = _few(sources + [str(path) for path, _ in streams])
    typer.echo(f"{verb} {len(keys)} incidents" + (f" from {named}: {_span(keys)}" if keys else ""))
    if known:
        systems = " or ".join(sorted({system for _, system, _ in known.values()}))
        typer.echo(f"skipped {len(known):,} already imported (same {systems} id): "
                   f"{_few([key for key, _, _ in known.values()])}")


def _preset(given: list[str], fmt: str, zone: str | None) -> dict[str, Any]:
    """The --set values, each checked against its field's vocabulary; a wrong one is one sentence and exit 1."""
    pairs = [s.split("=", 1) for s in given]
    if any(len(p) != 2 or not p[0].strip() for p in pairs):
        raise typer.BadParameter("expected FIELD=VALUE, e.g. 'severity=sev3'", param_hint="--set")
    if pairs and fmt not in ("auto", "csv"):
        raise typer.BadParameter("applies to --format csv only", param_hint="--set")
    values, problems = spreadsheet.preset({f.strip(): v.strip() for f, v in pairs}, zone)
    for line in problems:
        typer.echo(line, err=True)
    if problems:
        raise typer.Exit(1)
    return values


def _files(paths: list[Path], fmt: str) -> tuple[list[Path], list[str]]:
    """The files to read, each folder replaced by its files of the format; a folder without any is a problem."""
    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        found = importers.files_in(path, fmt)
        if found is None:
            files.append(path)
            continue
        records, left_out = found
        if left_out:
            names = ", ".join(str(p.relative_to(path)) for p in left_out)
            typer.echo(f"{path}: left out {names} (read-mes, licences and templates)", err=True)
        if not records:
            kind = "record" if fmt == "auto" else fmt
            problems.append(f"{path}: no {kind} files in this folder" + (" but those left out" if left_out else ""))
        files.extend(records)
    return files, problems


def _new_records(path: Path, incidents: list[Any], named_before: dict[tuple[str, str], Path],
                 repeated: dict[Path, list[Path]]) -> list[Any]:
    """A file's records less those an earlier file of this run gave already (the same id in another export)."""
    kept = []
    for doc in incidents:
        refs = store.record_refs(doc)
        earlier = next((named_before[ref] for ref in refs if ref in named_before), None)
        if earlier is not None and earlier != path:
            repeated.setdefault(earlier, []).append(path)
            continue
        kept.append(doc)
        named_before.update((ref, path) for ref in refs)
    return kept


def _few(keys: list[str], shown: int = 3) -> str:
    """The first few keys and how many more: a re-imported snapshot must not print a thousand keys."""
    more = len(keys) - shown
    return ", ".join(keys[:shown]) + (f" and {more:,} more" if more > 0 else "")


def _import_stream(session: Session, path: Path, json_stream: interchange.JsonStream, by: str) -> list[str]:
    """Store a large coe/v1 file batch by batch in the caller's transaction; any problem and it is all rolled back."""
    # Read and made into rows by a second process while this one writes the batch before.
    stream = import_pipeline.PreparedStream(json_stream)
    with _progress(path) as report:
        stream.progress = report
        try:
            keys = services.import_prepared(session, stream=stream, actor=by, source=str(path))
        except ValidationFailed as exc:  # a key already in the database: number it within the whole file
            stream.problems += [Problem(p.field, p.message, (p.record or 0) + stream.offset or None) for p in exc.problems]
            keys = []
    if stream.problems:
        for problem in stream.problems:
            typer.echo(problem.line(str(path)), err=True)
        # Raising rolls the whole transaction back; --skip-invalid does not apply to a streamed file.
        raise typer.Exit(1)
    return keys


@contextmanager
def _progress(path: Path) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr while a large file is read, when a person watches; erased before anything is printed."""
    watching = os.environ.get(PROGRESS_ENV, "")
    if watching == "0" or (watching != "1" and not sys.stderr.isatty()):
        yield None
        return
    # Imported here: only an interactive import of a large file draws a bar.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(bar_width=24), DownloadColumn(),
               TextColumn("{task.fields[records]:,} incidents"), TimeElapsedColumn())
    # Decided above from stderr itself: FORCE_COLOR (set by many CI systems) must not draw a bar into a log.
    console = Console(stderr=True, force_terminal=True, force_interactive=True)
    with Progress(*columns, console=console, transient=True, refresh_per_second=4) as bar:
        task = bar.add_task(f"importing {path.name}", total=path.stat().st_size, records=0)
        yield lambda done, records: bar.update(task, completed=done, records=records)
