"""The request bodies the staff API reads, field by field (checked by validation.py, described by openapi.py)."""

from __future__ import annotations

from skillpath.api.validation import (
    Field,
    array,
    boolean,
    code,
    integer,
    iso_date,
    json_object,
    nullable,
    text,
)
from skillpath.models import BarrierStatus, DeclineReason, GoalStatus, IdDocument, StepStatus
from skillpath.models.plans import ARCHIVE_REASON_OTHER_MAX_LENGTH, ReasonToArchiveGoal
from skillpath.services.plans.goals import MAX_STEPS, TITLE_MAX
from skillpath.services.progress.progress import FEEDBACK_MAX
from skillpath.services.readiness.work_status import CHOOSABLE

CHOOSABLE_STATUSES = tuple(status.value for status in CHOOSABLE)
GOAL_TITLE_MAX = TITLE_MAX
NOTE_MAX = 2000
ARCHIVE_OTHER_MAX = ARCHIVE_REASON_OTHER_MAX_LENGTH
__all__ = ["FEEDBACK_MAX", "MAX_STEPS"]


def _codes(enum: type) -> list[str]:
    return [member.value for member in enum]  # type: ignore[attr-defined]


WORK_STATUS_UPDATE = {
    "status": Field(code(CHOOSABLE_STATUSES), required=True),
    "declineReason": Field(nullable(code(_codes(DeclineReason)))),
}

BARRIER_UPDATE = {
    "status": Field(code(_codes(BarrierStatus)), required=True),
    "alreadyInPlace": Field(boolean),
    "note": Field(nullable(text(max_length=NOTE_MAX, allow_empty=True))),
    "idDocuments": Field(array(code(_codes(IdDocument)), max_items=len(IdDocument))),
}

GOAL_CREATE = {
    "title": Field(text(max_length=TITLE_MAX), required=True),
    "targetDate": Field(nullable(iso_date)),
    "steps": Field(array(text(max_length=TITLE_MAX), min_items=1, max_items=MAX_STEPS), required=True),
}

STEP_CHANGE = {
    "position": Field(integer(minimum=1, maximum=MAX_STEPS), required=True),
    "status": Field(code(_codes(StepStatus)), required=True),
}

GOAL_PATCH = {
    "title": Field(text(max_length=TITLE_MAX)),
    "targetDate": Field(nullable(iso_date)),
    "status": Field(code([GoalStatus.COMPLETED.value, GoalStatus.ARCHIVED.value])),
    "archiveReason": Field(code(_codes(ReasonToArchiveGoal))),
    "archiveReasonOther": Field(text(max_length=ARCHIVE_OTHER_MAX)),
    "steps": Field(array(json_object(STEP_CHANGE), max_items=MAX_STEPS)),
}

MODULE_RETURN = {"feedback": Field(text(max_length=FEEDBACK_MAX), required=True)}

# A use case's field names (those of the page's form) as the API's JSON names them.
FIELD_POINTERS = {
    "status": "/status",
    "decline_reason": "/declineReason",
    "title": "/title",
    "target_date": "/targetDate",
    "step_1": "/steps",
    "reason": "/archiveReason",
    "reason_other": "/archiveReasonOther",
    "feedback": "/feedback",
    "note": "/note",
}
