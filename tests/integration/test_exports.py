"""CSV exports of a cohort or an establishment: content, spreadsheet safety, streaming, filters, access and audit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Barrier, SkillLevel
from skillpath.services.exports import exports
from tests import factories
from tests.conftest import sign_in
from tests.integration._mentor_world import count_queries, days_ago, make_job, resolve_barriers, sign_off_module

TODAY = datetime.now(UTC).date().isoformat()
IN_16_WEEKS = datetime.now(UTC).date() + timedelta(weeks=16)


def _rows(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "the file starts with a byte-order mark, so Excel reads it as UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def cohort_data(app, cohort, mentor):
    job, skills = make_job("Fixing things", "Explaining things", level=SkillLevel.WORKING, name="Helpdesk helper")
    module = factories.make_module(skills={skills[0]: SkillLevel.WORKING, skills[1]: SkillLevel.AWARENESS})
    # Due out in 16 weeks: within 6 months, not within 12 weeks.
    ready = factories.make_learner(
        cohort=cohort, target_role_level=job, display_name="Łukasz Żółć", release_date=IN_16_WEEKS
    )
    sign_off_module(ready, module, mentor, at=days_ago(10))
    resolve_barriers(ready, mentor, 3)
    ready.learner_profile.last_activity_at = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # 20 Nov in London too
    tricky = [
        factories.make_learner(cohort=cohort, display_name=name, prison_number=None)
        for name in ('=HYPERLINK("http://x")', "+44 1234", "-2+3", "@SUM(A1)", "Plain Name")
    ]
    db.session.flush()
    return {"job": job, "skills": skills, "ready": ready, "tricky": tricky}


def test_a_cohort_export_has_one_row_per_learner_with_readiness_skills_and_barriers(mentor_client, cohort, cohort_data):
    response = mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="cohort-{exports.slug(cohort.name)}-{TODAY}.csv"'
    )
    rows = _rows(response)
    assert len(rows) == 6
    ready = next(row for row in rows if row["Name"] == "Łukasz Żółć")
    assert ready["Prison number"] == "A1234BC"
    assert ready["Cohort"] == cohort.name
    assert ready["Target role"] == "Helpdesk helper"
    # Fixing things held at working (full), Explaining things at awareness (half): 80 x 0.75 + 20 x 3/8 = 67.5.
    assert (ready["Readiness score"], ready["Readiness band"]) == ("68", "Nearly ready")
    assert ready["Expected release date"] == IN_16_WEEKS.isoformat()
    assert ready["Last activity"] == "2026-11-20"
    assert ready["Barriers still open"] == str(len(Barrier) - 3)
    assert ready["Barrier: Bank account"] == "Done" and ready["Barrier: Housing"] == "Not started"
    # Codes beside the words: SkillPath's band, the prison service's status and barrier codes.
    assert (ready["Readiness band code"], ready["Work-readiness status code"]) == ("NEARLY_READY", "NOT_STARTED")
    assert ready["Barrier code: BANK_ACCOUNT"] == "COMPLETED" and ready["Barrier code: HOUSING"] == "NOT_STARTED"
    plain = next(row for row in rows if row["Name"] == "Plain Name")
    assert (plain["Readiness band"], plain["Readiness band code"]) == ("Not started", "NOT_STARTED")


def test_the_columns_are_the_same_whatever_the_learners_targets(mentor_client, cohort, cohort_data):
    """Skills used to be columns, so one learner choosing another job changed the file's shape (74 columns became
    90). They are in the skills export now, one row per learner and skill."""
    url = f"/dashboards/cohorts/{cohort.public_id}/export.csv"
    before = _rows(mentor_client.get(url))[0].keys()
    other_job, _skills = make_job(*(f"Other skill {n}" for n in range(8)), name="Another job")
    cohort_data["tricky"][-1].learner_profile.target_role_level_id = other_job.id
    db.session.flush()
    after = _rows(mentor_client.get(url))[0].keys()
    assert list(before) == list(after) == exports.header()
    assert len(after) == 12 + 2 * len(Barrier)
    assert not any("level" in column for column in after)


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(mentor_client, cohort, cohort_data):
    names = {row["Name"] for row in _rows(mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export.csv"))}
    assert {'\'=HYPERLINK("http://x")', "'+44 1234", "'-2+3", "'@SUM(A1)", "Plain Name"} <= names


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        (12, 12),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def test_the_export_is_streamed_a_page_of_learners_at_a_time(app, mentor_client, cohort, cohort_data, monkeypatch):
    monkeypatch.setattr(exports, "PAGE_SIZE", 2)
    with count_queries() as statements:
        response = mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export.csv", buffered=False)
        assert response.is_streamed
        chunks = iter(response.response)
        first = next(chunks)
        pages_before = sum("LIMIT" in s and "FROM users" in s for s in statements)
        rest = list(chunks)
        response.close()
    assert first.startswith("\ufeff".encode()) or first.startswith("\ufeff")
    assert pages_before == 0, "the header goes out before any learner is loaded"
    assert sum("LIMIT" in s and "FROM users" in s for s in statements) == 4  # 6 learners, 2 a page, and an empty page
    assert len(rest) == 6  # one chunk per learner


def test_the_export_follows_the_dashboard_filters(mentor_client, cohort, cohort_data):
    url = f"/dashboards/cohorts/{cohort.public_id}/export.csv"
    assert [row["Name"] for row in _rows(mentor_client.get(url + "?band=NEARLY_READY"))] == ["Łukasz Żółć"]
    assert [row["Name"] for row in _rows(mentor_client.get(url + "?release=12-weeks&name=ŁUK"))] == []
    assert [row["Name"] for row in _rows(mentor_client.get(url + "?release=6-months&name=ŁUK"))] == ["Łukasz Żółć"]
    assert [row["Name"] for row in _rows(mentor_client.get(url + "?name=plain"))] == ["Plain Name"]
    role = f"?role={cohort_data['job'].public_id}"
    assert [row["Name"] for row in _rows(mentor_client.get(url + role))] == ["Łukasz Żółć"]


def test_an_export_is_audited(mentor_client, mentor, cohort, cohort_data):
    mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export.csv?band=READY")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.exported"))
    assert (event.actor_id, event.object_id, event.detail) == (mentor.id, str(cohort.public_id), {"filtered": True})


def test_an_establishment_export_covers_every_cohort_for_its_head_only(app, establishment, cohort, cohort_data):
    other_cohort = factories.make_cohort(establishment=establishment, name="Another cohort")
    factories.make_learner(cohort=other_cohort, display_name="Olly Other")
    factories.make_learner(display_name="Elsewhere Ellis")  # another establishment
    lead = factories.make_mentor(establishment=establishment, is_establishment_lead=True)
    client = sign_in(app.test_client(), lead)
    response = client.get(f"/dashboards/establishments/{establishment.public_id}/export.csv")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="establishment-{establishment.code.lower()}-')
    rows = _rows(response)
    assert {row["Name"] for row in rows} >= {"Olly Other", "Łukasz Żółć"} and "Elsewhere Ellis" not in {
        r["Name"] for r in rows
    }
    assert [row["Cohort"] for row in rows] == sorted(row["Cohort"] for row in rows)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "establishment.exported")).actor_id == lead.id
    )


def test_mentors_cannot_export_cohorts_they_do_not_mentor(app, cohort, cohort_data):
    stranger = sign_in(app.test_client(), factories.make_mentor(cohorts=[factories.make_cohort()]))
    assert stranger.get(f"/dashboards/cohorts/{cohort.public_id}/export.csv").status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.exported")) is None


def test_a_released_learner_is_not_exported(mentor_client, cohort, cohort_data):
    cohort_data["ready"].learner_profile.released_at = datetime.now(UTC)
    db.session.flush()
    names = {row["Name"] for row in _rows(mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export.csv"))}
    assert "Łukasz Żółć" not in names


def test_file_names_are_plain_ascii():
    assert exports.slug("Digital skills – autumn 2026") == "digital-skills-autumn-2026"
    assert exports.slug("Łódź Café") == "odz-cafe"
    assert exports.slug("!!!") == "export"
