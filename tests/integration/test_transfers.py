"""Moving learners between cohorts and establishments, and recording release: the record stays whole, access moves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Certificate, CohortMembership, Evidence, ProgressEvent, SkillAward, SkillLevel
from skillpath.services.certificates.certificates import issue_module_certificate
from skillpath.services.learners import transfers
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, location_path, page, post_form
from tests.integration._mentor_world import finish_module, make_job, sign_off_module


@pytest.fixture
def world(app):
    north, south = factories.make_establishment(name="HMP North"), factories.make_establishment(name="HMP South")
    alpha = factories.make_cohort(establishment=north, name="Alpha")
    bravo = factories.make_cohort(establishment=north, name="Bravo")
    charlie = factories.make_cohort(establishment=south, name="Charlie")
    mentors = {
        name: factories.make_mentor(cohorts=[c])
        for name, c in (("alpha", alpha), ("bravo", bravo), ("charlie", charlie))
    }
    job, skills = make_job(level=SkillLevel.AWARENESS)
    learner = factories.make_learner(cohort=alpha, target_role_level=job, display_name="Tia Transfer")
    module = factories.make_module(skills=dict.fromkeys(skills, SkillLevel.AWARENESS))
    enrolment = sign_off_module(learner, module, mentors["alpha"])
    issue_module_certificate(enrolment, mentor=mentors["alpha"])
    finish_module(learner, factories.make_module())
    db.session.flush()
    return {
        "north": north, "south": south, "alpha": alpha, "bravo": bravo, "charlie": charlie, "learner": learner,
        "mentors": mentors, "lead": factories.make_mentor(establishment=north, is_establishment_lead=True),
        "south_lead": factories.make_mentor(establishment=south, is_establishment_lead=True),
        "url": f"/mentor/learners/{learner.public_id}",
    }  # fmt: skip


def _links(soup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.find_all("a")]


def _record_sizes(learner) -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model).where(model.learner_id == learner.id))
        for model in (ProgressEvent, SkillAward, Evidence, Certificate)
    )


def _status(app, user, url) -> int:
    return sign_in(app.test_client(), user).get(url).status_code


def _memberships(learner) -> list[tuple[int, bool]]:
    rows = db.session.scalars(
        select(CohortMembership).where(CohortMembership.learner_id == learner.id).order_by(CohortMembership.id)
    )
    return [(row.cohort_id, row.left_at is None) for row in rows]


def test_a_head_of_education_moves_a_learner_between_their_cohorts_and_the_record_goes_too(app, world):
    learner, before = world["learner"], _record_sizes(world["learner"])
    client = sign_in(app.test_client(), world["lead"])
    assert "Move to another cohort" in _links(page(client.get(world["url"])))
    form = page(client.get(world["url"] + "/move"))
    offered = [option.get_text(strip=True) for option in form.select("select#cohort option")]
    assert offered == ["Select a cohort", "Bravo – HMP North"]  # not their own cohort, not another establishment
    bravo = str(world["bravo"].public_id)
    response = post_form(client, world["url"] + "/move", {"cohort": bravo})
    assert response.status_code == 302 and location_path(response) == world["url"]
    assert _memberships(learner) == [(world["alpha"].id, False), (world["bravo"].id, True)]
    assert _record_sizes(learner) == before
    assert _status(app, world["mentors"]["alpha"], world["url"]) == 404
    assert _status(app, world["mentors"]["bravo"], world["url"]) == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "learner.transferred"))
    assert (event.actor_id, event.subject_id, event.object_id) == (world["lead"].id, learner.id, bravo)
    assert event.detail == {"from_cohorts": [str(world["alpha"].public_id)], "between_establishments": False}
    timeline = page(client.get(world["url"] + "/timeline")).get_text(" ", strip=True)
    assert "Left Alpha" in timeline and "Joined Bravo" in timeline


def test_an_admin_moves_a_learner_to_another_establishment(app, admin, world):
    learner, before = world["learner"], _record_sizes(world["learner"])
    client = sign_in(app.test_client(), admin)
    response = post_form(client, world["url"] + "/move", {"cohort": str(world["charlie"].public_id)})
    assert response.status_code == 302
    db.session.refresh(learner.learner_profile)
    assert learner.learner_profile.establishment_id == world["south"].id
    assert _record_sizes(learner) == before
    assert _status(app, world["lead"], world["url"]) == 404
    assert _status(app, world["mentors"]["alpha"], world["url"]) == 404
    assert _status(app, world["south_lead"], world["url"]) == 200
    assert _status(app, world["mentors"]["charlie"], world["url"]) == 200
    assert _status(app, world["mentors"]["charlie"], world["url"] + "/timeline") == 200


def test_a_mentor_who_is_not_a_head_cannot_move_learners(app, world):
    client = sign_in(app.test_client(), world["mentors"]["alpha"])
    links = _links(page(client.get(world["url"])))
    assert "Record release" in links and "Move to another cohort" not in links
    assert client.get(world["url"] + "/move").status_code == 404
    response = post_form(
        client, world["url"] + "/move", {"cohort": str(world["bravo"].public_id)}, form_url=world["url"]
    )
    assert response.status_code == 404
    assert _memberships(world["learner"]) == [(world["alpha"].id, True)]


def test_a_head_cannot_move_a_learner_to_another_establishment(app, world):
    client = sign_in(app.test_client(), world["lead"])
    response = post_form(client, world["url"] + "/move", {"cohort": str(world["charlie"].public_id)})
    assert response.status_code == 200
    assert error_summary(response) == {"#cohort": "Select the cohort to move the learner to"}
    assert _memberships(world["learner"]) == [(world["alpha"].id, True)]


def test_recording_release_keeps_the_learners_account_and_certificates_and_ends_staff_access(app, admin, world):
    learner = world["learner"]
    mentor_client = sign_in(app.test_client(), world["mentors"]["alpha"])
    response = post_form(mentor_client, world["url"] + "/record-release", {})
    assert response.status_code == 302
    # Straight to the release summary to print, with the learner's way back in.
    assert location_path(response) == f"/mentor/released/{learner.public_id}/summary"
    assert page(mentor_client.get(location_path(response))).select_one(".sp-code") is not None
    db.session.refresh(learner.learner_profile)
    assert learner.learner_profile.released_at is not None
    assert _memberships(learner) == [(world["alpha"].id, False)]
    # Staff of the establishment lose the record; it leaves their dashboards and exports.
    assert mentor_client.get(world["url"]).status_code == 404
    assert _status(app, world["lead"], world["url"]) == 404
    dashboard = page(mentor_client.get(f"/mentor/cohorts/{world['alpha'].public_id}"))
    assert "Tia Transfer" not in dashboard.get_text()
    # The learner keeps signing in, with their record and certificates.
    learner_client = sign_in(app.test_client(), learner)
    assert learner_client.get("/learner/").status_code == 200
    certificates = learner_client.get("/learner/certificates")
    assert certificates.status_code == 200
    assert (
        db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.learner_id == learner.id))
        == 1
    )
    # An administrator still sees the whole record, with the release on it.
    record = page(sign_in(app.test_client(), admin).get(world["url"])).get_text(" ", strip=True)
    assert "Release recorded on" in record
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "learner.released"))
    assert (event.subject_id, event.object_id) == (learner.id, str(world["alpha"].public_id))


def test_a_release_is_recorded_once_and_a_released_learner_cannot_be_moved(app, admin, world):
    learner = world["learner"]
    transfers.record_release(learner, by=admin)
    db.session.flush()
    with pytest.raises(transfers.TransferError, match="already been recorded"):
        transfers.record_release(learner, by=admin)
    with pytest.raises(transfers.TransferError, match="cannot be moved"):
        transfers.transfer_learner(learner, world["bravo"], by=admin)
    links = _links(page(sign_in(app.test_client(), admin).get(world["url"])))
    assert "Record release" not in links and "Move to another cohort" not in links


def test_moving_into_the_same_cohort_is_refused(admin, world):
    with pytest.raises(transfers.TransferError, match="already in that cohort"):
        transfers.transfer_learner(world["learner"], world["alpha"], by=admin)
