"""search index: each entry records the version of the incident it was made from

`coe init` compares the index with the incidents (count, ids, versions) and rebuilds it when an
incident was added, removed or changed without the services, e.g. by an older `coe` or a restore.
On PostgreSQL the tsvector is also kept in the row (storage MAIN): ranking read it from TOAST,
which made a search with many matches four times slower.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS5 = "CREATE VIRTUAL TABLE incident_fts USING fts5(title, cause, detail{}, tokenize='porter unicode61')"


def upgrade() -> None:
    """Apply this revision; the index starts empty on SQLite and unversioned on PostgreSQL, so `coe init` refills it."""
    if op.get_bind().dialect.name == "sqlite":  # an FTS5 table cannot gain a column
        op.execute("DROP TABLE incident_fts")
        op.execute(FTS5.format(", version UNINDEXED"))
        return
    op.execute("ALTER TABLE incident_search ADD COLUMN version integer NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE incident_search ALTER COLUMN document SET STORAGE MAIN")  # the rebuild rewrites rows


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE incident_fts")
        op.execute(FTS5.format(""))
        return
    op.execute("ALTER TABLE incident_search ALTER COLUMN document SET STORAGE EXTENDED")
    op.execute("ALTER TABLE incident_search DROP COLUMN version")
