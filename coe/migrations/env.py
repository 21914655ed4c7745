"""Alembic environment: the models' metadata, the URL handed over by coe.migrate."""

from alembic import context
from sqlmodel import SQLModel

import coe.models  # noqa: F401  (registers the tables)
from coe.db import engine_for
from coe.search.index import is_search_object

config = context.config
target_metadata = SQLModel.metadata


def _not_search(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Autogenerate leaves the search index alone: migration 0003 builds it per dialect."""
    return not (type_ == "table" and is_search_object(name))


def run_migrations_online() -> None:
    """Run the migrations on the connection coe.migrate passes, or on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=_not_search)
        with context.begin_transaction():
            context.run_migrations()
        return
    with engine_for(config.get_main_option("sqlalchemy.url")).connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=_not_search)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
