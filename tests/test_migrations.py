"""The migrations build exactly the models' schema, and `coe init` may run twice."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from coe.migrate import is_current, upgrade
from coe.search.index import is_search_object


def _not_search(obj, name, type_, reflected, compare_to) -> bool:
    """The search index is built by raw SQL per dialect, outside the models' metadata."""
    return not (type_ == "table" and is_search_object(name))


def test_migrations_produce_the_models_schema(engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": _not_search})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_twice_is_harmless(engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert is_current(engine)


def test_an_empty_database_is_not_current(tmp_path) -> None:
    from coe.db import engine_for

    assert not is_current(engine_for(f"sqlite:///{tmp_path / 'new.db'}"))


def test_the_head_every_command_checks_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    from coe.migrate import HEAD, alembic_config

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == HEAD
