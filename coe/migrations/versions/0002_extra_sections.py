"""extra sections: imported text that maps to no field

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('incident') as batch:
        batch.add_column(sa.Column('extra_sections', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('incident') as batch:
        batch.drop_column('extra_sections')
