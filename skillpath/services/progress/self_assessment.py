"""Confidence ratings: the learner's own, and their mentor's, for each skill.

Ratings are a history. Saving appends a row only for a skill whose rating has
changed; the newest row per skill is the current rating. A rating is "mine"
when the learner is the assessor and "the mentor's" otherwise, so the mentor
side can show both side by side from `latest_ratings`.

Two kinds of skill are rated: the framework skills the learner's target role
level requires, and the ten employability skills the prison service records.

Neither kind has a name a learner can be asked about as it stands ("Adaptability",
"Availability and capacity management"), so each is asked as a plain `Question`
written for a reading age of 9 to 11, kept in data/confidence_questions.toml.
Staff still see the official names.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import (
    Confidence,
    ConfidenceRating,
    EmployabilitySkill,
    RoleLevelSkill,
    Skill,
    SkillLevel,
    User,
)
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import InvalidInput, NotFound
from skillpath.services.locking import lock_learner


@dataclass(frozen=True)
class SkillRef:
    """Which skill a rating is about: a framework skill or an employability skill, never both."""

    skill_id: int | None = None
    employability_skill: EmployabilitySkill | None = None

    def __post_init__(self) -> None:
        if (self.skill_id is None) == (self.employability_skill is None):
            raise ValueError("A rating is about exactly one framework skill or one employability skill")

    @property
    def field_name(self) -> str:
        """A stable name for a form field, such as `skill_12` or `work_problem_solving`."""
        if self.employability_skill is not None:
            return f"work_{self.employability_skill.value.lower()}"
        return f"skill_{self.skill_id}"

    @classmethod
    def of(cls, rating: ConfidenceRating) -> SkillRef:
        return cls(skill_id=rating.skill_id, employability_skill=rating.employability_skill)


@dataclass(frozen=True)
class Question:
    """How a skill is put to the learner: a short everyday name, a question and one line that explains it."""

    short_name: str
    question: str
    explanation: str | None
    # False for a skill we have no words for yet: its official name may start with an acronym ("IT …").
    is_ours: bool = True

    @property
    def legend(self) -> str:
        """The name and the question as one line, such as "Coping with change: can you carry on when plans change?"."""
        return f"{self.short_name}: {_lower_first(self.question)}"

    @property
    def short_name_in_sentence(self) -> str:
        return _lower_first(self.short_name) if self.is_ours else self.short_name


def _lower_first(text: str) -> str:
    # Our questions and short names never start with an acronym (a test checks that).
    return text[:1].lower() + text[1:]


QUESTIONS_FILE = "confidence_questions.toml"


@cache
def _questions() -> tuple[dict[EmployabilitySkill, Question], dict[str, Question]]:
    """The questions for the employability skills (by code) and for framework skills (by exact name)."""
    text = resources.files("skillpath.data").joinpath(QUESTIONS_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)

    def question(entry: Mapping[str, str]) -> Question:
        return Question(entry["short_name"], entry["question"], entry["explanation"])

    work = {EmployabilitySkill(code): question(entry) for code, entry in data["work"].items()}
    job = {entry["skill"]: question(entry) for entry in data["job"]}
    return work, job


def work_skill_question(code: EmployabilitySkill) -> Question:
    return _questions()[0][code]


def job_skill_question(name: str, plain_description: str | None = None) -> Question:
    """Our question for a framework skill; one we have no words for yet is asked by name, with its description."""
    written = _questions()[1].get(name)
    if written is not None:
        return written
    return Question(name, _("How confident do you feel about this?"), plain_description, is_ours=False)


@dataclass(frozen=True)
class Rating:
    """One rating as it stands: who gave it, when, and what they said."""

    confidence: Confidence | None
    assessed_level: SkillLevel | None
    comment: str | None
    rated_at: datetime
    assessor_name: str
    by_learner: bool


@dataclass(frozen=True)
class SkillConfidence:
    """One skill with the learner's latest self-rating and the latest rating by anyone else."""

    ref: SkillRef
    # The official name, as staff know it.
    name: str
    hint: str | None
    # How the learner is asked about it.
    question: Question
    # The level the learner's target role level needs, for framework skills it requires.
    required_level: SkillLevel | None
    mine: Rating | None
    mentor: Rating | None

    @property
    def is_required(self) -> bool:
        return self.required_level is not None


@dataclass(frozen=True)
class ConfidenceOverview:
    """Everything the confidence pages show, for one learner."""

    # The target role level's skills first (in name order), then any other framework skill that has a rating.
    job_skills: tuple[SkillConfidence, ...]
    work_skills: tuple[SkillConfidence, ...]
    has_target: bool

    @property
    def required_job_skills(self) -> tuple[SkillConfidence, ...]:
        return tuple(skill for skill in self.job_skills if skill.is_required)

    @property
    def last_self_rated_at(self) -> datetime | None:
        times = [s.mine.rated_at for s in (*self.job_skills, *self.work_skills) if s.mine is not None]
        return max(times, default=None)

    def find(self, ref: SkillRef) -> SkillConfidence | None:
        return next((s for s in (*self.job_skills, *self.work_skills) if s.ref == ref), None)


def _as_rating(row: ConfidenceRating, learner: User) -> Rating:
    by_learner = row.assessor_id == learner.id
    return Rating(
        confidence=row.confidence,
        assessed_level=row.assessed_level,
        comment=row.comment,
        rated_at=row.rated_at,
        assessor_name=_("You") if by_learner else row.assessor.display_name,
        by_learner=by_learner,
    )


def _history(learner: User) -> list[ConfidenceRating]:
    return list(
        db.session.scalars(
            select(ConfidenceRating)
            .where(ConfidenceRating.learner_id == learner.id)
            .options(selectinload(ConfidenceRating.assessor))
            .order_by(ConfidenceRating.rated_at, ConfidenceRating.id)
        )
    )


def _latest(learner: User, rows: Iterable[ConfidenceRating]) -> tuple[dict[SkillRef, Rating], dict[SkillRef, Rating]]:
    """The newest self-rating and the newest rating by someone else, per skill (rows oldest first)."""
    mine: dict[SkillRef, Rating] = {}
    others: dict[SkillRef, Rating] = {}
    for row in rows:
        rating = _as_rating(row, learner)
        (mine if rating.by_learner else others)[SkillRef.of(row)] = rating
    return mine, others


def latest_ratings(learner: User) -> ConfidenceOverview:
    """Per skill, the learner's latest self-rating and the latest mentor rating. Three queries."""
    mine, others = _latest(learner, _history(learner))
    profile = learner.learner_profile
    target_id = profile.target_role_level_id if profile is not None else None
    required: dict[int, SkillLevel] = {}
    if target_id is not None:
        required = dict(
            db.session.execute(
                select(RoleLevelSkill.skill_id, RoleLevelSkill.level).where(RoleLevelSkill.role_level_id == target_id)
            ).all()
        )
    rated_ids = {ref.skill_id for ref in (*mine, *others) if ref.skill_id is not None}
    skills = list(db.session.scalars(select(Skill).where(Skill.id.in_(set(required) | rated_ids))))
    skills.sort(key=lambda skill: (skill.id not in required, skill.name.lower()))

    def entry(
        ref: SkillRef, name: str, hint: str | None, question: Question, level: SkillLevel | None
    ) -> SkillConfidence:
        return SkillConfidence(ref, name, hint, question, level, mine.get(ref), others.get(ref))

    job = tuple(
        entry(
            SkillRef(skill_id=skill.id),
            skill.name,
            skill.plain_description,
            job_skill_question(skill.name, skill.plain_description),
            required.get(skill.id),
        )
        for skill in skills
    )
    work = tuple(
        entry(SkillRef(employability_skill=code), code.label, None, work_skill_question(code), None)
        for code in EmployabilitySkill
    )
    return ConfidenceOverview(job_skills=job, work_skills=work, has_target=target_id is not None)


def record_self_ratings(
    learner: User, answers: Mapping[SkillRef, Confidence], *, at: datetime | None = None
) -> list[ConfidenceRating]:
    """Append a self-rating for each skill whose answer differs from the learner's current one.

    Returns the rows added; an unchanged answer adds nothing, so saving twice is harmless.
    """
    lock_learner(learner)
    current, _ = _latest(
        learner,
        (row for row in _history(learner) if row.assessor_id == learner.id),
    )
    when = at or utcnow()
    added = []
    for ref, confidence in answers.items():
        existing = current.get(ref)
        if existing is not None and existing.confidence == confidence:
            continue
        added.append(
            ConfidenceRating(
                learner_id=learner.id,
                assessor_id=learner.id,
                skill_id=ref.skill_id,
                employability_skill=ref.employability_skill,
                confidence=confidence,
                rated_at=when,
            )
        )
    db.session.add_all(added)
    return added


class RatingGroup(StrEnum):
    """The two pages of questions: the skills the chosen job needs, and the skills for any work."""

    JOB_SKILLS = "job-skills"
    WORK_SKILLS = "work-skills"


def skills_to_rate(overview: ConfidenceOverview, group: RatingGroup) -> tuple[SkillConfidence, ...]:
    """The questions on one page: for the job, only the skills the learner's chosen job needs."""
    return overview.required_job_skills if group is RatingGroup.JOB_SKILLS else overview.work_skills


@dataclass(frozen=True)
class Rated:
    """What answering a page of questions changed: the answers that differ from the learner's last ones."""

    added: tuple[ConfidenceRating, ...]

    @property
    def changed(self) -> bool:
        return bool(self.added)


def rate_confidence(learner: User, group: RatingGroup, answers: Mapping[SkillRef, Confidence]) -> Rated:
    """The learner answers one page of the self-assessment: how confident they feel in each skill on it.

    Only the skills on that page may be answered (InvalidInput otherwise, on the skill's field); the job page
    needs a chosen job (NotFound). Answers that differ from the learner's last ones are kept, with one audit
    event saying how many changed; the same answers again change nothing and record nothing.
    """
    overview = latest_ratings(learner)
    if learner.learner_profile is None or (group is RatingGroup.JOB_SKILLS and not overview.has_target):
        raise NotFound(_("Choose a job to work towards first"))
    offered = {skill.ref for skill in skills_to_rate(overview, group)}
    for ref in answers:
        if ref not in offered:
            raise InvalidInput(_("That skill is not one of the questions on this page"), field=ref.field_name)
    added = record_self_ratings(learner, answers)
    if added:
        record_event(
            AuditAction.LEARNER_CONFIDENCE_RATED, actor=learner, subject=learner, group=group.value, changed=len(added)
        )
        learner.learner_profile.last_activity_at = utcnow()
    return Rated(tuple(added))
