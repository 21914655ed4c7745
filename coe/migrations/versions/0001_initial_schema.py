"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('incident_key', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('state_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_incident_key'), ['incident_key'], unique=False)

    op.create_table('change_volume',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('team', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('changes_total', sa.Integer(), nullable=False),
    sa.Column('changes_ai_generated', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'team')
    )
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('team', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('environment', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('detected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('acknowledged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('mitigated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('customer_impact', sa.Text(), nullable=False),
    sa.Column('customers_affected', sa.Integer(), nullable=True),
    sa.Column('detection_method', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('trigger', sa.Text(), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=False),
    sa.Column('root_cause_category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('five_whys', sa.JSON(), nullable=False),
    sa.Column('contributing_factors', sa.JSON(), nullable=False),
    sa.Column('lessons', sa.JSON(), nullable=False),
    sa.Column('cut_in_half_detection', sa.Text(), nullable=False),
    sa.Column('cut_in_half_mitigation', sa.Text(), nullable=False),
    sa.Column('ai_involvement', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ai_tool', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('ai_vendor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('ai_model', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('ai_mode', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('ai_autonomy', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('ai_approval_gate', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ai_gate_bypass', sa.Text(), nullable=True),
    sa.Column('ai_permission_scope', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ai_permissions_inherited', sa.Boolean(), nullable=True),
    sa.Column('ai_destructive_actions', sa.JSON(), nullable=False),
    sa.Column('ai_spec_reviewed', sa.Boolean(), nullable=True),
    sa.Column('ai_contribution', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('primary_cause', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('attribution_status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('external_refs', sa.JSON(), nullable=False),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('amendments', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_started_at', ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_team'), ['team'], unique=False)

    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('control', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('ticket_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_status'), ['status'], unique=False)

    op.create_table('attribution_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('source_kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('attributes_to', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('confidence', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('stated_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attribution_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attribution_claim_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('provenance', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('reviewed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('deployed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_change_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_service_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_incident_service_name', ['name'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reviewer', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_incident_id'), ['incident_id'], unique=False)

    op.create_table('timeline_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('actor_kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('timeline_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_event_incident_id'), ['incident_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('timeline_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_event_incident_id'))

    op.drop_table('timeline_event')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_incident_id'))

    op.drop_table('review')
    with op.batch_alter_table('incident_service', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_service_name')
        batch_op.drop_index(batch_op.f('ix_incident_service_incident_id'))

    op.drop_table('incident_service')
    with op.batch_alter_table('incident_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_change_incident_id'))

    op.drop_table('incident_change')
    with op.batch_alter_table('attribution_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attribution_claim_incident_id'))

    op.drop_table('attribution_claim')
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_status'))
        batch_op.drop_index(batch_op.f('ix_action_item_incident_id'))

    op.drop_table('action_item')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_team'))
        batch_op.drop_index(batch_op.f('ix_incident_status'))
        batch_op.drop_index('ix_incident_started_at')

    op.drop_table('incident')
    op.drop_table('change_volume')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_incident_key'))

    op.drop_table('audit_event')
    op.drop_table('app_user')
