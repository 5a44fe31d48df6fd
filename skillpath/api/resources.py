"""Reading the staff API's resources: establishments, cohorts, learners and their records.

Each view: the scope it needs (in the decorator), the record loaded within the client's caseload or 404, one
service call, the JSON shape from services/api/serialisers.py.
"""

from __future__ import annotations

import uuid

from flask import current_app
from werkzeug.wrappers import Response

from skillpath.api.auth import client_required, current_client, has_scope
from skillpath.api.responses import (
    cohort_or_404,
    establishment_or_404,
    json_response,
    learner_or_404,
    not_found,
    page_of,
    single,
)
from skillpath.api.routes import bp
from skillpath.api.validation import query_uuid
from skillpath.models import ApiScope, Barrier
from skillpath.services.api import records, scoping, serialisers
from skillpath.services.api.scoping import PlacedLearner
from skillpath.services.certificates import certificates
from skillpath.services.plans import goals
from skillpath.services.progress import progress
from skillpath.services.readiness import barriers, learner_state, work_status


def _learner_json(placed: PlacedLearner) -> dict[str, object]:
    return serialisers.learner(placed, with_prison_number=has_scope(ApiScope.LEARNERS_PRISON_NUMBER))


@bp.route("/establishments")
@client_required(ApiScope.ESTABLISHMENTS_READ)
def establishments() -> Response:
    client = current_client()
    return page_of(
        lambda after, limit: scoping.list_establishments(client, after=after, limit=limit),
        serialisers.establishment,
        key=lambda item: item.id,
    )


@bp.route("/establishments/<uuid:establishment_id>")
@client_required(ApiScope.ESTABLISHMENTS_READ)
def establishment(establishment_id: uuid.UUID) -> Response:
    return single(serialisers.establishment(establishment_or_404(establishment_id)))


@bp.route("/establishments/<uuid:establishment_id>/cohorts")
@client_required(ApiScope.ESTABLISHMENTS_READ)
def establishment_cohorts(establishment_id: uuid.UUID) -> Response:
    found = establishment_or_404(establishment_id)
    return page_of(
        lambda after, limit: scoping.list_cohorts(found, after=after, limit=limit),
        serialisers.cohort,
        key=lambda item: item.id,
    )


@bp.route("/cohorts/<uuid:cohort_id>/learners")
@client_required(ApiScope.LEARNERS_READ)
def cohort_learners(cohort_id: uuid.UUID) -> Response:
    found, client = cohort_or_404(cohort_id), current_client()
    return page_of(
        lambda after, limit: scoping.list_learners(client, cohort=found, after=after, limit=limit),
        _learner_json,
        key=lambda item: item.id,
    )


@bp.route("/learners")
@client_required(ApiScope.LEARNERS_READ)
def learners() -> Response:
    client = current_client()
    establishment_id = query_uuid("establishment")
    within = None
    if establishment_id is not None:
        within = scoping.find_establishment(client, establishment_id)
        if within is None:
            raise not_found("establishment")
    return page_of(
        lambda after, limit: scoping.list_learners(client, establishment=within, after=after, limit=limit),
        _learner_json,
        key=lambda item: item.id,
    )


@bp.route("/learners/<uuid:learner_id>")
@client_required(ApiScope.LEARNERS_READ)
def learner(learner_id: uuid.UUID) -> Response:
    return single(_learner_json(learner_or_404(learner_id)))


@bp.route("/learners/<uuid:learner_id>/readiness")
@client_required(ApiScope.READINESS_READ)
def readiness(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    result = learner_state.readiness_for([placed.learner], current_app.config)[placed.learner.id]
    return single(serialisers.readiness(placed, result))


@bp.route("/learners/<uuid:learner_id>/work-status")
@client_required(ApiScope.WORK_STATUS_READ)
def work_status_current(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    return single(serialisers.work_status(placed, records.current_status(placed.learner)))


@bp.route("/learners/<uuid:learner_id>/work-status/history")
@client_required(ApiScope.WORK_STATUS_READ)
def work_status_history(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    history = work_status.status_history(placed.learner)
    return json_response({"items": [serialisers.status_change(change) for change in history]})


@bp.route("/learners/<uuid:learner_id>/barriers")
@client_required(ApiScope.BARRIERS_READ)
def barrier_list(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    return json_response({"items": [serialisers.barrier(item) for item in barriers.list_barriers(placed.learner)]})


@bp.route("/learners/<uuid:learner_id>/barriers/history")
@client_required(ApiScope.BARRIERS_READ)
def barrier_history(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    history = records.barrier_history(placed.learner)
    return json_response({"items": [serialisers.barrier_change(change) for change in history]})


def barrier_or_404(code: str) -> Barrier:
    try:
        return Barrier(code)
    except ValueError:
        raise not_found("barrier") from None


@bp.route("/learners/<uuid:learner_id>/barriers/<code>")
@client_required(ApiScope.BARRIERS_READ)
def barrier(learner_id: uuid.UUID, code: str) -> Response:
    placed = learner_or_404(learner_id)
    return single(serialisers.barrier(records.barrier_item(placed.learner, barrier_or_404(code))))


@bp.route("/learners/<uuid:learner_id>/goals")
@client_required(ApiScope.GOALS_READ)
def goal_list(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    lists = goals.list_goals(placed.learner)
    return json_response({"items": [serialisers.goal(item) for item in [*lists.active, *lists.past]]})


@bp.route("/learners/<uuid:learner_id>/goals/<uuid:goal_id>")
@client_required(ApiScope.GOALS_READ)
def goal(learner_id: uuid.UUID, goal_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    found = goals.find_goal_for_learner(placed.learner, goal_id)
    if found is None:
        raise not_found("goal")
    return single(serialisers.goal(found))


@bp.route("/learners/<uuid:learner_id>/modules")
@client_required(ApiScope.PROGRESS_READ)
def module_list(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    states = progress.list_module_progress(placed.learner)
    return json_response({"items": [serialisers.module(state) for state in states]})


@bp.route("/learners/<uuid:learner_id>/certificates")
@client_required(ApiScope.CERTIFICATES_READ)
def certificate_list(learner_id: uuid.UUID) -> Response:
    placed = learner_or_404(learner_id)
    found = certificates.list_certificates(placed.learner)
    return json_response({"items": [serialisers.certificate(item) for item in found]})
