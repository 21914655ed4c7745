"""Schema migrations with Alembic: `coe init` upgrades any database to the newest schema."""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text

from coe.search import rebuild

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0004"  # the newest revision: every command checks it, and loading Alembic to find it costs half a second


def alembic_config(url: str) -> Any:
    """An Alembic configuration pointing at the package's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision; safe to run again."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        rebuild.ensure_index(connection)  # data stored before the search index existed


def is_current(engine: Engine) -> bool:
    """Whether the database carries the newest schema revision."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
