"""The mentor home: each cohort's counts and the worklist of what needs doing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Barrier, SkillLevel
from tests import factories
from tests.conftest import sign_in
from tests.helpers import heading, page
from tests.integration._mentor_world import days_ago, finish_module, make_job, resolve_barriers, sign_off_module


def _section(soup, heading_start: str) -> list[list[str]]:
    """The rows of the table that follows the h3 starting with `heading_start`."""
    h3 = next(h for h in soup.find_all("h3") if h.get_text(strip=True).startswith(heading_start))
    table = h3.find_next_sibling()
    if table is None or table.name != "table":
        return []
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in table.select("tbody tr")]


def test_the_home_page_counts_each_cohort_and_lists_what_needs_doing(mentor_client, mentor, cohort):
    job, skills = make_job(level=SkillLevel.AWARENESS)
    module = factories.make_module(title="Fix a printer", skills=dict.fromkeys(skills, SkillLevel.AWARENESS))
    soon = (datetime.now(UTC) + timedelta(days=20)).date()
    ready = factories.make_learner(cohort=cohort, target_role_level=job, display_name="Rita Ready")
    sign_off_module(ready, module, mentor)
    resolve_barriers(ready, mentor, len(Barrier))
    ready.learner_profile.last_activity_at = days_ago(1)
    waiting = factories.make_learner(cohort=cohort, target_role_level=job, display_name="Wes Waiting")
    finish_module(waiting, module)
    waiting.learner_profile.last_activity_at = days_ago(2)
    quiet = factories.make_learner(
        cohort=cohort, display_name="Quinn Quiet", release_date=soon, created_at=days_ago(40)
    )
    quiet.learner_profile.last_activity_at = days_ago(15)
    resolve_barriers(quiet, mentor, 3)
    db.session.flush()

    response = mentor_client.get("/mentor/")
    soup = page(response)
    assert heading(response) == "My cohorts"
    figures = [li.get_text(" ", strip=True) for li in soup.select(".sp-key-figures__item")]
    assert figures == [
        "3 learners",
        "1 ready for work",
        "0 nearly ready",
        "1 module awaiting sign-off",
        "1 due for release within 12 weeks",
    ]
    awaiting = _section(soup, "Modules awaiting sign-off")
    assert [row[:2] for row in awaiting] == [["Wes Waiting", "Review Fix a printer"]]
    assert [row[0] for row in _section(soup, "No activity for 14 days")] == ["Quinn Quiet"]
    releasing = _section(soup, "Release within 12 weeks")
    assert releasing[0][0] == "Quinn Quiet"
    assert releasing[0][2] == ", ".join(barrier.label for barrier in list(Barrier)[3:])


def test_the_worklist_links_lead_to_the_review_and_the_record(mentor_client, mentor, cohort):
    job, skills = make_job()
    module = factories.make_module(skills=dict.fromkeys(skills, SkillLevel.WORKING))
    learner = factories.make_learner(cohort=cohort, target_role_level=job)
    finish_module(learner, module)
    soup = page(mentor_client.get("/mentor/"))
    links = [a["href"] for a in soup.select("table a")]
    assert f"/mentor/learners/{learner.public_id}" in links
    review = next(href for href in links if href.startswith("/mentor/modules-to-review/"))
    assert mentor_client.get(review).status_code == 200


def test_an_empty_worklist_says_so(mentor_client, cohort):
    factories.make_learner(cohort=cohort).learner_profile.last_activity_at = days_ago(1)
    text = page(mentor_client.get("/mentor/")).get_text(" ", strip=True)
    assert "No modules are waiting for you to sign them off." in text
    assert "No one due for release in the next 12 weeks has barriers still open." in text


def test_the_home_page_writes_one_audit_event(mentor_client, mentor, cohort):
    factories.make_learner(cohort=cohort)
    mentor_client.get("/mentor/")
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == mentor.id)))
    assert [(event.action, event.detail) for event in events] == [("mentor.home.viewed", None)]


def test_a_mentor_with_no_cohort_is_told_to_ask_for_one(app):
    client = sign_in(app.test_client(), factories.make_mentor())
    assert "You are not assigned to a cohort yet" in page(client.get("/mentor/")).get_text()
