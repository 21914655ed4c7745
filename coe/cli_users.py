"""`coe user …`: who may do what."""

from typing import Annotated

import typer

from coe import users
from coe.cli_support import actor, command, engine
from coe.db import reading, writing
from coe.enums import Role
from coe.render import user_table

app = typer.Typer(help="Manage users and their roles (viewer, author, reviewer, admin).", no_args_is_help=True)
Name = Annotated[str, typer.Argument(help="The user's name, as used with --as.", show_default=False)]


@command("add", on=app)
def add(
    ctx: typer.Context,
    name: Name,
    role: Annotated[Role, typer.Option(help="viewer reads; author writes and submits; reviewer also "
                                            "reviews and publishes; admin also manages users.")],
) -> None:
    """Add a user with a role (admins only).

    Example: coe user add dana --role reviewer
    """
    with writing(engine(ctx)) as session:
        users.add_user(session, name=name, role=role, actor=actor(ctx))
    typer.echo(f"added {name} as {role}")


@command("list", on=app)
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List users with their roles.

    Example: coe user list
    """
    with reading(engine(ctx)) as session:
        typer.echo(user_table(users.list_users(session), as_json=as_json))


@command("disable", on=app)
def disable(ctx: typer.Context, name: Name) -> None:
    """Disable a user: they can no longer act; their history stays (admins only).

    Example: coe user disable dana
    """
    with writing(engine(ctx)) as session:
        users.set_active(session, name=name, active=False, actor=actor(ctx))
    typer.echo(f"disabled {name}")


@command("enable", on=app)
def enable(ctx: typer.Context, name: Name) -> None:
    """Enable a disabled user again (admins only).

    Example: coe user enable dana
    """
    with writing(engine(ctx)) as session:
        users.set_active(session, name=name, active=True, actor=actor(ctx))
    typer.echo(f"enabled {name}")


@command("passwd", on=app)
def passwd(
    ctx: typer.Context,
    name: Name,
    password: Annotated[str, typer.Option(
        prompt="New password", hide_input=True, confirmation_prompt=True,
        help="The new password (at least 12 characters); asked twice, hidden, when not given.")],
) -> None:
    """Set a user's password for `COE_AUTH=local` sign-in (admins, or the user themself).

    Example: coe user passwd dana
    """
    with writing(engine(ctx)) as session:
        users.set_password(session, name=name, password=password, actor=actor(ctx))
    typer.echo(f"password set for {name}")
