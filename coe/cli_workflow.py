"""Workflow commands: update, submit, review, publish, amend — each as the acting user."""

from pathlib import Path
from typing import Annotated

import typer

from coe import interchange, services, workflow
from coe.cli_support import actor, command, engine
from coe.db import writing
from coe.enums import CHECKLIST, Decision, ReviewRole
from coe.errors import CoeError

Key = Annotated[str, typer.Argument(help="The COE key, e.g. COE-2025-0001.", show_default=False)]
File = Annotated[Path, typer.Argument(help="A coe/v1 file with one incident, or what `coe show KEY --json` prints.",
                                      show_default=False)]
Version = Annotated[int | None, typer.Option(help="The version you edited (default: the file's `version`).")]


@command()
def update(ctx: typer.Context, key: Key, file: File, version: Version = None) -> None:
    """Replace a draft or in-review COE's content from a file; refused if it changed since your version.

    Example: coe update COE-2025-0001 c.json   (c.json: `coe show COE-2025-0001 --json`, edited)
    """
    incident, based_on = _edit(key, file, version)
    with writing(engine(ctx)) as session:
        saved = services.update_incident(session, key=key, incident=incident, version=based_on, actor=actor(ctx))
    typer.echo(f"updated {key} to version {saved.version}")


@command()
def submit(ctx: typer.Context, key: Key) -> None:
    """Send a draft COE for review.

    Example: coe submit COE-2025-0001
    """
    with writing(engine(ctx)) as session:
        workflow.submit(session, key=key, actor=actor(ctx))
    typer.echo(f"{key} is in review")


@command()
def review(
    ctx: typer.Context,
    key: Key,
    decision: Annotated[Decision, typer.Option(help="approve, request_changes or comment.", show_default=False)],
    checklist: Annotated[list[str] | None, typer.Option(
        help=f"A checklist item you checked (repeatable), or 'all': {', '.join(CHECKLIST)}.")] = None,
    comment: Annotated[str, typer.Option(help="What you found.")] = "",
    role: Annotated[ReviewRole, typer.Option(help="The part you play: peer, bar_raiser or approver.")] = ReviewRole.peer,
) -> None:
    """Review a COE in review (or a published COE's amendment) against the checklist.

    Example: coe review COE-2025-0001 --decision approve --checklist all --comment "Deep enough."
    """
    checked = _checklist(checklist or [])
    with writing(engine(ctx)) as session:
        saved = workflow.review(session, key=key, actor=actor(ctx), decision=decision, checklist=checked,
                                comment=comment, role=role)
    pending = workflow.open_amendment(saved)
    what = f"amendment {pending.number} of {key}" if pending and saved.status == "published" else key
    state = pending.status if pending and saved.status == "published" else saved.status
    typer.echo(f"recorded {decision} on {what}; it is {state}")


@command()
def publish(ctx: typer.Context, key: Key) -> None:
    """Publish an approved COE, or apply the approved amendment of a published one.

    Example: coe publish COE-2025-0001
    """
    with writing(engine(ctx)) as session:
        saved = workflow.publish(session, key=key, actor=actor(ctx))
    typer.echo(f"published {key} (version {saved.version})")


@command()
def amend(
    ctx: typer.Context,
    key: Key,
    file: File,
    reason: Annotated[str, typer.Option(help="Why the published COE needs correcting.", show_default=False)],
    version: Version = None,
) -> None:
    """Propose a correction to a published COE; it applies once reviewed and published.

    Example: coe amend COE-2025-0001 corrected.json --reason "Detection time was wrong."
    """
    incident, based_on = _edit(key, file, version)
    with writing(engine(ctx)) as session:
        saved = workflow.amend(session, key=key, incident=incident, reason=reason, actor=actor(ctx),
                               version=based_on)
    amendment = saved.amendments[-1]
    typer.echo(f"amendment {amendment.number} of {key} is in review: changes {', '.join(amendment.changes)}")


def _edit(key: str, file: Path, version: int | None):
    """The edited incident and the version it was based on."""
    try:
        incident = interchange.read_one(file)
    except CoeError as exc:
        exc.path = str(file)  # type: ignore[attr-defined]
        raise
    if incident.key and incident.key != key:
        raise CoeError(f"{file} holds {incident.key}, not {key}")
    based_on = version or incident.version
    if based_on is None:
        raise CoeError(f"say which version of {key} you edited: --version N (see `coe show {key} --json`)")
    return incident, based_on


def _checklist(items: list[str]) -> dict[str, bool]:
    """The checklist with the named items checked; 'all' checks every one."""
    unknown = [i for i in items if i not in (*CHECKLIST, "all")]
    if unknown:
        raise typer.BadParameter(f"{unknown[0]!r} is not one of: all, {', '.join(CHECKLIST)}", param_hint="--checklist")
    return {name: "all" in items or name in items for name in CHECKLIST}
