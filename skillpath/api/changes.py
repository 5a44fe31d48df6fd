"""Changing learners' records through the staff API, with the same use cases the pages call.

Each view: the scope it needs, the learner within the client's caseload or 404, the body checked field by field
(422 naming each bad field), If-Match against the resource as it is now (428 / 412), then ONE use case. The use
case audits the change; the audit event names the client (services/api/audit.py), and no person is its actor.
"""

from __future__ import annotations

import uuid

from flask import url_for
from werkzeug.wrappers import Response

from skillpath.api.auth import client_required
from skillpath.api.bodies import BARRIER_UPDATE, GOAL_CREATE, GOAL_PATCH, MODULE_RETURN, WORK_STATUS_UPDATE
from skillpath.api.problems import ApiRefusal, api_problem
from skillpath.api.resources import barrier_or_404
from skillpath.api.responses import learner_or_404, not_found, require_if_match, single
from skillpath.api.routes import bp
from skillpath.api.validation import header_uuid, read_body
from skillpath.models import ApiScope, Barrier, BarrierStatus, DeclineReason, Enrolment, Goal, StepStatus, WorkReadiness
from skillpath.services.api import records, serialisers
from skillpath.services.api.scoping import PlacedLearner
from skillpath.services.plans import goals
from skillpath.services.progress import progress
from skillpath.services.readiness import barriers, work_status
from skillpath.settings import app_issuer


@bp.route("/learners/<uuid:learner_id>/work-status", methods=["PUT"])
@client_required(ApiScope.WORK_STATUS_WRITE)
def work_status_update(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    body = read_body(WORK_STATUS_UPDATE)
    require_if_match(serialisers.work_status(placed, records.current_status(placed.learner)))
    reason = body.get("declineReason")
    work_status.record_status(
        placed.learner,
        WorkReadiness(body["status"]),
        decline_reason=DeclineReason(reason) if reason else None,
        by=None,
    )
    return single(serialisers.work_status(placed, records.current_status(placed.learner)))


@bp.route("/learners/<uuid:learner_id>/barriers/<code>", methods=["PUT"])
@client_required(ApiScope.BARRIERS_WRITE)
def barrier_update(learner_id: uuid.UUID, code: str) -> Response:
    placed = learner_or_404(learner_id)
    barrier = barrier_or_404(code)
    body = read_body(BARRIER_UPDATE)
    if body.get("idDocuments") and barrier != Barrier.ID:
        raise ApiRefusal(
            api_problem(
                "validation-failed",
                "idDocuments is only for the ID barrier.",
                errors=[{"pointer": "/idDocuments", "detail": "Only the ID barrier has documents."}],
            )
        )
    require_if_match(serialisers.barrier(records.barrier_item(placed.learner, barrier)))
    barriers.set_barrier(
        placed.learner,
        barrier,
        status=BarrierStatus(body["status"]),
        already_in_place=body.get("alreadyInPlace", False),
        note=body.get("note"),
        id_documents=body.get("idDocuments") if barrier == Barrier.ID else None,
        by=None,
    )
    return single(serialisers.barrier(records.barrier_item(placed.learner, barrier)))


@bp.route("/learners/<uuid:learner_id>/goals", methods=["POST"])
@client_required(ApiScope.GOALS_WRITE)
def goal_create(learner_id: uuid.UUID) -> Response:
    """With an Idempotency-Key (a UUID the client makes), sending the same request again finds the goal already
    made (200) instead of making a second one (201)."""
    placed = learner_or_404(learner_id)
    key = header_uuid("Idempotency-Key")
    body = read_body(GOAL_CREATE)
    goal, created = goals.create_goal(
        placed.learner,
        title=body["title"],
        target_date=body.get("targetDate"),
        steps=body["steps"],
        actor=None,
        submission_id=key,
    )
    response = single(serialisers.goal(goal), 201 if created else 200)
    response.headers["Location"] = url_for("api.goal", learner_id=learner_id, goal_id=goal.public_id)
    return response


def _goal_or_404(placed: PlacedLearner, goal_id: uuid.UUID) -> Goal:
    found = goals.find_goal_for_learner(placed.learner, goal_id)
    if found is None:
        raise not_found("goal")
    return found


@bp.route("/learners/<uuid:learner_id>/goals/<uuid:goal_id>", methods=["PATCH"])
@client_required(ApiScope.GOALS_WRITE)
def goal_update(learner_id: uuid.UUID, goal_id: uuid.UUID) -> Response:
    """Only the fields sent change; steps by position; then COMPLETED or ARCHIVED, if asked, in one transaction."""
    placed = learner_or_404(learner_id)
    goal = _goal_or_404(placed, goal_id)
    body = read_body(GOAL_PATCH)
    require_if_match(serialisers.goal(goal))
    if "title" in body or "targetDate" in body:
        goals.update_goal(
            goal,
            title=body.get("title", goal.title),
            target_date=body.get("targetDate", goal.target_date),
            actor=None,
        )
    positions = {step.position for step in goal.steps}
    unknown = [index for index, change in enumerate(body.get("steps", [])) if change["position"] not in positions]
    if unknown:
        raise ApiRefusal(
            api_problem(
                "validation-failed",
                f"This goal has steps {min(positions)} to {max(positions)}.",
                errors=[{"pointer": f"/steps/{index}/position", "detail": "No step here."} for index in unknown],
            )
        )
    for change in body.get("steps", []):
        step = goals.find_step(goal, change["position"])
        goals.set_step_status(goal, step, StepStatus(change["status"]), actor=None)
    if body.get("status") == "COMPLETED":
        goals.complete_goal(goal, actor=None)
    elif body.get("status") == "ARCHIVED":
        goals.archive_goal(goal, body.get("archiveReason", ""), actor=None, other=body.get("archiveReasonOther"))
    return single(serialisers.goal(_goal_or_404(placed, goal_id)))


def _enrolment_or_404(placed: PlacedLearner, code: str) -> Enrolment:
    enrolment = records.find_enrolment(placed.learner, code)
    if enrolment is None:
        raise not_found("module this learner has started")
    return enrolment


@bp.route("/learners/<uuid:learner_id>/modules/<code>/sign-off", methods=["POST"])
@client_required(ApiScope.PROGRESS_WRITE)
def module_sign_off(learner_id: uuid.UUID, code: str) -> Response:
    placed = learner_or_404(learner_id)
    enrolment = _enrolment_or_404(placed, code)
    progress.sign_off_module(enrolment, by=None, issuer=app_issuer())
    return single(serialisers.module(progress.get_module_progress(enrolment)))


@bp.route("/learners/<uuid:learner_id>/modules/<code>/return", methods=["POST"])
@client_required(ApiScope.PROGRESS_WRITE)
def module_return(learner_id: uuid.UUID, code: str) -> Response:
    placed = learner_or_404(learner_id)
    enrolment = _enrolment_or_404(placed, code)
    body = read_body(MODULE_RETURN)
    progress.return_module(enrolment, feedback=body["feedback"], by=None)
    return single(serialisers.module(progress.get_module_progress(enrolment)))
