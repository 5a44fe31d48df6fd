"""dashboard indexes: what the dashboards' statements need at national scale, found with EXPLAIN ANALYZE

- skill_awards (learner_id, skill_id, level), barrier_items (learner_id, barrier, status, already_in_place) and
  readiness_status_changes (learner_id, changed_at, id, status): covering indexes, so reading many learners' held
  levels, checklists and current status is an index-only scan. They replace the narrower learner indexes.
- cohort_memberships (cohort_id, learner_id) where left_at is null, and learner_profiles (user_id) where
  released_at is null: a cohort's current, unreleased learners without reading either table.
- certificates (issued_at): certificates issued this month, for the national view, without a full scan.

On a large PostgreSQL database these take a few seconds each and hold a write lock on their table meanwhile:
run the upgrade when the service is quiet.

Revision ID: 0009_dashboard_indexes
Revises: 0008_read_models
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_dashboard_indexes'
down_revision = '0008_read_models'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('barrier_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_barrier_items_learner_id'))
        batch_op.create_index('ix_barrier_items_learner_states', ['learner_id', 'barrier', 'status', 'already_in_place'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_issued_at', ['issued_at'], unique=False)

    with op.batch_alter_table('cohort_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_cohort_memberships_cohort_current', ['cohort_id', 'learner_id'], unique=False, sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))

    with op.batch_alter_table('learner_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_learner_profiles_current', ['user_id'], unique=False, sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))

    with op.batch_alter_table('readiness_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readiness_status_changes_learner_time'))
        batch_op.create_index('ix_readiness_status_changes_learner_order', ['learner_id', 'changed_at', 'id', 'status'], unique=False)

    with op.batch_alter_table('skill_awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_awards_learner_id'))
        batch_op.create_index('ix_skill_awards_learner_levels', ['learner_id', 'skill_id', 'level'], unique=False)



def downgrade():
    with op.batch_alter_table('skill_awards', schema=None) as batch_op:
        batch_op.drop_index('ix_skill_awards_learner_levels')
        batch_op.create_index(batch_op.f('ix_skill_awards_learner_id'), ['learner_id'], unique=False)

    with op.batch_alter_table('readiness_status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_status_changes_learner_order')
        batch_op.create_index(batch_op.f('ix_readiness_status_changes_learner_time'), ['learner_id', 'changed_at'], unique=False)

    with op.batch_alter_table('learner_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_profiles_current', sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))

    with op.batch_alter_table('cohort_memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_cohort_memberships_cohort_current', sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_issued_at')

    with op.batch_alter_table('barrier_items', schema=None) as batch_op:
        batch_op.drop_index('ix_barrier_items_learner_states')
        batch_op.create_index(batch_op.f('ix_barrier_items_learner_id'), ['learner_id'], unique=False)

