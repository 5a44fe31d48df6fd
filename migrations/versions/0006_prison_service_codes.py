"""prison service codes: status-change types and goal archive reasons

Two code lists now match the prison service's own (Ministry of Justice open-source services):

- readiness_status_changes.change_type: the prison service's StatusChange has only NEW,
  ACCEPTED_TO_DECLINED and DECLINED_TO_ACCEPTED; a change that is none of these carries no
  status-change type. The column becomes nullable and SkillPath's own `UPDATED` becomes NULL.
- goals.archive_reason: their ReasonToArchiveGoal (PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL,
  PRISONER_NO_LONGER_WANTS_TO_WORK_WITH_CIAG, SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON,
  OTHER) with a free-text goals.archive_reason_other (512 characters, as theirs).
  NO_LONGER_WANTED becomes PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL; SOMETHING_CHANGED
  becomes OTHER with the text "Something changed".

The downgrade maps back: NULL change types become UPDATED; PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL
becomes NO_LONGER_WANTED and every other reason SOMETHING_CHANGED (the free text is lost).

Revision ID: 0006_prison_service_codes
Revises: 0005_after_release
Create Date: 2026-11-30 07:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_prison_service_codes'
down_revision = '0005_after_release'
branch_labels = None
depends_on = None

OLD_CHANGE_TYPES = ('NEW', 'ACCEPTED_TO_DECLINED', 'DECLINED_TO_ACCEPTED', 'UPDATED')
NEW_CHANGE_TYPES = ('NEW', 'ACCEPTED_TO_DECLINED', 'DECLINED_TO_ACCEPTED')


def _change_type(values):
    return sa.Enum(*values, name='statuschangetype', native_enum=False, length=30)


def upgrade():
    with op.batch_alter_table('readiness_status_changes', schema=None) as batch_op:
        batch_op.alter_column(
            'change_type',
            existing_type=_change_type(OLD_CHANGE_TYPES),
            type_=_change_type(NEW_CHANGE_TYPES),
            existing_nullable=False,
            nullable=True,
        )
    op.execute("UPDATE readiness_status_changes SET change_type = NULL WHERE change_type = 'UPDATED'")

    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archive_reason_other', sa.String(length=512), nullable=True))
    op.execute(
        "UPDATE goals SET archive_reason = 'PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL' "
        "WHERE archive_reason = 'NO_LONGER_WANTED'"
    )
    op.execute(
        "UPDATE goals SET archive_reason = 'OTHER', archive_reason_other = 'Something changed' "
        "WHERE archive_reason = 'SOMETHING_CHANGED'"
    )


def downgrade():
    op.execute(
        "UPDATE goals SET archive_reason = 'NO_LONGER_WANTED' "
        "WHERE archive_reason = 'PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL'"
    )
    op.execute(
        "UPDATE goals SET archive_reason = 'SOMETHING_CHANGED' "
        "WHERE archive_reason IS NOT NULL AND archive_reason <> 'NO_LONGER_WANTED'"
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_column('archive_reason_other')

    op.execute("UPDATE readiness_status_changes SET change_type = 'UPDATED' WHERE change_type IS NULL")
    with op.batch_alter_table('readiness_status_changes', schema=None) as batch_op:
        batch_op.alter_column(
            'change_type',
            existing_type=_change_type(NEW_CHANGE_TYPES),
            type_=_change_type(OLD_CHANGE_TYPES),
            existing_nullable=True,
            nullable=False,
        )
