"""session password rechecks: how many wrong passwords a signed-in session has typed to confirm a change

Typing the password again (to change it, or to close the account) is capped per session: after
PASSWORD_RECHECK_LIMIT wrong ones the session is signed out. The count lives on the session's row, so every
worker and host sees the same count and a replayed cookie cannot reset it.

Revision ID: 0010_session_password_rechecks
Revises: 0009_dashboard_indexes
Create Date: 2026-11-30 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_session_password_rechecks'
down_revision = '0009_dashboard_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrong_passwords', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('wrong_passwords')
