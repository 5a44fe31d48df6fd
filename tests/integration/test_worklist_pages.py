"""A mentor's to-do lists: the home page shows the first few of each with how many there are, and each
list's "See all" page shows the rest a page at a time, audited, and only for the mentor's own cohorts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent
from skillpath.models.audit import AuditAction
from skillpath.services.readiness.dashboards import WORKLIST_PAGE_SIZE, WORKLIST_SHOWN
from tests import factories
from tests.conftest import sign_in
from tests.helpers import heading, page
from tests.integration._mentor_world import days_ago


def _quiet_learners(cohort, count: int, *, name: str = "Quiet") -> None:
    """Learners who have done nothing for a while: they are all on the "no activity for 14 days" list."""
    for n in range(count):
        learner = factories.make_learner(cohort=cohort, display_name=f"{name} {n:03d}", created_at=days_ago(40))
        learner.learner_profile.last_activity_at = days_ago(15 + n)
    db.session.flush()


def _rows(soup, table_id: str) -> list[str]:
    return [row.select_one("td, th").get_text(strip=True) for row in soup.select(f"#{table_id} tbody tr")]


def test_the_home_page_shows_the_first_few_of_a_long_list_and_links_to_all(mentor_client, cohort):
    _quiet_learners(cohort, WORKLIST_SHOWN + 5)

    soup = page(mentor_client.get("/mentor/"))

    quiet = _rows(soup, "table-no-activity")
    assert len(quiet) == WORKLIST_SHOWN
    assert quiet[0] == f"Quiet {WORKLIST_SHOWN + 4:03d}"  # quiet longest first
    heading_text = soup.select_one("#no-activity").get_text(strip=True)
    assert heading_text == f"No activity for 14 days ({WORKLIST_SHOWN + 5})"
    link = soup.find("a", string=f"See all {WORKLIST_SHOWN + 5} learners with no activity for 14 days")
    assert link is not None and link["href"] == "/mentor/worklist/no-activity"


def test_a_short_list_has_no_see_all_link(mentor_client, cohort):
    _quiet_learners(cohort, 3)
    soup = page(mentor_client.get("/mentor/"))
    assert len(_rows(soup, "table-no-activity")) == 3
    assert not [a for a in soup.find_all("a") if a.get_text().startswith("See all")]


def test_see_all_pages_through_the_whole_list(mentor_client, cohort):
    _quiet_learners(cohort, WORKLIST_PAGE_SIZE + 7)

    first = mentor_client.get("/mentor/worklist/no-activity")
    second = mentor_client.get("/mentor/worklist/no-activity?page=2")

    assert heading(first) == "No activity for 14 days"
    first_rows, second_rows = _rows(page(first), "table-no-activity"), _rows(page(second), "table-no-activity")
    assert len(first_rows) == WORKLIST_PAGE_SIZE and len(second_rows) == 7
    assert set(first_rows).isdisjoint(second_rows)
    assert len(set(first_rows) | set(second_rows)) == WORKLIST_PAGE_SIZE + 7
    assert f"Showing 51 to {WORKLIST_PAGE_SIZE + 7} of {WORKLIST_PAGE_SIZE + 7}." in page(second).get_text(" ")
    nav = page(first).select_one("nav.govuk-pagination")
    assert nav is not None and nav["aria-label"] == "Pages"
    assert nav.select_one("[aria-current=page]").get_text(strip=True) == "1"
    assert nav.select_one("a[rel=next]")["href"] == "/mentor/worklist/no-activity?page=2"
    assert page(second).select_one("nav.govuk-pagination a[rel=prev]")["href"] == "/mentor/worklist/no-activity"


@pytest.mark.parametrize("asked", ["99", "1000000000000000000000"])
def test_a_page_past_the_end_shows_the_last_page_and_says_so(mentor_client, cohort, asked):
    _quiet_learners(cohort, WORKLIST_PAGE_SIZE + 2)
    response = mentor_client.get(f"/mentor/worklist/no-activity?page={asked}")
    assert response.status_code == 200
    soup = page(response)
    if len(asked) < 10:
        assert "There is no page 99: this is the last page." in soup.get_text(" ")
        assert len(_rows(soup, "table-no-activity")) == 2
    else:  # a number too long to mean anything is the first page
        assert len(_rows(soup, "table-no-activity")) == WORKLIST_PAGE_SIZE


@pytest.mark.parametrize("asked", ["0", "-3", "two", ""])
def test_a_page_that_is_not_a_page_number_shows_the_first(mentor_client, cohort, asked):
    _quiet_learners(cohort, 3)
    response = mentor_client.get(f"/mentor/worklist/no-activity?page={asked}")
    assert response.status_code == 200
    assert len(_rows(page(response), "table-no-activity")) == 3


def test_an_empty_list_says_so(mentor_client, cohort):
    response = mentor_client.get("/mentor/worklist/release-with-barriers")
    assert response.status_code == 200
    assert "No one due for release in the next 12 weeks has barriers still open." in page(response).get_text(" ")


def test_an_unknown_list_is_not_found(mentor_client):
    assert mentor_client.get("/mentor/worklist/everything").status_code == 404


def test_each_see_all_page_writes_one_audit_event_naming_the_list_and_page(mentor_client, mentor, cohort):
    _quiet_learners(cohort, 2)
    mentor_client.get("/mentor/worklist/no-activity?page=1")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.MENTOR_WORKLIST_VIEWED)).all()
    assert len(events) == 1
    assert events[0].actor_id == mentor.id
    assert events[0].object_type == "worklist" and events[0].object_id == "no-activity"
    assert events[0].detail == {"filters": {"page": "1"}}


def test_a_mentor_sees_only_their_own_cohorts_learners(app, establishment, cohort, mentor):
    other = factories.make_cohort(establishment=establishment)
    _quiet_learners(cohort, 2, name="Mine")
    _quiet_learners(other, 2, name="Theirs")
    head = factories.make_mentor(establishment=establishment, is_establishment_lead=True)

    mine = _rows(page(sign_in(app.test_client(), mentor).get("/mentor/worklist/no-activity")), "table-no-activity")
    everyone = _rows(page(sign_in(app.test_client(), head).get("/mentor/worklist/no-activity")), "table-no-activity")

    assert sorted(mine) == ["Mine 000", "Mine 001"]
    assert sorted(everyone) == ["Mine 000", "Mine 001", "Theirs 000", "Theirs 001"]


def test_learners_and_administrators_cannot_open_a_worklist(learner_client, admin_client):
    assert learner_client.get("/mentor/worklist/no-activity").status_code == 403
    assert admin_client.get("/mentor/worklist/no-activity").status_code == 403


def test_the_home_page_stays_the_same_size_however_long_the_lists(mentor_client, cohort):
    _quiet_learners(cohort, WORKLIST_SHOWN + 1, name="First")
    shorter = len(mentor_client.get("/mentor/").get_data())
    _quiet_learners(cohort, 60, name="Later")
    longer = len(mentor_client.get("/mentor/").get_data())
    assert abs(longer - shorter) < 200  # the counts' digits change; no row is added
