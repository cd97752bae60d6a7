"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 05:00:36.066396
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # btree_gist lets the bookings exclusion constraint compare resource_id with '='.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('communities',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('region', sa.String(length=200), server_default='', nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('population IS NULL OR population >= 0', name=op.f('ck_communities_population')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communities')),
    sa.UniqueConstraint('code', name=op.f('uq_communities_code')),
    sa.UniqueConstraint('name', name=op.f('uq_communities_name'))
    )
    op.create_table('resources',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('VEHICLE', 'ROOM', 'EQUIPMENT', name='resourcekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('location', sa.String(length=300), server_default='', nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('requires_approval', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('buffer_before_minutes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('buffer_after_minutes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('buffer_before_minutes >= 0 AND buffer_after_minutes >= 0', name=op.f('ck_resources_buffers')),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_resources_capacity_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources')),
    sa.UniqueConstraint('name', name=op.f('uq_resources_name'))
    )
    op.create_index(op.f('ix_resources_kind'), 'resources', ['kind'], unique=False)
    op.create_table('task_templates',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('kind', sa.Enum('GENERIC', 'PPA', 'ASSESSMENT', 'COORDINATION_EVENT', 'POLICY', name='templatekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_default', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_templates')),
    sa.UniqueConstraint('name', name=op.f('uq_task_templates_name'))
    )
    op.create_index(op.f('ix_task_templates_kind'), 'task_templates', ['kind'], unique=False)
    op.create_index('uq_task_templates_default_kind', 'task_templates', ['kind'], unique=True, postgresql_where='is_default')
    op.create_table('teams',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=2000), server_default='', nullable=False),
    sa.Column('holds_quarterly_coordination', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('users',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('ADMIN', 'MANAGER', 'STAFF', 'VIEWER', name='role', native_enum=False, create_constraint=True, length=32), server_default='STAFF', nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_index(op.f('ix_users_role'), 'users', ['role'], unique=False)
    op.create_index('uq_users_email_lower', 'users', [sa.literal_column('lower(email)')], unique=True)
    op.create_table('assessments',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Enum('PLANNED', 'DATA_COLLECTION', 'ANALYSIS', 'REPORTING', 'COMPLETED', name='assessmentstatus', native_enum=False, create_constraint=True, length=32), server_default='PLANNED', nullable=False),
    sa.Column('community_id', sa.BigInteger(), nullable=True),
    sa.Column('lead_team_id', sa.BigInteger(), nullable=True),
    sa.Column('owner_id', sa.BigInteger(), nullable=True),
    sa.Column('planning_on', sa.Date(), nullable=True),
    sa.Column('data_collection_on', sa.Date(), nullable=True),
    sa.Column('analysis_on', sa.Date(), nullable=True),
    sa.Column('report_on', sa.Date(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('analysis_on IS NULL OR report_on IS NULL OR analysis_on <= report_on', name=op.f('ck_assessments_analysis_before_report')),
    sa.CheckConstraint('data_collection_on IS NULL OR analysis_on IS NULL OR data_collection_on <= analysis_on', name=op.f('ck_assessments_collection_before_analysis')),
    sa.CheckConstraint('planning_on IS NULL OR data_collection_on IS NULL OR planning_on <= data_collection_on', name=op.f('ck_assessments_planning_before_collection')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_assessments_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_team_id'], ['teams.id'], name=op.f('fk_assessments_lead_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_assessments_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    op.create_index(op.f('ix_assessments_analysis_on'), 'assessments', ['analysis_on'], unique=False)
    op.create_index(op.f('ix_assessments_community_id'), 'assessments', ['community_id'], unique=False)
    op.create_index(op.f('ix_assessments_data_collection_on'), 'assessments', ['data_collection_on'], unique=False)
    op.create_index(op.f('ix_assessments_lead_team_id'), 'assessments', ['lead_team_id'], unique=False)
    op.create_index(op.f('ix_assessments_owner_id'), 'assessments', ['owner_id'], unique=False)
    op.create_index(op.f('ix_assessments_planning_on'), 'assessments', ['planning_on'], unique=False)
    op.create_index(op.f('ix_assessments_report_on'), 'assessments', ['report_on'], unique=False)
    op.create_index(op.f('ix_assessments_status'), 'assessments', ['status'], unique=False)
    op.create_table('audit_log',
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=False),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_actor_id'), 'audit_log', ['actor_id'], unique=False)
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_index('ix_audit_log_entity', 'audit_log', ['entity_type', 'entity_id'], unique=False)
    op.create_table('calendar_preferences',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False),
    sa.Column('modules', sa.ARRAY(sa.String(length=32)), server_default='{}', nullable=False),
    sa.Column('reminder_offsets', sa.ARRAY(sa.Integer()), server_default='{30}', nullable=False),
    sa.Column('email_enabled', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('in_app_enabled', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('quiet_hours_start', sa.Time(), nullable=True),
    sa.Column('quiet_hours_end', sa.Time(), nullable=True),
    sa.Column('week_starts_on', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('week_starts_on BETWEEN 0 AND 6', name=op.f('ck_calendar_preferences_week_starts_on_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_preferences'))
    )
    op.create_table('change_log',
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=False),
    sa.Column('op', sa.Enum('CREATED', 'UPDATED', 'DELETED', name='changeop', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('position', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_change_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log'))
    )
    op.create_index(op.f('ix_change_log_created_at'), 'change_log', ['created_at'], unique=False)
    op.create_index('ix_change_log_unpublished', 'change_log', ['id'], unique=False, postgresql_where='position IS NULL')
    op.create_index('uq_change_log_position', 'change_log', ['position'], unique=True)
    op.create_table('events',
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('location', sa.String(length=300), server_default='', nullable=False),
    sa.Column('module', sa.Enum('COORDINATION', 'MANA', 'PROJECTS', 'TASKS', 'RESOURCES', 'POLICY', 'COMMUNITY', name='calendarmodule', native_enum=False, create_constraint=True, length=32), server_default='COORDINATION', nullable=False),
    sa.Column('visibility', sa.Enum('PUBLIC', 'INTERNAL', 'PRIVATE', name='visibility', native_enum=False, create_constraint=True, length=32), server_default='INTERNAL', nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('all_day', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False),
    sa.Column('rrule', sa.String(length=1000), nullable=True),
    sa.Column('rdates', sa.ARRAY(sa.DateTime(timezone=True)), server_default='{}', nullable=False),
    sa.Column('exdates', sa.ARRAY(sa.DateTime(timezone=True)), server_default='{}', nullable=False),
    sa.Column('series_ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders', sa.ARRAY(sa.Integer()), server_default='{}', nullable=False),
    sa.Column('sequence', sa.Integer(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('is_quarterly_coordination', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('quarter', sa.SmallInteger(), nullable=True),
    sa.Column('fiscal_year', sa.SmallInteger(), nullable=True),
    sa.Column('owner_id', sa.BigInteger(), nullable=True),
    sa.Column('team_id', sa.BigInteger(), nullable=True),
    sa.Column('community_id', sa.BigInteger(), nullable=True),
    sa.Column('parent_event_id', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('NOT is_quarterly_coordination OR (quarter IS NOT NULL AND fiscal_year IS NOT NULL)', name=op.f('ck_events_quarterly_has_period')),
    sa.CheckConstraint('quarter IS NULL OR quarter BETWEEN 1 AND 4', name=op.f('ck_events_quarter_range')),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_events_starts_before_ends')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_events_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_events_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_event_id'], ['events.id'], name=op.f('fk_events_parent_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_events_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('uid', name=op.f('uq_events_uid'))
    )
    op.create_index(op.f('ix_events_community_id'), 'events', ['community_id'], unique=False)
    op.create_index(op.f('ix_events_module'), 'events', ['module'], unique=False)
    op.create_index(op.f('ix_events_owner_id'), 'events', ['owner_id'], unique=False)
    op.create_index(op.f('ix_events_parent_event_id'), 'events', ['parent_event_id'], unique=False)
    op.create_index(op.f('ix_events_team_id'), 'events', ['team_id'], unique=False)
    op.create_index(op.f('ix_events_visibility'), 'events', ['visibility'], unique=False)
    op.create_index('ix_events_window', 'events', ['starts_at', 'series_ends_at'], unique=False)
    op.create_index('uq_events_quarterly_team_period', 'events', ['team_id', 'fiscal_year', 'quarter'], unique=True, postgresql_where='is_quarterly_coordination AND parent_event_id IS NULL')
    op.create_table('notifications',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=True),
    sa.Column('subject_id', sa.BigInteger(), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('dedupe_key', sa.String(length=300), nullable=False),
    sa.Column('deliver_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_status', sa.Enum('PENDING', 'SENT', 'FAILED', 'SKIPPED', name='deliverystatus', native_enum=False, create_constraint=True, length=32), server_default='PENDING', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notifications_attempts_nonnegative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    op.create_index('ix_notifications_due', 'notifications', ['deliver_at'], unique=False, postgresql_where="email_status = 'PENDING'")
    op.create_index(op.f('ix_notifications_kind'), 'notifications', ['kind'], unique=False)
    op.create_index(op.f('ix_notifications_user_id'), 'notifications', ['user_id'], unique=False)
    op.create_index('ix_notifications_user_unread', 'notifications', ['user_id', 'read_at'], unique=False)
    op.create_table('policies',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'UNDER_REVIEW', 'ADOPTED', 'RETIRED', name='policystatus', native_enum=False, create_constraint=True, length=32), server_default='DRAFT', nullable=False),
    sa.Column('community_id', sa.BigInteger(), nullable=True),
    sa.Column('owner_id', sa.BigInteger(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('effective_on IS NULL OR review_on IS NULL OR effective_on <= review_on', name=op.f('ck_policies_effective_before_review')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_policies_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_policies_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies')),
    sa.UniqueConstraint('code', name=op.f('uq_policies_code'))
    )
    op.create_index(op.f('ix_policies_community_id'), 'policies', ['community_id'], unique=False)
    op.create_index(op.f('ix_policies_effective_on'), 'policies', ['effective_on'], unique=False)
    op.create_index(op.f('ix_policies_owner_id'), 'policies', ['owner_id'], unique=False)
    op.create_index(op.f('ix_policies_review_on'), 'policies', ['review_on'], unique=False)
    op.create_index(op.f('ix_policies_status'), 'policies', ['status'], unique=False)
    op.create_table('ppas',
    sa.Column('code', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('category', sa.Enum('PROGRAM', 'PROJECT', 'ACTIVITY', name='ppacategory', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('ACTIVE', 'ON_HOLD', 'COMPLETED', 'CANCELLED', name='ppastatus', native_enum=False, create_constraint=True, length=32), server_default='ACTIVE', nullable=False),
    sa.Column('stage', sa.Enum('NEED_IDENTIFICATION', 'PLANNING', 'PROPOSAL', 'BUDGET_APPROVAL', 'PROCUREMENT', 'IMPLEMENTATION', 'MONITORING', 'EVALUATION', 'COMPLETED', name='ppastage', native_enum=False, create_constraint=True, length=32), server_default='NEED_IDENTIFICATION', nullable=False),
    sa.Column('stage_entered_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('budget_stage', sa.Enum('PREPARATION', 'TECHNICAL_REVIEW', 'BUDGET_HEARING', 'EXECUTIVE_REVIEW', 'LEGISLATIVE_APPROVAL', name='budgetstage', native_enum=False, create_constraint=True, length=32), server_default='PREPARATION', nullable=False),
    sa.Column('budget_status', sa.Enum('NOT_SUBMITTED', 'IN_REVIEW', 'RETURNED', 'APPROVED', 'REJECTED', name='budgetstatus', native_enum=False, create_constraint=True, length=32), server_default='NOT_SUBMITTED', nullable=False),
    sa.Column('budget_allocated', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('budget_approved', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('progress', sa.Integer(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('community_id', sa.BigInteger(), nullable=True),
    sa.Column('lead_team_id', sa.BigInteger(), nullable=True),
    sa.Column('owner_id', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('budget_allocated >= 0', name=op.f('ck_ppas_budget_allocated_nonnegative')),
    sa.CheckConstraint('budget_approved IS NULL OR budget_approved >= 0', name=op.f('ck_ppas_budget_approved_nonnegative')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_ppas_progress_range')),
    sa.CheckConstraint('starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on', name=op.f('ck_ppas_starts_before_ends')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_ppas_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_team_id'], ['teams.id'], name=op.f('fk_ppas_lead_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_ppas_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ppas')),
    sa.UniqueConstraint('code', name=op.f('uq_ppas_code'))
    )
    op.create_index(op.f('ix_ppas_budget_status'), 'ppas', ['budget_status'], unique=False)
    op.create_index(op.f('ix_ppas_category'), 'ppas', ['category'], unique=False)
    op.create_index(op.f('ix_ppas_community_id'), 'ppas', ['community_id'], unique=False)
    op.create_index(op.f('ix_ppas_ends_on'), 'ppas', ['ends_on'], unique=False)
    op.create_index(op.f('ix_ppas_lead_team_id'), 'ppas', ['lead_team_id'], unique=False)
    op.create_index(op.f('ix_ppas_owner_id'), 'ppas', ['owner_id'], unique=False)
    op.create_index(op.f('ix_ppas_stage'), 'ppas', ['stage'], unique=False)
    op.create_index(op.f('ix_ppas_starts_on'), 'ppas', ['starts_on'], unique=False)
    op.create_index(op.f('ix_ppas_status'), 'ppas', ['status'], unique=False)
    op.create_table('share_links',
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('modules', sa.ARRAY(sa.String(length=32)), server_default='{}', nullable=False),
    sa.Column('community_ids', sa.ARRAY(sa.BigInteger()), server_default='{}', nullable=False),
    sa.Column('resource_ids', sa.ARRAY(sa.BigInteger()), server_default='{}', nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_share_links_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_share_links_token_hash'))
    )
    op.create_index(op.f('ix_share_links_owner_id'), 'share_links', ['owner_id'], unique=False)
    op.create_table('task_template_items',
    sa.Column('template_id', sa.BigInteger(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('offset_days', sa.Integer(), server_default='0', nullable=False),
    sa.Column('role', sa.String(length=100), server_default='', nullable=False),
    sa.Column('priority', sa.Enum('LOW', 'MEDIUM', 'HIGH', 'URGENT', name='taskpriority', native_enum=False, create_constraint=True, length=32), server_default='MEDIUM', nullable=False),
    sa.Column('phase', sa.String(length=100), server_default='', nullable=False),
    sa.Column('estimated_hours', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.CheckConstraint('estimated_hours IS NULL OR estimated_hours >= 0', name=op.f('ck_task_template_items_estimated_hours')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_task_template_items_sequence_nonnegative')),
    sa.ForeignKeyConstraint(['template_id'], ['task_templates.id'], name=op.f('fk_task_template_items_template_id_task_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_template_items'))
    )
    op.create_index(op.f('ix_task_template_items_template_id'), 'task_template_items', ['template_id'], unique=False)
    op.create_table('team_memberships',
    sa.Column('team_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.Enum('LEAD', 'MEMBER', name='teamrole', native_enum=False, create_constraint=True, length=32), server_default='MEMBER', nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_team_memberships'))
    )
    op.create_index(op.f('ix_team_memberships_user_id'), 'team_memberships', ['user_id'], unique=False)
    op.create_table('event_overrides',
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.Column('recurrence_id', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.CheckConstraint('cancelled OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND starts_at < ends_at)', name=op.f('ck_event_overrides_override_times')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_overrides_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_overrides')),
    sa.UniqueConstraint('event_id', 'recurrence_id', name=op.f('uq_event_overrides_event_id_recurrence_id'))
    )
    op.create_index(op.f('ix_event_overrides_starts_at'), 'event_overrides', ['starts_at'], unique=False)
    op.create_table('event_participants',
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('rsvp', sa.Enum('NEEDS_ACTION', 'ACCEPTED', 'TENTATIVE', 'DECLINED', name='rsvp', native_enum=False, create_constraint=True, length=32), server_default='NEEDS_ACTION', nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_participants_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_event_participants'))
    )
    op.create_index(op.f('ix_event_participants_user_id'), 'event_participants', ['user_id'], unique=False)
    op.create_table('needs',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('category', sa.String(length=100), server_default='', nullable=False),
    sa.Column('priority', sa.Enum('LOW', 'MEDIUM', 'HIGH', 'URGENT', name='taskpriority', native_enum=False, create_constraint=True, length=32), server_default='MEDIUM', nullable=False),
    sa.Column('status', sa.Enum('IDENTIFIED', 'VALIDATED', 'ADDRESSED', 'CLOSED', name='needstatus', native_enum=False, create_constraint=True, length=32), server_default='IDENTIFIED', nullable=False),
    sa.Column('community_id', sa.BigInteger(), nullable=True),
    sa.Column('assessment_id', sa.BigInteger(), nullable=True),
    sa.Column('identified_on', sa.Date(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_needs_assessment_id_assessments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_needs_community_id_communities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    op.create_index(op.f('ix_needs_assessment_id'), 'needs', ['assessment_id'], unique=False)
    op.create_index(op.f('ix_needs_category'), 'needs', ['category'], unique=False)
    op.create_index(op.f('ix_needs_community_id'), 'needs', ['community_id'], unique=False)
    op.create_index(op.f('ix_needs_status'), 'needs', ['status'], unique=False)
    op.create_table('ppa_milestones',
    sa.Column('ppa_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['ppa_id'], ['ppas.id'], name=op.f('fk_ppa_milestones_ppa_id_ppas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ppa_milestones'))
    )
    op.create_index(op.f('ix_ppa_milestones_due_on'), 'ppa_milestones', ['due_on'], unique=False)
    op.create_index(op.f('ix_ppa_milestones_ppa_id'), 'ppa_milestones', ['ppa_id'], unique=False)
    op.create_table('ppa_policies',
    sa.Column('ppa_id', sa.BigInteger(), nullable=False),
    sa.Column('policy_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_ppa_policies_policy_id_policies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ppa_id'], ['ppas.id'], name=op.f('fk_ppa_policies_ppa_id_ppas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ppa_id', 'policy_id', name=op.f('pk_ppa_policies'))
    )
    op.create_index(op.f('ix_ppa_policies_policy_id'), 'ppa_policies', ['policy_id'], unique=False)
    op.create_table('ppa_stage_schedules',
    sa.Column('ppa_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('STAGE', 'BUDGET', name='transitionkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_ppa_stage_schedules_starts_before_ends')),
    sa.ForeignKeyConstraint(['ppa_id'], ['ppas.id'], name=op.f('fk_ppa_stage_schedules_ppa_id_ppas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ppa_stage_schedules')),
    sa.UniqueConstraint('ppa_id', 'kind', 'stage', name=op.f('uq_ppa_stage_schedules_ppa_id_kind_stage'))
    )
    op.create_index(op.f('ix_ppa_stage_schedules_ppa_id'), 'ppa_stage_schedules', ['ppa_id'], unique=False)
    op.create_index(op.f('ix_ppa_stage_schedules_starts_on'), 'ppa_stage_schedules', ['starts_on'], unique=False)
    op.create_table('ppa_transitions',
    sa.Column('ppa_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('STAGE', 'BUDGET', name='transitionkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('from_stage', sa.String(length=32), nullable=True),
    sa.Column('to_stage', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.Enum('APPROVE', 'RETURN_FOR_REVISION', 'REJECT', name='budgetdecision', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ppa_transitions_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ppa_id'], ['ppas.id'], name=op.f('fk_ppa_transitions_ppa_id_ppas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ppa_transitions'))
    )
    op.create_index(op.f('ix_ppa_transitions_actor_id'), 'ppa_transitions', ['actor_id'], unique=False)
    op.create_index(op.f('ix_ppa_transitions_at'), 'ppa_transitions', ['at'], unique=False)
    op.create_index(op.f('ix_ppa_transitions_ppa_id'), 'ppa_transitions', ['ppa_id'], unique=False)
    op.create_table('ppa_needs',
    sa.Column('ppa_id', sa.BigInteger(), nullable=False),
    sa.Column('need_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_ppa_needs_need_id_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ppa_id'], ['ppas.id'], name=op.f('fk_ppa_needs_ppa_id_ppas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ppa_id', 'need_id', name=op.f('pk_ppa_needs'))
    )
    op.create_index(op.f('ix_ppa_needs_need_id'), 'ppa_needs', ['need_id'], unique=False)
    op.create_table('tasks',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Enum('TODO', 'IN_PROGRESS', 'BLOCKED', 'REVIEW', 'DONE', 'CANCELLED', name='taskstatus', native_enum=False, create_constraint=True, length=32), server_default='TODO', nullable=False),
    sa.Column('priority', sa.Enum('LOW', 'MEDIUM', 'HIGH', 'URGENT', name='taskpriority', native_enum=False, create_constraint=True, length=32), server_default='MEDIUM', nullable=False),
    sa.Column('domain', sa.Enum('GENERAL', 'COORDINATION', 'MANA', 'PROJECTS', 'POLICY', 'COMMUNITY', name='taskdomain', native_enum=False, create_constraint=True, length=32), server_default='GENERAL', nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('role', sa.String(length=100), server_default='', nullable=False),
    sa.Column('phase', sa.String(length=100), server_default='', nullable=False),
    sa.Column('estimated_hours', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('actual_hours', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('position', sa.Float(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('rrule', sa.String(length=1000), nullable=True),
    sa.Column('recurrence_parent_id', sa.BigInteger(), nullable=True),
    sa.Column('generation_key', sa.String(length=200), nullable=True),
    sa.Column('template_item_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.BigInteger(), nullable=True),
    sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('ppa_id', sa.BigInteger(), nullable=True),
    sa.Column('assessment_id', sa.BigInteger(), nullable=True),
    sa.Column('policy_id', sa.BigInteger(), nullable=True),
    sa.Column('need_id', sa.BigInteger(), nullable=True),
    sa.Column('community_id', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("starts_on IS NULL OR due_at IS NULL OR starts_on <= (due_at AT TIME ZONE 'UTC')::date + 1", name=op.f('ck_tasks_starts_before_due')),
    sa.CheckConstraint('actual_hours IS NULL OR actual_hours >= 0', name=op.f('ck_tasks_actual_hours_nonnegative')),
    sa.CheckConstraint('estimated_hours IS NULL OR estimated_hours >= 0', name=op.f('ck_tasks_estimated_hours_nonnegative')),
    sa.CheckConstraint('num_nonnulls(event_id, ppa_id, assessment_id, policy_id, need_id, community_id) <= 1', name=op.f('ck_tasks_one_linked_object')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_tasks_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_tasks_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tasks_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_tasks_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_tasks_need_id_needs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_tasks_policy_id_policies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ppa_id'], ['ppas.id'], name=op.f('fk_tasks_ppa_id_ppas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recurrence_parent_id'], ['tasks.id'], name=op.f('fk_tasks_recurrence_parent_id_tasks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_item_id'], ['task_template_items.id'], name=op.f('fk_tasks_template_item_id_task_template_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    op.create_index(op.f('ix_tasks_assessment_id'), 'tasks', ['assessment_id'], unique=False)
    op.create_index('ix_tasks_board', 'tasks', ['status', 'position'], unique=False)
    op.create_index(op.f('ix_tasks_community_id'), 'tasks', ['community_id'], unique=False)
    op.create_index(op.f('ix_tasks_created_by_id'), 'tasks', ['created_by_id'], unique=False)
    op.create_index(op.f('ix_tasks_domain'), 'tasks', ['domain'], unique=False)
    op.create_index(op.f('ix_tasks_due_at'), 'tasks', ['due_at'], unique=False)
    op.create_index(op.f('ix_tasks_event_id'), 'tasks', ['event_id'], unique=False)
    op.create_index(op.f('ix_tasks_need_id'), 'tasks', ['need_id'], unique=False)
    op.create_index(op.f('ix_tasks_policy_id'), 'tasks', ['policy_id'], unique=False)
    op.create_index(op.f('ix_tasks_ppa_id'), 'tasks', ['ppa_id'], unique=False)
    op.create_index(op.f('ix_tasks_priority'), 'tasks', ['priority'], unique=False)
    op.create_index(op.f('ix_tasks_recurrence_parent_id'), 'tasks', ['recurrence_parent_id'], unique=False)
    op.create_index(op.f('ix_tasks_status'), 'tasks', ['status'], unique=False)
    op.create_index(op.f('ix_tasks_template_item_id'), 'tasks', ['template_item_id'], unique=False)
    op.create_index('uq_tasks_generation_key', 'tasks', ['generation_key'], unique=True, postgresql_where='generation_key IS NOT NULL')
    op.create_table('bookings',
    sa.Column('resource_id', sa.BigInteger(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', name='bookingstatus', native_enum=False, create_constraint=True, length=32), server_default='PENDING', nullable=False),
    sa.Column('purpose', sa.String(length=500), server_default='', nullable=False),
    sa.Column('requested_by_id', sa.BigInteger(), nullable=True),
    sa.Column('decided_by_id', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('event_recurrence_id', sa.DateTime(timezone=True), nullable=True),
    sa.Column('task_id', sa.BigInteger(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    postgresql.ExcludeConstraint((sa.column('resource_id'), '='), (sa.text("tstzrange(blocked_from, blocked_until, '[)')"), '&&'), where=sa.text("status IN ('PENDING', 'APPROVED')"), using='gist', name='no_overlapping_bookings'),
    sa.CheckConstraint('blocked_from <= starts_at AND blocked_until >= ends_at', name=op.f('ck_bookings_blocked_covers_slot')),
    sa.CheckConstraint('num_nonnulls(event_id, task_id) <= 1', name=op.f('ck_bookings_one_linked_object')),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_bookings_starts_before_ends')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_bookings_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_bookings_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_bookings_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_bookings_resource_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_bookings_task_id_tasks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    op.create_index(op.f('ix_bookings_event_id'), 'bookings', ['event_id'], unique=False)
    op.create_index(op.f('ix_bookings_requested_by_id'), 'bookings', ['requested_by_id'], unique=False)
    op.create_index(op.f('ix_bookings_resource_id'), 'bookings', ['resource_id'], unique=False)
    op.create_index(op.f('ix_bookings_starts_at'), 'bookings', ['starts_at'], unique=False)
    op.create_index(op.f('ix_bookings_status'), 'bookings', ['status'], unique=False)
    op.create_index(op.f('ix_bookings_task_id'), 'bookings', ['task_id'], unique=False)
    op.create_table('task_assignees',
    sa.Column('task_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_assignees_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_assignees_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'user_id', name=op.f('pk_task_assignees'))
    )
    op.create_index(op.f('ix_task_assignees_user_id'), 'task_assignees', ['user_id'], unique=False)
    op.create_table('task_teams',
    sa.Column('task_id', sa.BigInteger(), nullable=False),
    sa.Column('team_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_teams_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_task_teams_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'team_id', name=op.f('pk_task_teams'))
    )
    op.create_index(op.f('ix_task_teams_team_id'), 'task_teams', ['team_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_task_teams_team_id'), table_name='task_teams')
    op.drop_table('task_teams')
    op.drop_index(op.f('ix_task_assignees_user_id'), table_name='task_assignees')
    op.drop_table('task_assignees')
    op.drop_index(op.f('ix_bookings_task_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_status'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_starts_at'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_resource_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_requested_by_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_event_id'), table_name='bookings')
    op.drop_table('bookings')
    op.drop_index('uq_tasks_generation_key', table_name='tasks', postgresql_where='generation_key IS NOT NULL')
    op.drop_index(op.f('ix_tasks_template_item_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_status'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_recurrence_parent_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_priority'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_ppa_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_policy_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_need_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_event_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_due_at'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_domain'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_created_by_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_community_id'), table_name='tasks')
    op.drop_index('ix_tasks_board', table_name='tasks')
    op.drop_index(op.f('ix_tasks_assessment_id'), table_name='tasks')
    op.drop_table('tasks')
    op.drop_index(op.f('ix_ppa_needs_need_id'), table_name='ppa_needs')
    op.drop_table('ppa_needs')
    op.drop_index(op.f('ix_ppa_transitions_ppa_id'), table_name='ppa_transitions')
    op.drop_index(op.f('ix_ppa_transitions_at'), table_name='ppa_transitions')
    op.drop_index(op.f('ix_ppa_transitions_actor_id'), table_name='ppa_transitions')
    op.drop_table('ppa_transitions')
    op.drop_index(op.f('ix_ppa_stage_schedules_starts_on'), table_name='ppa_stage_schedules')
    op.drop_index(op.f('ix_ppa_stage_schedules_ppa_id'), table_name='ppa_stage_schedules')
    op.drop_table('ppa_stage_schedules')
    op.drop_index(op.f('ix_ppa_policies_policy_id'), table_name='ppa_policies')
    op.drop_table('ppa_policies')
    op.drop_index(op.f('ix_ppa_milestones_ppa_id'), table_name='ppa_milestones')
    op.drop_index(op.f('ix_ppa_milestones_due_on'), table_name='ppa_milestones')
    op.drop_table('ppa_milestones')
    op.drop_index(op.f('ix_needs_status'), table_name='needs')
    op.drop_index(op.f('ix_needs_community_id'), table_name='needs')
    op.drop_index(op.f('ix_needs_category'), table_name='needs')
    op.drop_index(op.f('ix_needs_assessment_id'), table_name='needs')
    op.drop_table('needs')
    op.drop_index(op.f('ix_event_participants_user_id'), table_name='event_participants')
    op.drop_table('event_participants')
    op.drop_index(op.f('ix_event_overrides_starts_at'), table_name='event_overrides')
    op.drop_table('event_overrides')
    op.drop_index(op.f('ix_team_memberships_user_id'), table_name='team_memberships')
    op.drop_table('team_memberships')
    op.drop_index(op.f('ix_task_template_items_template_id'), table_name='task_template_items')
    op.drop_table('task_template_items')
    op.drop_index(op.f('ix_share_links_owner_id'), table_name='share_links')
    op.drop_table('share_links')
    op.drop_index(op.f('ix_ppas_status'), table_name='ppas')
    op.drop_index(op.f('ix_ppas_starts_on'), table_name='ppas')
    op.drop_index(op.f('ix_ppas_stage'), table_name='ppas')
    op.drop_index(op.f('ix_ppas_owner_id'), table_name='ppas')
    op.drop_index(op.f('ix_ppas_lead_team_id'), table_name='ppas')
    op.drop_index(op.f('ix_ppas_ends_on'), table_name='ppas')
    op.drop_index(op.f('ix_ppas_community_id'), table_name='ppas')
    op.drop_index(op.f('ix_ppas_category'), table_name='ppas')
    op.drop_index(op.f('ix_ppas_budget_status'), table_name='ppas')
    op.drop_table('ppas')
    op.drop_index(op.f('ix_policies_status'), table_name='policies')
    op.drop_index(op.f('ix_policies_review_on'), table_name='policies')
    op.drop_index(op.f('ix_policies_owner_id'), table_name='policies')
    op.drop_index(op.f('ix_policies_effective_on'), table_name='policies')
    op.drop_index(op.f('ix_policies_community_id'), table_name='policies')
    op.drop_table('policies')
    op.drop_index('ix_notifications_user_unread', table_name='notifications')
    op.drop_index(op.f('ix_notifications_user_id'), table_name='notifications')
    op.drop_index(op.f('ix_notifications_kind'), table_name='notifications')
    op.drop_index('ix_notifications_due', table_name='notifications', postgresql_where="email_status = 'PENDING'")
    op.drop_table('notifications')
    op.drop_index('uq_events_quarterly_team_period', table_name='events', postgresql_where='is_quarterly_coordination AND parent_event_id IS NULL')
    op.drop_index('ix_events_window', table_name='events')
    op.drop_index(op.f('ix_events_visibility'), table_name='events')
    op.drop_index(op.f('ix_events_team_id'), table_name='events')
    op.drop_index(op.f('ix_events_parent_event_id'), table_name='events')
    op.drop_index(op.f('ix_events_owner_id'), table_name='events')
    op.drop_index(op.f('ix_events_module'), table_name='events')
    op.drop_index(op.f('ix_events_community_id'), table_name='events')
    op.drop_table('events')
    op.drop_index('uq_change_log_position', table_name='change_log')
    op.drop_index('ix_change_log_unpublished', table_name='change_log', postgresql_where='position IS NULL')
    op.drop_index(op.f('ix_change_log_created_at'), table_name='change_log')
    op.drop_table('change_log')
    op.drop_table('calendar_preferences')
    op.drop_index('ix_audit_log_entity', table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_actor_id'), table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index(op.f('ix_assessments_status'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_report_on'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_planning_on'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_owner_id'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_lead_team_id'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_data_collection_on'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_community_id'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_analysis_on'), table_name='assessments')
    op.drop_table('assessments')
    op.drop_index('uq_users_email_lower', table_name='users')
    op.drop_index(op.f('ix_users_role'), table_name='users')
    op.drop_table('users')
    op.drop_table('teams')
    op.drop_index('uq_task_templates_default_kind', table_name='task_templates', postgresql_where='is_default')
    op.drop_index(op.f('ix_task_templates_kind'), table_name='task_templates')
    op.drop_table('task_templates')
    op.drop_index(op.f('ix_resources_kind'), table_name='resources')
    op.drop_table('resources')
    op.drop_table('communities')
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
