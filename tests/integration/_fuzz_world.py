"""One small world for the URL-map fuzz test: one of everything a page can be about, and who may see it.

Plain functions with keyword defaults, like tests/factories.py (which they build on). They flush, never commit.
`build_world` returns the users and, for every URL converter name the app uses, the real value to put in it.
A new endpoint with a new converter name needs its value here: the fuzz test says so, naming the endpoint.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app

from skillpath.auth.passwords import hash_secret, verify_secret
from skillpath.extensions import db
from skillpath.models import ApiScope, Barrier, BarrierStatus, Certificate, SkillLevel, StatusList, StepStatus, User
from skillpath.services.api import clients as api_clients
from skillpath.services.api import tokens
from skillpath.services.certificates import certificates as certificate_service
from skillpath.services.certificates import sharing
from skillpath.services.certificates.certificates import format_code
from skillpath.services.certificates.es256_keys import es256_signing_key
from skillpath.services.certificates.signing import signing_key
from skillpath.services.learners import accounts, sessions
from skillpath.services.plans import cv, goals
from skillpath.services.progress import evidence, progress
from skillpath.services.progress.evidence_storage import LocalFolderStorage
from skillpath.services.readiness import barriers
from skillpath.verify.problems import PROBLEM_TYPES
from tests import factories
from tests.integration._mentor_world import finish_module

_numbers = itertools.count(1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class FuzzWorld:
    learner: User
    mentor: User  # the head of education of the learner's establishment, and mentor of their cohort
    admin: User
    newcomer: User  # a learner who has not set up their account yet
    newcomer_code: str
    api_token: str  # a staff API client's bearer token: every scope, bound to the learner's establishment
    # URL converter name -> value; (endpoint, blueprint or role; converter name) -> value where one needs another.
    values: dict[str, str] = field(default_factory=dict)
    endpoint_values: dict[tuple[str, str], str] = field(default_factory=dict)


def build_world() -> FuzzWorld:
    establishment = factories.make_establishment()
    cohort = factories.make_cohort(establishment=establishment)
    factories.make_cohort(establishment=establishment)  # somewhere to move the learner to
    mentor = factories.make_mentor(cohorts=[cohort], is_establishment_lead=True)
    factories.make_mentor(establishment=establishment)  # a mentor the admin can assign to the cohort
    admin = factories.make_admin()

    skill = factories.make_skill()
    job = factories.make_role_level(skills={skill: SkillLevel.AWARENESS})
    learner = factories.make_learner(cohort=cohort, target_role_level=job)

    # A signed-off module with its certificate, and every barrier done: the learner is ready for work,
    # so the staff page offers "confirm ready".
    signed_off = factories.make_module(skills={skill: SkillLevel.WORKING})
    done = progress.enrol(learner, signed_off, actor=learner)
    progress.sign_off(done, mentor=mentor)
    certificate = certificate_service.issue_module_certificate(done, mentor=mentor)
    for barrier in Barrier:
        barriers.set_barrier(learner, barrier, status=BarrierStatus.COMPLETED, by=mentor)

    # A module waiting for sign-off, with evidence that has a file.
    waiting = factories.make_module(skills={skill: SkillLevel.WORKING})
    enrolment = finish_module(learner, waiting)
    upload = evidence.check_upload(io.BytesIO(PNG), "screenshot.png", max_bytes=1024 * 1024)
    item = evidence.add_evidence(
        enrolment,
        reflection="I reset a password.",
        upload=upload,
        actor=learner,
        storage=LocalFolderStorage(_upload_folder()),
    )
    not_started = factories.make_module()

    goal, _created = goals.create_goal(
        learner,
        title="Get my CV ready",
        target_date=goals.today_in_uk() + timedelta(days=90),
        steps=["Write it", "Ask my mentor to read it"],
        actor=learner,
    )
    for step in goal.steps:  # every step done, so the goal's page offers "mark as completed"
        goals.set_step_status(goal, step, StepStatus.COMPLETE, actor=learner)
    # Each user is also signed in on another computer, so "Where you are signed in" offers to end that session.
    elsewhere = {
        user: sessions.start_session(user, user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/130.0")
        for user in (learner, mentor, admin)
    }
    newcomer = accounts.create_learner(
        username=f"newcomer{next(_numbers)}", preferred_name="Sam", cohort=cohort, created_by=mentor, activation_days=14
    )
    job = cv.Entry(id=cv.new_entry_id(), title="Warehouse operative")  # a CV with a job to change or remove
    cv.save_entry(learner, cv.Section.WORK, job)
    link_token = sharing.new_token()
    link, _created = sharing.create_share_link(
        learner,
        token=link_token,
        certificate_ids=[certificate.public_id],
        label="For the interview",
        last_day=None,
        actor=learner,
    )
    api_client = api_clients.register_client(
        name="Fuzzed system",
        scopes=[scope.value for scope in ApiScope],
        establishment_ids=[establishment.public_id],
        by=admin,
        hash_secret=hash_secret,
    )
    db.session.flush()
    api_token = tokens.issue_token(
        client_id=api_client.client.client_id, client_secret=api_client.secret, scope=None, check_secret=verify_secret
    ).access_token
    db.session.flush()
    return FuzzWorld(
        learner=learner,
        mentor=mentor,
        admin=admin,
        newcomer=newcomer.user,
        newcomer_code=newcomer.activation_code,
        api_token=api_token,
        values={
            "learner_id": str(learner.public_id),
            "cohort_id": str(cohort.public_id),
            "establishment_id": str(establishment.public_id),
            "mentor_id": str(mentor.public_id),
            "user_id": str(mentor.public_id),
            "enrolment_id": str(enrolment.public_id),
            "unit_id": str(waiting.units[0].public_id),
            "code": waiting.code,
            "evidence_id": str(item.public_id),
            "certificate_id": str(certificate.public_id),
            "goal_id": str(goal.public_id),
            "position": "1",
            "link_id": str(link.public_id),
            "token": link_token,
            "slug": next(iter(PROBLEM_TYPES)),
            "kid": es256_signing_key().kid,
            "client_id": str(api_client.client.public_id),
            "kind": "awaiting-sign-off",  # a mentor's to-do list, in full
            **_status_list_of(certificate),
        },
        endpoint_values={
            ("learners.start_module", "code"): not_started.code,
            ("cv", "code"): signed_off.code,  # a module the learner completed, to write about on their CV
            ("cv", "section"): cv.Section.WORK.value,
            ("cv", "entry_id"): job.id,
            # A certificate code, not a module code, everywhere employers go.
            ("verify", "code"): format_code(certificate.code),
            ("sharing", "code"): format_code(certificate.code),
            # The staff API: a barrier's code; a module already signed off (signing off or returning it is refused).
            ("api.barrier", "code"): Barrier.ID.value,
            ("api.barrier_update", "code"): Barrier.ID.value,
            ("api", "code"): signed_off.code,
            ("api", "slug"): "not-found",
            **{(str(user.role), "session_id"): str(row.public_id) for user, row in elsewhere.items()},
        },
    )


def _upload_folder() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _status_list_of(certificate: Certificate) -> dict[str, str]:
    """The revocation list the certificate has its bit in, and the key that signs that list."""
    status_list = db.session.get(StatusList, certificate.status_list_id)
    assert status_list is not None, "an issued certificate has its place in a status list"
    return {"list_id": str(status_list.public_id), "key_id": signing_key().kid}
