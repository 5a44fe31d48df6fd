"""`flask seed-demo`: a world a person can sign in to and look around, created once."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import (
    Certificate,
    CertificateKind,
    Cohort,
    Establishment,
    LearnerProfile,
    ProgressEvent,
    ProgressKind,
    User,
    UserRole,
)
from skillpath.models._types import utcnow
from skillpath.services.catalogue.catalogue_data import load_catalogue
from skillpath.services.learners.accounts import SignInOutcome, Throttle, sign_in
from skillpath.services.readiness.learner_state import readiness_for


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_prints_logins_that_work_and_running_it_again_adds_nothing(app):
    load_catalogue()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for username in ("demo-learner", "demo-mentor", "demo-head", "demo-admin"):
        assert username in result.output
        outcome = sign_in(username, "skillpath-demo", throttle=Throttle(), ip=None).outcome
        assert outcome == SignInOutcome.OK, username
    assert "activation code" in result.output
    counts = (_count(Establishment), _count(Cohort), _count(User), _count(ProgressEvent))
    assert counts[:2] == (2, 3)

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert (_count(Establishment), _count(Cohort), _count(User), _count(ProgressEvent)) == counts


def test_demo_learners_are_spread_across_the_readiness_bands(app):
    load_catalogue()
    app.test_cli_runner().invoke(args=["seed-demo"])
    learners = db.session.scalars(select(User).where(User.role == UserRole.LEARNER)).all()
    bands = Counter(result.band.value for result in readiness_for(learners, app.config).values())
    assert set(bands) == {"Not started", "Building skills", "Nearly ready", "Ready for work"}
    issued = db.session.scalars(select(Certificate)).all()
    assert {certificate.kind for certificate in issued} == {CertificateKind.MODULE, CertificateKind.ROLE_READINESS}
    names = {learner.display_name for learner in learners}
    assert {"Łukasz Żółć", "Siobhán Ní Bhriain", "Nguyễn Thị Minh"} <= names


def test_the_demo_shows_a_newcomer_every_state_worth_meeting(app):
    load_catalogue()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    returned = db.session.scalars(select(ProgressEvent).where(ProgressEvent.kind == ProgressKind.RETURNED)).all()
    jordan = db.session.scalar(select(User).where(User.username == "demo-learner"))
    assert [event.learner_id for event in returned] == [jordan.id] and returned[0].note
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.revoked_at.is_not(None)))
    soon = utcnow().date() + timedelta(weeks=12)
    near = select(func.count()).select_from(LearnerProfile).where(LearnerProfile.release_date <= soon)
    assert db.session.scalar(near)
