"""read models and stored files: what dashboards read instead of replaying the logs, and evidence in the database

- readiness_periods: each learner's readiness (score and band) at the end of each week, as runs of weeks
  with the same answer; the run still going has no end.
- enrolment_states: where each enrolment stands now (its status, units done, evidence, last activity).
- stored_files: evidence files kept in the database, for hosts that share no folder.

Both read models are worked out from the logs, which stay the source of truth: after upgrading,
`flask read-models rebuild` fills them (make run and the set-up script do it).

Revision ID: 0008_read_models
Revises: 0007_api_clients
Create Date: 2026-11-30 11:10:25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_read_models'
down_revision = '0007_api_clients'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_files'))
    )
    op.create_table('readiness_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Date(), nullable=False),
    sa.Column('ends', sa.Date(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_readiness_periods_learner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_periods'))
    )
    with op.batch_alter_table('readiness_periods', schema=None) as batch_op:
        batch_op.create_index('ix_readiness_periods_current', ['learner_id', 'band', 'score'], unique=True, sqlite_where=sa.text('ends IS NULL'), postgresql_where=sa.text('ends IS NULL'))
        batch_op.create_index('ix_readiness_periods_learner_starts', ['learner_id', 'starts'], unique=True)

    op.create_table('enrolment_states',
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('units_done', sa.Integer(), nullable=False),
    sa.Column('evidence_count', sa.Integer(), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_enrolment_states_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_enrolment_states_learner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_enrolment_states_module_id_modules')),
    sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_enrolment_states'))
    )
    with op.batch_alter_table('enrolment_states', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_states_status_learner', ['status', 'learner_id'], unique=False)



def downgrade():
    with op.batch_alter_table('enrolment_states', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_states_status_learner')

    op.drop_table('enrolment_states')
    with op.batch_alter_table('readiness_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_periods_learner_starts')
        batch_op.drop_index('ix_readiness_periods_current', sqlite_where=sa.text('ends IS NULL'), postgresql_where=sa.text('ends IS NULL'))

    op.drop_table('readiness_periods')
    op.drop_table('stored_files')
