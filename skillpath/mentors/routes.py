"""Mentors: their cohorts with what needs doing, the cohort dashboard, and learners' activation codes.

Adding a learner is in `new_learner.py`; a learner's record and its updates in `record.py`;
signing modules off in `sign_off.py`. All of them register their views on this blueprint.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth import handover
from skillpath.auth.loaders import cohort_for_staff_or_404, learner_for_staff_or_404
from skillpath.auth.policy import mentor_required, staff_required
from skillpath.dashboard_filters import DashboardFilterForm, filter_form, with_filters
from skillpath.forms_common import ConfirmForm
from skillpath.models import Cohort
from skillpath.models.audit import AuditAction
from skillpath.services import paging
from skillpath.services.learners import accounts, learners, organisations
from skillpath.services.readiness import charts, dashboards

bp = Blueprint("mentors", __name__, url_prefix="/mentor")


def _audit_dashboard_view(action: AuditAction, object_type: str | None = None, object_id: object = None) -> None:
    """One audit event for the page, which names many learners; committed with the request, after the page."""
    dashboards.record_dashboard_viewed(
        action,
        by=current_user,
        ip_address=request.remote_addr,
        filters=request.args.to_dict(),
        object_type=object_type,
        object_id=object_id,
    )


@bp.route("/")
@mentor_required
def home() -> str:
    _audit_dashboard_view(AuditAction.MENTOR_HOME_VIEWED)
    with dashboards.cyclic_gc_paused():
        return _home_page()


def _home_page() -> str:
    now = datetime.now(UTC)
    cohorts = organisations.list_cohorts_for_mentor(current_user)
    summaries, worklist = dashboards.home_figures(cohorts, now=now, shown=dashboards.WORKLIST_SHOWN)
    return render_template(
        "mentors/home.html",
        summaries=summaries,
        worklist=worklist,
        shown=dashboards.WORKLIST_SHOWN,
        cohort_names={cohort.id: cohort.name for cohort in cohorts},
        now=now,
    )


@bp.route("/worklist/<kind>")
@mentor_required
def worklist(kind: str) -> str:
    """One of the home page's to-do lists in full, a page at a time."""
    try:
        chosen = dashboards.WorklistKind(kind)
    except ValueError:
        abort(404)
    _audit_dashboard_view(AuditAction.MENTOR_WORKLIST_VIEWED, object_type="worklist", object_id=chosen.value)
    with dashboards.cyclic_gc_paused():
        return _worklist_page(chosen, request.args.get("page", 1, type=paging.page_number))


def _worklist_page(kind: dashboards.WorklistKind, number: int) -> str:
    cohorts = organisations.list_cohorts_for_mentor(current_user)
    return render_template(
        "mentors/worklist.html",
        kind=kind,
        page=dashboards.worklist_page([c.id for c in cohorts], kind, number, now=datetime.now(UTC)),
        cohort_names={cohort.id: cohort.name for cohort in cohorts},
    )


@bp.route("/cohorts/<uuid:cohort_id>")
@staff_required
def cohort(cohort_id: uuid.UUID) -> str:
    cohort = cohort_for_staff_or_404(cohort_id)
    form = filter_form(request.args)
    _audit_dashboard_view(AuditAction.COHORT_DASHBOARD_VIEWED, object_type="cohort", object_id=cohort.public_id)
    with dashboards.cyclic_gc_paused():
        return _cohort_page(cohort, form)


def _cohort_page(cohort: Cohort, form: DashboardFilterForm) -> str:
    dashboard = dashboards.build_dashboard([cohort], current_app.config, filters=form.to_filters())
    form.set_role_levels(dashboard.selection.role_levels)
    page = render_template(
        "mentors/cohort.html",
        cohort=cohort,
        dashboard=dashboard,
        charts=charts.cohort_charts(dashboard),
        filters=form,
        export_url=with_filters(url_for("dashboards.cohort_export", cohort_id=cohort.public_id), request.args),
        codes_export_url=with_filters(
            url_for("dashboards.cohort_codes_export", cohort_id=cohort.public_id), request.args
        ),
        skills_export_url=with_filters(
            url_for("dashboards.cohort_skills_export", cohort_id=cohort.public_id), request.args
        ),
    )
    dashboard.release()
    return page


@bp.route("/learners/<uuid:learner_id>/new-activation-code", methods=["POST"])
@staff_required
def activation_code_reissue(learner_id: uuid.UUID) -> Response:
    learner = learner_for_staff_or_404(learner_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    code = accounts.reissue_activation_code(
        learner, by=current_user, activation_days=current_app.config["ACTIVATION_CODE_DAYS"]
    )
    handover.remember_code(learner, code)
    return redirect(url_for("mentors.activation_code", learner_id=learner.public_id))


@bp.route("/learners/<uuid:learner_id>/activation-code")
@staff_required
def activation_code(learner_id: uuid.UUID) -> str | Response:
    learner = learner_for_staff_or_404(learner_id)
    code = handover.take_code(learner)
    if code is None:
        return redirect(url_for("mentors.learner", learner_id=learner.public_id))
    learners.record_learner_viewed(learner, by=current_user, page="activation-code", ip_address=request.remote_addr)
    return render_template("mentors/activation_code.html", learner=learner, code=code)


# Adding learners, the learner record and sign-off views register themselves on `bp`.
from skillpath.mentors import new_learner, record, sign_off  # noqa: E402, F401
