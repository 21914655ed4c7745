"""What every command shares: library errors as one line and exit 1, the engine, the acting user."""

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from coe import migrate
from coe.config import Settings
from coe.db import engine_for
from coe.errors import CoeError, ValidationFailed

app = typer.Typer(
    help="Correction of Error post-mortems: record, review, measure and report incidents, "
    "including what AI tools did in them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def command(name: str | None = None, *, on: typer.Typer = app) -> Callable[[Callable[..., Any]], Any]:
    """Register a command whose library errors become one clear line and exit status 1."""
    return lambda fn: on.command(name)(user_errors(fn))


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's errors into lines on standard error and exit status 1."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValidationFailed as exc:
            for problem in exc.problems:
                typer.echo(problem.line(getattr(exc, "path", "")), err=True)
        except CoeError as exc:
            typer.echo(f"error: {exc}", err=True)
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            typer.echo(f"error: the database refused the operation: {reason}", err=True)
        raise typer.Exit(1)

    return run


def engine(ctx: typer.Context, *, ready: bool = True) -> Engine:
    """The engine of the chosen database; `ready` insists that `coe init` has been run."""
    settings: Settings = ctx.find_object(Settings)  # type: ignore[assignment]
    chosen = engine_for(settings.database_url)
    if ready and not migrate.is_current(chosen):
        raise CoeError(
            f"the database at {chosen.url.render_as_string()} is not initialised or is out of date; run `coe init`"
        )
    return chosen


def actor(ctx: typer.Context) -> str:
    """The acting user's name."""
    return ctx.find_object(Settings).user  # type: ignore[union-attr]


def day_option(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option, or a usage error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2025-01-31", param_hint=option) from None
