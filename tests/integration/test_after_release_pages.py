"""A released learner's SkillPath speaks to someone who has left: no prison wording, no mentor to ask."""

from __future__ import annotations

import re

import pytest

from skillpath.extensions import db
from skillpath.models import SkillLevel
from skillpath.services.learners import transfers
from skillpath.services.progress import progress
from tests import factories
from tests.conftest import sign_in
from tests.helpers import page

LEARNER_PAGES = [
    "/learner/",
    "/learner/readiness",
    "/learner/goals",
    "/learner/confidence",
    "/learner/certificates",
    "/modules/",
    "/account/getting-back-in",
    "/learner/cv",
]
# Not "My data": it shows everything held about the learner, custody details included, by right.
CUSTODY_WORDS = re.compile(r"\b(mentors?|prisons?|custody|cohorts?|release date|HMP)\b", re.IGNORECASE)


@pytest.mark.parametrize("path", LEARNER_PAGES)
def test_a_released_learner_sees_no_prison_wording_and_no_mentor(app, cohort, mentor, path):
    skill = factories.make_skill()
    job = factories.make_role_level(skills={skill: SkillLevel.WORKING})
    learner = factories.make_learner(cohort=cohort, target_role_level=job)
    module = factories.make_module(skills={skill: SkillLevel.WORKING})
    progress.enrol(learner, module, actor=learner)
    transfers.record_release(learner, by=mentor)
    db.session.flush()
    response = sign_in(app.test_client(), learner).get(path, follow_redirects=True)
    assert response.status_code == 200
    main = page(response).select_one("main")
    found = CUSTODY_WORDS.findall(main.get_text(" "))
    assert not found, f"{path} says {sorted(set(found))}"
