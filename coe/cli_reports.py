"""`coe report` and friends: the PDF documents."""

import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from coe import services
from coe.cli_support import command, engine
from coe.config import Settings
from coe.db import engine_for, reading
from coe.errors import CoeError


def _write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary name so no half-written PDF is ever left."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CoeError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise CoeError(f"cannot write {path}: {exc.strerror}") from exc
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600; a report is an ordinary file
    os.replace(temporary, path)


def _worker_started(database_url: str) -> None:
    """Drop the database connections a forked worker inherited: a connection must not cross processes."""
    engine_for(database_url).dispose(close=False)


def render_one(database_url: str, key: str, templates_dir: Path | None, output: Path) -> str:
    """Render one COE report into `output` (runs in a worker process)."""
    # Imported here: WeasyPrint and plotly load only to make a PDF
    from coe.reports.coe_report import report_pdf

    with reading(engine_for(database_url)) as session:
        data = report_pdf(session, key, templates_dir=templates_dir)
    _write(output, data)
    return key


@command("report")
def report(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Argument(help="The COE to render.", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(help="PDF file to write.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Render every COE into --output-dir.")] = False,
    output_dir: Annotated[Path | None, typer.Option(help="Folder for --all (one KEY.pdf each).")] = None,
    jobs: Annotated[int, typer.Option(min=0, help="Parallel processes for --all (0: the number of cores).")] = 0,
) -> None:
    """Render the COE report of one incident (or of all) as PDF.

    Example: coe report COE-1 --output COE-1.pdf
    """
    settings: Settings = ctx.find_object(Settings)  # type: ignore[assignment]
    chosen = engine(ctx)
    url = chosen.url.render_as_string(hide_password=False)
    if all_:
        if output_dir is None:
            raise CoeError("coe report --all needs --output-dir DIR")
        output_dir.mkdir(parents=True, exist_ok=True)
        with reading(chosen) as session:
            keys = services.incident_keys(session)
        failed = _render_all(url, keys, settings.templates_dir, output_dir, jobs or os.cpu_count() or 1)
        typer.echo(f"wrote {len(keys) - len(failed)} reports to {output_dir}")
        for line in failed:
            typer.echo(f"error: {line}", err=True)
        if failed:
            raise CoeError(f"{len(failed)} of {len(keys)} reports failed")
        return
    if key is None or output is None:
        raise CoeError("give a KEY and --output FILE.pdf, or --all --output-dir DIR")
    render_one(url, key, settings.templates_dir, output)
    typer.echo(f"wrote {output}")


def _render_all(url: str, keys: list[str], templates_dir: Path | None, folder: Path, jobs: int) -> list[str]:
    """Render every key in `jobs` processes with a progress bar; one line for each report that failed."""
    # Imported here: only --all draws a bar
    from rich.progress import Progress

    failed = []
    workers = ProcessPoolExecutor(jobs, initializer=_worker_started, initargs=(url,))
    with Progress(transient=True) as progress, workers as pool:
        task = progress.add_task("rendering", total=len(keys))
        futures = {pool.submit(render_one, url, key, templates_dir, folder / f"{key}.pdf"): key for key in keys}
        for future in as_completed(futures):
            try:
                future.result()
            except Exception as exc:  # noqa: BLE001 — one bad report must not stop the others
                failed.append(f"{futures[future]}: {exc if isinstance(exc, CoeError) else repr(exc)}")
            progress.advance(task)
    return sorted(failed)


def _date(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option value, or one clear error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CoeError(f"{option} {value!r} is not a date like 2026-01-31") from None


@command("trend-report")
def trend_report(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="First day of the window (YYYY-MM-DD, UTC).", show_default=False)],
    until: Annotated[str, typer.Option(help="Last day of the window, included.", show_default=False)],
    output: Annotated[Path, typer.Option(help="PDF file to write.", show_default=False)],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day against which overdue actions are judged; "
                                              "default: today (UTC).", show_default=False)] = None,
) -> None:
    """Render the governance trend report of a window, against the window before it, as PDF.

    Example: coe trend-report --since 2026-01-01 --until 2026-06-30 --output trend.pdf
    """
    # Imported here: WeasyPrint and plotly load only to make a PDF
    from coe.reports.trend_report import trend_pdf

    settings: Settings = ctx.find_object(Settings)  # type: ignore[assignment]
    first, last = _date(since, "--since"), _date(until, "--until")
    day = _date(as_of, "--as-of") or datetime.now(UTC).date()
    assert first is not None and last is not None
    if last < first:
        raise CoeError(f"--until {last} is before --since {first}")
    with reading(engine(ctx)) as session:
        data = trend_pdf(session, since=first, until=last, as_of=day, templates_dir=settings.templates_dir)
    _write(output, data)
    typer.echo(f"wrote {output}")
