"""search index: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision; `coe init` then fills the index from the incidents already stored."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE incident_fts USING fts5(title, cause, detail, tokenize='porter unicode61')")
        return
    op.execute(
        "CREATE TABLE incident_search ("
        " incident_id integer PRIMARY KEY REFERENCES incident(id) ON DELETE CASCADE,"
        " title text NOT NULL, cause text NOT NULL, detail text NOT NULL,"
        " document tsvector GENERATED ALWAYS AS ("
        "  setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', cause), 'B')"
        "  || setweight(to_tsvector('english', detail), 'C')) STORED)"
    )
    op.execute("CREATE INDEX ix_incident_search_document ON incident_search USING gin (document)")


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE incident_fts")
    else:
        op.execute("DROP TABLE incident_search")
