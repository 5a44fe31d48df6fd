"""The learner's own plans: goals with steps, and confidence self-assessments.

Goals follow the prison service's learning-plan model (a goal with a target
date and ordered steps). Confidence ratings are kept as a history: the newest
rating per skill is the current one, and mentors' assessments sit beside them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.i18n import _l
from skillpath.models._types import UTCDateTime, new_uuid, str_enum, utcnow
from skillpath.models.catalogue import SkillLevel


class GoalStatus(StrEnum):
    """The prison service's GoalStatus, exactly."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    ARCHIVED = "ARCHIVED"

    @property
    def label(self) -> str:
        """The words a person reads, in their language (the value is the prison service's code)."""
        return str(_GOAL_STATUS_LABELS[self.value])


_GOAL_STATUS_LABELS = {"ACTIVE": _l("In progress"), "COMPLETED": _l("Completed"), "ARCHIVED": _l("Archived")}


class StepStatus(StrEnum):
    """The prison service's StepStatus, exactly."""

    NOT_STARTED = "NOT_STARTED"
    ACTIVE = "ACTIVE"
    COMPLETE = "COMPLETE"

    @property
    def label(self) -> str:
        return str(_STEP_STATUS_LABELS[self.value])


_STEP_STATUS_LABELS = {"NOT_STARTED": _l("Not started"), "ACTIVE": _l("In progress"), "COMPLETE": _l("Done")}


class ReasonToArchiveGoal(StrEnum):
    """The prison service's ReasonToArchiveGoal, exactly. OTHER comes with free text
    (Goal.archive_reason_other, at most ARCHIVE_REASON_OTHER_MAX_LENGTH characters, as theirs)."""

    PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL = "PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL"
    PRISONER_NO_LONGER_WANTS_TO_WORK_WITH_CIAG = "PRISONER_NO_LONGER_WANTS_TO_WORK_WITH_CIAG"
    SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON = "SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON"
    OTHER = "OTHER"

    @property
    def label(self) -> str:
        """How the learner, who archives their own goal, says it (first person)."""
        return str(ARCHIVE_REASON_LABELS[self.value])

    @property
    def staff_label(self) -> str:
        """How staff read it (in exports): close to the prison service's own wording."""
        return str(_ARCHIVE_REASON_STAFF_LABELS[self.value])


# Lazy, keyed by code: forms offer them as choices, read in the language of the request that draws the form.
ARCHIVE_REASON_LABELS = {
    "PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL": _l("I no longer want this goal"),
    "PRISONER_NO_LONGER_WANTS_TO_WORK_WITH_CIAG": _l("I no longer want careers advice and guidance"),
    "SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON": _l("The activities I need for it are not available here"),
    "OTHER": _l("Other"),
}
_ARCHIVE_REASON_STAFF_LABELS = {
    "PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL": _l("No longer wants to work towards this goal"),
    "PRISONER_NO_LONGER_WANTS_TO_WORK_WITH_CIAG": _l("No longer wants careers information, advice and guidance"),
    "SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON": _l("Suitable activities not available in this prison"),
    "OTHER": _l("Other"),
}
ARCHIVE_REASON_OTHER_MAX_LENGTH = 512


class EmployabilitySkill(StrEnum):
    TEAMWORK = "TEAMWORK"
    TIMEKEEPING = "TIMEKEEPING"
    COMMUNICATION = "COMMUNICATION"
    PLANNING = "PLANNING"
    ORGANISATION = "ORGANISATION"
    PROBLEM_SOLVING = "PROBLEM_SOLVING"
    INITIATIVE = "INITIATIVE"
    ADAPTABILITY = "ADAPTABILITY"
    RELIABILITY = "RELIABILITY"
    CREATIVITY = "CREATIVITY"

    @property
    def label(self) -> str:
        return str(_EMPLOYABILITY_SKILL_LABELS[self.value])


_EMPLOYABILITY_SKILL_LABELS = {
    "TEAMWORK": _l("Teamwork"),
    "TIMEKEEPING": _l("Timekeeping"),
    "COMMUNICATION": _l("Communication"),
    "PLANNING": _l("Planning"),
    "ORGANISATION": _l("Organisation"),
    "PROBLEM_SOLVING": _l("Problem solving"),
    "INITIATIVE": _l("Initiative"),
    "ADAPTABILITY": _l("Adaptability"),
    "RELIABILITY": _l("Reliability"),
    "CREATIVITY": _l("Creativity"),
}


class Confidence(StrEnum):
    NOT_CONFIDENT = "NOT_CONFIDENT"
    LITTLE_CONFIDENCE = "LITTLE_CONFIDENCE"
    QUITE_CONFIDENT = "QUITE_CONFIDENT"
    VERY_CONFIDENT = "VERY_CONFIDENT"

    @property
    def label(self) -> str:
        return str(_CONFIDENCE_LABELS[self.value])


_CONFIDENCE_LABELS = {
    "NOT_CONFIDENT": _l("Not confident"),
    "LITTLE_CONFIDENCE": _l("A little confident"),
    "QUITE_CONFIDENT": _l("Quite confident"),
    "VERY_CONFIDENT": _l("Very confident"),
}


class Goal(db.Model):  # type: ignore[name-defined]
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus), default=GoalStatus.ACTIVE)
    archive_reason: Mapped[ReasonToArchiveGoal | None] = mapped_column(str_enum(ReasonToArchiveGoal, length=200))
    archive_reason_other: Mapped[str | None] = mapped_column(String(ARCHIVE_REASON_OTHER_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    steps: Mapped[list[GoalStep]] = relationship(
        back_populates="goal", order_by="GoalStep.position", cascade="all, delete-orphan"
    )


class GoalStep(db.Model):  # type: ignore[name-defined]
    __tablename__ = "goal_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[StepStatus] = mapped_column(str_enum(StepStatus), default=StepStatus.NOT_STARTED)

    goal: Mapped[Goal] = relationship(back_populates="steps")


class ConfidenceRating(db.Model):  # type: ignore[name-defined]
    """How confident someone judges a learner to be in one skill.

    Exactly one of skill_id (a framework skill) or employability_skill is set.
    The learner rates themself; a mentor's assessment is recorded with the
    mentor as assessor and a framework level where one applies.
    """

    __tablename__ = "confidence_ratings"
    __table_args__ = (Index("ix_confidence_ratings_learner_time", "learner_id", "rated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("skills.id"))
    employability_skill: Mapped[EmployabilitySkill | None] = mapped_column(str_enum(EmployabilitySkill))
    confidence: Mapped[Confidence | None] = mapped_column(str_enum(Confidence))
    assessed_level: Mapped[SkillLevel | None] = mapped_column(str_enum(SkillLevel))
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assessor = relationship("User", foreign_keys=[assessor_id])


class CvDocument(db.Model):  # type: ignore[name-defined]
    """A learner's skills-based CV: what they add themselves (work history, education, interests,
    a few words about them). Skills, certificates and modules come from the record when it is built."""

    __tablename__ = "cv_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DisclosureDraft(db.Model):  # type: ignore[name-defined]
    """A disclosure statement the learner chose to save. Criminal-offence data (UK GDPR Article 10):
    stored encrypted, readable only by the learner, and left out of every staff view, audit detail,
    export, credential and log. By default nothing is saved at all."""

    __tablename__ = "disclosure_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
