"""Share links exactly once: the same "Make the link" form sent many times at once makes one link, and
"Withdraw the link" sent many times at once withdraws it once (one audit event each)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import AuditEvent, ShareLink
from skillpath.services.certificates.certificates import issue_module_certificate
from skillpath.services.progress import progress
from tests import factories
from tests.races.conftest import RaceServer
from tests.races.harness import Browser, burst, prepare

ROUNDS = 3
TIMES = 12

pytestmark = pytest.mark.parametrize("round_number", range(ROUNDS))


def _learner_with_a_certificate(server: RaceServer) -> dict[str, Any]:
    with server.app.app_context():
        cohort = factories.make_cohort()
        mentor = factories.make_mentor(cohorts=[cohort])
        learner = factories.make_learner(cohort=cohort)
        enrolment = progress.enrol(learner, factories.make_module(), actor=learner)
        progress.sign_off(enrolment, mentor=mentor)
        certificate = issue_module_certificate(enrolment, mentor=mentor)
        db.session.commit()
        ids = {"learner": learner.id, "username": learner.username, "certificate": str(certificate.public_id)}
        db.session.remove()
    return ids


def _counts(server: RaceServer, learner_id: int) -> tuple[int, int, int]:
    with server.app.app_context():
        try:
            links = db.session.scalar(select(func.count()).where(ShareLink.learner_id == learner_id))
            created, withdrawn = (
                db.session.scalar(
                    select(func.count()).where(AuditEvent.action == action, AuditEvent.subject_id == learner_id)
                )
                for action in ("share_link.created", "share_link.withdrawn")
            )
            return int(links or 0), int(created or 0), int(withdrawn or 0)
        finally:
            db.session.remove()


def test_the_same_share_link_form_sent_many_times_at_once_makes_one_link(race_server, round_number):
    ids = _learner_with_a_certificate(race_server)
    learner = Browser(race_server.url)
    learner.sign_in(ids["username"], factories.PASSWORD)
    path = "/learner/share-links/new"
    replies = burst(
        prepare([learner], path, "", {"certificates": ids["certificate"], "label": "for the job"}), path, TIMES
    )
    assert {reply.status for reply in replies} == {302}
    assert len({reply.location for reply in replies}) == 1  # every click leads to the one link
    assert _counts(race_server, ids["learner"]) == (1, 1, 0)

    withdraw = f"{replies[0].location.removeprefix(race_server.url)}/withdraw"
    burst(prepare([learner], withdraw, "", {}), withdraw, TIMES)
    assert _counts(race_server, ids["learner"]) == (1, 1, 1)
