"""A learner with a whole record, for the tests of custody details fading and of closing an account.

Two establishments and two cohorts (a move between them), staff who wrote notes, returned a module, assessed the
learner, set a goal and a checklist item, looked at the record from a prison address; the learner's own words
(evidence with a file, a confidence answer, a CV, a saved disclosure draft), skills, a certificate and a share
link. `Leaver` lists the words that tie the learner to custody, the staff notes, and the learner's own words, so a
test can look for them in every table.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from skillpath.extensions import db
from skillpath.models import (
    Barrier,
    BarrierStatus,
    Certificate,
    Cohort,
    Confidence,
    ConfidenceRating,
    CvDocument,
    DisclosureDraft,
    EmployabilitySkill,
    Establishment,
    Evidence,
    ProgressKind,
    ShareLink,
    ShareLinkView,
    SkillLevel,
    User,
    WorkReadiness,
)
from skillpath.services.audit.audit import record_event
from skillpath.services.certificates import certificates
from skillpath.services.learners import transfers
from skillpath.services.plans import goals
from skillpath.services.progress import evidence, progress
from skillpath.services.progress.mentor_assessments import record_mentor_assessment
from skillpath.services.readiness import barriers, work_status
from skillpath.settings import evidence_storage, upload_folder
from tests import factories

PRISON_NUMBER = "Q4321ZX"
RELEASE_DATE = date(2025, 2, 14)
ESTABLISHMENT = "HMP Larchmoor Vale"
ESTABLISHMENT_CODE = "QZX"
OTHER_ESTABLISHMENT = "HMP Thornbury Mill"
OTHER_CODE = "QZY"
COHORT = "Kitchen skills – spring"
FIRST_COHORT = "Digital basics – winter"
PRISON_ADDRESS = "10.20.30.40"
NAME = "Aleksandra Wiśniewska"
USERNAME = "aleksandra.w"
EMAIL = "ola.wisniewska@example.org"

FEEDBACK = "Redo part 2 before Friday's class on the wing"
BARRIER_NOTE = "Birth certificate held in reception"
ASSESSMENT = "Steady worker in the education block"

REFLECTION = "Naprawiłam drukarkę sama: I fixed the printer myself"
CV_STATEMENT = "I like finding out why things stop working, then fixing them"
GOAL = "Apply for three warehouse jobs"
SHARE_LABEL = "For the warehouse job"
FILE_BYTES = b"My notes on the printer, in my own words.\n"


@dataclass
class Leaver:
    learner: User
    mentor: User
    lead: User
    admin: User
    establishment: Establishment
    cohort: Cohort
    other_establishment: Establishment
    first_cohort: Cohort
    certificate: Certificate
    evidence: Evidence
    evidence_path: Path
    released_at: datetime | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def custody_words(self) -> list[str]:
        return [
            PRISON_NUMBER,
            ESTABLISHMENT,
            ESTABLISHMENT_CODE,
            OTHER_ESTABLISHMENT,
            OTHER_CODE,
            COHORT,
            FIRST_COHORT,
            PRISON_ADDRESS,
            RELEASE_DATE.isoformat(),
            str(self.establishment.public_id),
            str(self.other_establishment.public_id),
            str(self.cohort.public_id),
            str(self.first_cohort.public_id),
        ]

    @property
    def staff_notes(self) -> list[str]:
        return [FEEDBACK, BARRIER_NOTE, ASSESSMENT]

    @property
    def own_words(self) -> list[str]:
        return [REFLECTION, CV_STATEMENT, GOAL, SHARE_LABEL, NAME, USERNAME, EMAIL]


def build_leaver(*, released_at: datetime | None) -> Leaver:
    """The learner, their record and the staff around it; released at `released_at` (None: still in custody)."""
    establishment = factories.make_establishment(name=ESTABLISHMENT, code=ESTABLISHMENT_CODE)
    other = factories.make_establishment(name=OTHER_ESTABLISHMENT, code=OTHER_CODE)
    cohort = factories.make_cohort(establishment=establishment, name=COHORT)
    first_cohort = factories.make_cohort(establishment=other, name=FIRST_COHORT)
    mentor = factories.make_mentor(cohorts=[cohort], display_name="Morwenna Staffwright")
    lead = factories.make_mentor(establishment=establishment, is_establishment_lead=True, display_name="Hal Lead")
    admin = factories.make_admin(display_name="Ada Admin")
    skill = factories.make_skill(name="Fixing printers")
    job = factories.make_role_level(skills={skill: SkillLevel.WORKING})
    learner = factories.make_learner(
        cohort=first_cohort,
        prison_number=PRISON_NUMBER,
        release_date=RELEASE_DATE,
        target_role_level=job,
        display_name=NAME,
        username=USERNAME,
        email=EMAIL,
        created_by_id=mentor.id,
    )
    transfers.transfer_learner(learner, cohort, by=admin)

    module = factories.make_module(units=1, skills={skill: SkillLevel.WORKING})
    enrolment = progress.enrol(learner, module, actor=learner)
    progress.set_unit_done(enrolment, module.units[0], True, actor=learner)
    upload = evidence.check_upload(io.BytesIO(FILE_BYTES), "printer.txt", max_bytes=1024 * 1024)
    item = evidence.add_evidence(
        enrolment, reflection=REFLECTION, upload=upload, actor=learner, storage=evidence_storage()
    )
    progress.log_event(enrolment, ProgressKind.SUBMITTED, actor=learner)
    progress.log_event(enrolment, ProgressKind.RETURNED, actor=mentor, note=FEEDBACK)
    progress.log_event(enrolment, ProgressKind.SUBMITTED, actor=learner)
    progress.sign_off(enrolment, mentor=mentor)
    certificate = certificates.issue_module_certificate(enrolment, mentor=mentor)

    goals.create_goal(learner, title=GOAL, target_date=None, steps=["Write my CV"], actor=mentor)
    db.session.add(
        ConfidenceRating(
            learner_id=learner.id,
            assessor_id=learner.id,
            employability_skill=EmployabilitySkill.TEAMWORK,
            confidence=Confidence.QUITE_CONFIDENT,
        )
    )
    record_mentor_assessment(learner, skill, SkillLevel.WORKING, comment=ASSESSMENT, by=mentor)
    barriers.set_barrier(learner, Barrier.ID, status=BarrierStatus.IN_PROGRESS, by=mentor, note=BARRIER_NOTE)
    work_status.record_status(learner, WorkReadiness.SUPPORT_NEEDED, decline_reason=None, by=mentor)
    record_event("learner.record.viewed", actor=mentor, subject=learner, ip_address=PRISON_ADDRESS, page="record")
    db.session.add(CvDocument(learner_id=learner.id, content={"about": {"statement": CV_STATEMENT}}))
    db.session.add(DisclosureDraft(learner_id=learner.id, ciphertext="sealed-words-only-the-learner-can-open"))
    link = ShareLink(learner_id=learner.id, token_hash="f" * 64, label=SHARE_LABEL, certificates=[certificate])
    link.views.append(ShareLinkView())
    db.session.add(link)
    if released_at is not None:
        transfers.record_release(learner, by=mentor, at=released_at)
    db.session.flush()
    assert item.stored_name is not None
    return Leaver(
        learner=learner,
        mentor=mentor,
        lead=lead,
        admin=admin,
        establishment=establishment,
        cohort=cohort,
        other_establishment=other,
        first_cohort=first_cohort,
        certificate=certificate,
        evidence=item,
        evidence_path=upload_folder() / item.stored_name,
        released_at=released_at,
    )


# --- Looking everywhere --------------------------------------------------------------------------------------


def _contains(text: str, needle: str) -> bool:
    # Whole words only: a three-letter establishment code must not match inside a password hash or a signature.
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(needle)}(?![A-Za-z0-9])", text) is not None


def found_in(text: str, needles: Iterable[str]) -> list[str]:
    return [needle for needle in needles if _contains(text, needle)]


# The prison's own rows: an establishment and its cohorts stay, with their names, after a learner has gone.
PLACE_TABLES = frozenset({"establishments", "cohorts"})


def scan_tables(needles: Iterable[str], *, dates: Iterable[date] = ()) -> list[str]:
    """Every text and JSON column of every table but the places themselves, searched for each needle; every date
    column for each date."""
    needles, dates = list(needles), set(dates)
    hits = []
    for table in db.metadata.sorted_tables:
        if table.name in PLACE_TABLES:
            continue
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON | sa.Date)]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, date):
                    if value in dates:
                        hits.append(f"{table.name}.{column.name} = {value}")
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                hits += [f"{table.name}.{column.name} holds {needle!r}" for needle in found_in(text, needles)]
    return hits


def snapshot() -> dict[str, list[str]]:
    """Every row of every table, to compare before and after."""
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(table)))
        for table in db.metadata.sorted_tables
    }
