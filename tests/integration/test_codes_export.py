"""The codes exports round-trip: read with nothing but the prison service's enums and docs/codes.md, they say
what the database says.

The reader below knows no SkillPath enum. It takes the columns and their code lists from docs/codes.md, and
the prison service's values from tests/data/prison-service-codes/ (copied from their repositories). Every
coded cell must be one of those values (or empty), and the facts read back must be the facts stored.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, BarrierItem, BarrierStatus, Goal, ReadinessStatusChange, SkillLevel, StepStatus
from skillpath.models.plans import Confidence, ConfidenceRating, EmployabilitySkill
from skillpath.models.work_readiness import Barrier, DeclineReason, WorkReadiness
from skillpath.services.exports import codes
from skillpath.services.exports.exports import slug
from skillpath.services.plans import goals
from skillpath.services.readiness import barriers, work_status
from tests import factories
from tests.conftest import sign_in
from tests.helpers import page
from tests.integration._mentor_world import days_ago, make_job, sign_off_module

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "prison-service-codes"
DOC = ROOT / "docs" / "codes.md"


# --- A reader that knows only the prison service's enums and the documentation -------------------------------


def prison_enums() -> dict[str, set[str]]:
    enums: dict[str, set[str]] = {}
    for path in sorted(DATA.glob("*.json")):
        for name, values in json.loads(path.read_text(encoding="utf-8"))["enums"].items():
            enums[name] = set(values)
    return enums


def documented_columns(section: str) -> list[tuple[str, str]]:
    """(column, codes) from the table under "### <section>" in docs/codes.md."""
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"### {section}", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|[^|]*\|([^|]*)\|$", body, flags=re.MULTILINE)
    return [(column, codes_cell.strip()) for column, codes_cell in rows]


def allowed_codes(codes_cell: str, enums: dict[str, set[str]]) -> set[str] | None:
    """The codes a column may hold, from its "codes" cell in the docs; None if it holds no codes."""
    if codes_cell.startswith("SkillPath:"):
        return set(re.findall(r"`([A-Za-z_]+)`", codes_cell))
    named = re.fullmatch(r"`([A-Za-z]+)`", codes_cell)
    if named:
        return enums[named.group(1)]
    return None


def read_export(text: str, section: str) -> list[dict[str, str]]:
    """Parse an export, checking its columns are the documented ones and every code a known one."""
    assert text.startswith("\ufeff")
    enums = prison_enums()
    documented = documented_columns(section)
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    assert reader.fieldnames == [column for column, _ in documented], "the columns are the documented ones"
    rows = list(reader)
    for column, codes_cell in documented:
        allowed = allowed_codes(codes_cell, enums)
        if allowed is None:
            continue
        unknown = {row[column] for row in rows} - allowed - {""}
        assert not unknown, f"{column} holds codes the reader does not know: {unknown}"
    return rows


# --- A cohort with some of everything --------------------------------------------------------------------------


@pytest.fixture
def world(app, cohort, mentor):
    job, skills = make_job("Fixing things", "Explaining things", level=SkillLevel.WORKING, name="Helpdesk helper")
    module = factories.make_module(skills={skills[0]: SkillLevel.WORKING})
    ready = factories.make_learner(cohort=cohort, target_role_level=job, display_name="Ready Rhona")
    sign_off_module(ready, module, mentor, at=days_ago(10))
    work_status.record_status(ready, WorkReadiness.SUPPORT_NEEDED, decline_reason=None, by=mentor, at=days_ago(9))
    work_status.record_status(ready, WorkReadiness.READY_TO_WORK, decline_reason=None, by=mentor, at=days_ago(2))
    barriers.set_barrier(ready, Barrier.BANK_ACCOUNT, status=BarrierStatus.COMPLETED, by=mentor)
    barriers.set_barrier(ready, Barrier.ID, status=BarrierStatus.IN_PROGRESS, by=mentor)
    barriers.set_barrier(ready, Barrier.HOUSING, status=BarrierStatus.NOT_STARTED, already_in_place=True, by=mentor)
    declined = factories.make_learner(cohort=cohort, display_name="Declined Dev", prison_number="B2345CD")
    work_status.record_status(
        declined, WorkReadiness.SUPPORT_DECLINED, decline_reason=DeclineReason.HEALTH, by=mentor, at=days_ago(3)
    )
    fresh = factories.make_learner(cohort=cohort, display_name="Fresh Fola", prison_number="C3456DE")
    for title, fate in (("Open a bank account", None), ("Learn to type", "done"), ("Forklift", "archived")):
        goal, _ = goals.create_goal(ready, title=title, target_date=None, steps=["One"], actor=ready)
        if fate == "done":
            goals.set_step_status(goal, goal.steps[0], StepStatus.COMPLETE, actor=ready)
            goals.complete_goal(goal, actor=ready)
        elif fate == "archived":
            goals.archive_goal(goal, "OTHER", other="Moved on", actor=ready)
    for skill, confidence, days in (
        (EmployabilitySkill.TEAMWORK, Confidence.NOT_CONFIDENT, 20),
        (EmployabilitySkill.TEAMWORK, Confidence.QUITE_CONFIDENT, 5),  # the newest counts
        (EmployabilitySkill.PROBLEM_SOLVING, Confidence.VERY_CONFIDENT, 4),
    ):
        db.session.add(
            ConfidenceRating(
                learner_id=fresh.id,
                assessor_id=fresh.id,
                employability_skill=skill,
                confidence=confidence,
                rated_at=days_ago(days),
            )
        )
    # A mentor's rating is not the learner's own: not exported.
    db.session.add(
        ConfidenceRating(
            learner_id=fresh.id,
            assessor_id=mentor.id,
            employability_skill=EmployabilitySkill.CREATIVITY,
            confidence=Confidence.VERY_CONFIDENT,
            rated_at=days_ago(1),
        )
    )
    db.session.flush()
    return {"ready": ready, "declined": declined, "fresh": fresh, "job": job}


def _by_learner(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["learner_id"]: row for row in rows}


def test_the_codes_export_reads_back_as_the_database_with_only_the_prison_services_enums(mentor_client, cohort, world):
    response = mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export-codes.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="cohort-{slug(cohort.name)}-codes-'
    )
    rows = _by_learner(read_export(text, "codes"))
    assert len(rows) == 3
    enums = prison_enums()
    for learner in (world["ready"], world["declined"], world["fresh"]):
        row = rows[str(learner.public_id)]
        changes = list(
            db.session.scalars(
                select(ReadinessStatusChange)
                .where(ReadinessStatusChange.learner_id == learner.id)
                .order_by(ReadinessStatusChange.changed_at, ReadinessStatusChange.id)
            )
        )
        newest = changes[-1] if changes else None
        assert row["work_readiness_status"] == (newest.status.value if newest else "")
        assert row["status_change_type"] == (newest.change_type.value if newest and newest.change_type else "")
        assert row["prison_id"] == cohort.establishment.code
        items = {
            item.barrier.value: item
            for item in db.session.scalars(select(BarrierItem).where(BarrierItem.learner_id == learner.id))
        }
        for todo in sorted(enums["ActionTodo"]):
            key = f"barrier_{todo.lower()}"
            item = items.get(todo)
            assert row[f"{key}_status"] == (item.status.value if item else "NOT_STARTED"), key
            assert row[f"{key}_already_in_place"] == ("true" if item and item.already_in_place else "false"), key
        statuses = Counter(
            goal.status.value for goal in db.session.scalars(select(Goal).where(Goal.learner_id == learner.id))
        )
        assert [row["goals_active"], row["goals_completed"], row["goals_archived"]] == [
            str(statuses[status]) for status in ("ACTIVE", "COMPLETED", "ARCHIVED")
        ]
    ready = rows[str(world["ready"].public_id)]
    # Needs support -> ready to work is neither NEW nor into/out of "declined": no status-change type.
    assert (ready["work_readiness_status"], ready["status_change_type"]) == ("READY_TO_WORK", "")
    assert ready["barrier_housing_already_in_place"] == "true" and ready["barrier_id_status_label"] == "In progress"
    fresh = rows[str(world["fresh"].public_id)]
    assert (fresh["work_readiness_status"], fresh["work_readiness_status_label"]) == ("", "Not started")
    declined = rows[str(world["declined"].public_id)]
    assert (declined["status_change_type"], declined["status_change_type_label"]) == (
        "NEW",
        "First recorded",
    )
    # A reason for declining support (here a health reason) is never exported.
    assert "HEALTH" not in text


def test_the_skills_export_is_one_row_per_learner_and_skill(mentor_client, cohort, world):
    text = mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export-skills.csv").get_data(as_text=True)
    rows = read_export(text, "skills")
    ready = [row for row in rows if row["learner_id"] == str(world["ready"].public_id)]
    assert [(r["skill_kind"], r["framework_skill"], r["skillpath_level_held"], r["skill_met"]) for r in ready] == [
        ("FRAMEWORK", "Explaining things", "", "false"),
        ("FRAMEWORK", "Fixing things", "working", "true"),
    ]
    fresh = [row for row in rows if row["learner_id"] == str(world["fresh"].public_id)]
    newest = {}
    for rating in db.session.scalars(
        select(ConfidenceRating)
        .where(ConfidenceRating.learner_id == world["fresh"].id, ConfidenceRating.assessor_id == world["fresh"].id)
        .order_by(ConfidenceRating.rated_at)
    ):
        newest[rating.employability_skill.value] = rating.confidence.value
    assert {row["employability_skill"]: row["employability_skill_rating"] for row in fresh} == newest
    assert newest == {"TEAMWORK": "QUITE_CONFIDENT", "PROBLEM_SOLVING": "VERY_CONFIDENT"}
    assert all(row["skill_kind"] == "EMPLOYABILITY" and row["framework_skill"] == "" for row in fresh)


def test_the_columns_never_depend_on_the_data(mentor_client, cohort, world):
    url = f"/dashboards/cohorts/{cohort.public_id}"
    for kind, columns in (("codes", codes.CODES_COLUMNS), ("skills", codes.SKILLS_COLUMNS)):
        before = mentor_client.get(f"{url}/export-{kind}.csv").get_data(as_text=True)
        # Another job with other skills for one learner: more rows in the skills file, never more columns.
        other_job, _ = make_job(*(f"Other {kind} skill {n}" for n in range(5)), name=f"Another job {kind}")
        world["fresh"].learner_profile.target_role_level_id = other_job.id
        db.session.flush()
        after = mentor_client.get(f"{url}/export-{kind}.csv").get_data(as_text=True)
        for text in (before, after):
            assert next(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == list(columns)


def test_the_documentation_lists_every_column_and_the_code_lists_match_the_prison_services():
    assert [column for column, _ in documented_columns("codes")] == list(codes.CODES_COLUMNS)
    assert [column for column, _ in documented_columns("skills")] == list(codes.SKILLS_COLUMNS)
    enums = prison_enums()
    # SkillPath's own enums, where the prison service has the same list, hold exactly their values.
    assert {status.value for status in WorkReadiness} - {"NOT_STARTED"} == enums["ProfileStatus"]
    assert [barrier.value for barrier in Barrier] == json.loads(
        (DATA / "hmpps-education-employment-api.json").read_text(encoding="utf-8")
    )["enums"]["ActionTodo"]
    assert {status.value for status in BarrierStatus} == enums["ActionStatus"]
    assert {skill.value for skill in EmployabilitySkill} == enums["EmployabilitySkillType"]
    assert {confidence.value for confidence in Confidence} == enums["EmployabilitySkillRating"]


def test_a_codes_export_is_audited_and_only_for_staff_who_may_see_the_cohort(app, mentor_client, mentor, cohort, world):
    mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export-codes.csv?band=READY")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.exported"))
    assert (event.actor_id, event.object_id, event.detail) == (
        mentor.id,
        str(cohort.public_id),
        {"filtered": True, "export": "codes"},
    )
    stranger = factories.make_mentor(cohorts=[factories.make_cohort()])
    client = sign_in(app.test_client(), stranger)
    for kind in ("codes", "skills"):
        assert client.get(f"/dashboards/cohorts/{cohort.public_id}/export-{kind}.csv").status_code == 404
    assert sign_in(app.test_client(), world["ready"]).get(
        f"/dashboards/cohorts/{cohort.public_id}/export-codes.csv"
    ).status_code in (403, 404)
    assert mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export-other.csv").status_code == 404


def test_an_establishment_codes_export_covers_its_cohorts(app, establishment, cohort, world):
    other = factories.make_cohort(establishment=establishment, name="Another cohort")
    olly = factories.make_learner(cohort=other, display_name="Olly Other")
    lead = factories.make_mentor(establishment=establishment, is_establishment_lead=True)
    client = sign_in(app.test_client(), lead)
    response = client.get(f"/dashboards/establishments/{establishment.public_id}/export-codes.csv")
    assert response.status_code == 200
    rows = _by_learner(read_export(response.get_data(as_text=True), "codes"))
    assert {str(olly.public_id), str(world["ready"].public_id)} <= set(rows)
    assert rows[str(olly.public_id)]["prison_id"] == establishment.code
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "establishment.exported"))
    assert event.detail == {"filtered": False, "export": "codes"}


def test_the_cohort_page_links_to_both_coded_files_with_its_filters(mentor_client, cohort, world):
    response = mentor_client.get(f"/mentor/cohorts/{cohort.public_id}?band=READY")
    assert response.status_code == 200
    links = {a["href"] for a in page(response).select("a[download]")}
    coded = sorted(href for href in links if "/export-" in href)
    assert [href.split("?")[0].rsplit("/", 1)[1] for href in coded] == ["export-codes.csv", "export-skills.csv"]
    assert all("band=READY" in href for href in coded)
    for href in coded:
        download = mentor_client.get(href)
        body = download.get_data(as_text=True)
        download.close()  # a streamed file holds its request open until closed
        assert download.status_code == 200
        assert download.mimetype == "text/csv"
        assert "learner_id" in body.splitlines()[0]
