"""The migrations build exactly the models' schema, and `coe init` may run twice."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from coe.migrate import is_current, upgrade


def test_migrations_produce_the_models_schema(engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_twice_is_harmless(engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert is_current(engine)


def test_an_empty_database_is_not_current(tmp_path) -> None:
    from coe.db import engine_for

    assert not is_current(engine_for(f"sqlite:///{tmp_path / 'new.db'}"))
