"""The establishment view (heads of education and administrators) and the CSV exports of cohorts and establishments."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from skillpath.auth.policy import can_view_establishment, staff_required
from skillpath.dashboards import charts
from skillpath.dashboards.forms import DashboardFilterForm, filter_form, with_filters
from skillpath.extensions import db
from skillpath.mentors.routes import audit_dashboard_view, cohort_for_staff_or_404
from skillpath.models import Cohort, Establishment
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.exports import exports
from skillpath.services.learners import organisations
from skillpath.services.readiness import dashboards

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")


def _establishment_or_404(establishment_id: uuid.UUID) -> Establishment:
    establishment = organisations.get_establishment(establishment_id)
    if establishment is None or not can_view_establishment(current_user, establishment.id):
        abort(404)
    return establishment


def _active_cohorts(establishment: Establishment) -> list[Cohort]:
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.establishment_id == establishment.id, Cohort.archived_at.is_(None))
            .options(selectinload(Cohort.mentors))
            .order_by(Cohort.name)
        )
    )


@bp.route("/")
@staff_required
def index() -> str | BaseResponse:
    """Administrators choose an establishment; a head of education goes straight to their own."""
    if current_user.is_mentor:
        if not current_user.is_establishment_lead or current_user.establishment is None:
            abort(404)
        return redirect(url_for("dashboards.establishment", establishment_id=current_user.establishment.public_id))
    establishments = organisations.list_establishments()
    counts = organisations.count_current_learners([c.id for e in establishments for c in e.cohorts])
    return render_template("dashboards/index.html", establishments=establishments, counts=counts)


@bp.route("/establishments/<uuid:establishment_id>")
@staff_required
def establishment(establishment_id: uuid.UUID) -> str:
    establishment = _establishment_or_404(establishment_id)
    form = filter_form(request.args)
    audit_dashboard_view(
        AuditAction.ESTABLISHMENT_DASHBOARD_VIEWED, object_type="establishment", object_id=establishment.public_id
    )
    with dashboards.cyclic_gc_paused():
        return _establishment_page(establishment, form)


def _establishment_page(establishment: Establishment, form: DashboardFilterForm) -> str:
    dashboard = dashboards.build_dashboard(
        _active_cohorts(establishment), current_app.config, filters=form.to_filters()
    )
    form.set_role_levels(dashboard.selection.role_levels)
    page = render_template(
        "dashboards/establishment.html",
        establishment=establishment,
        dashboard=dashboard,
        matches=_name_matches(dashboard, form),
        summaries=dashboard.summaries,
        charts=establishment_charts(dashboard),
        filters=form,
        export_url=with_filters(
            url_for("dashboards.establishment_export", establishment_id=establishment.public_id), request.args
        ),
    )
    dashboard.release()
    return page


NAME_MATCHES_SHOWN = 100


def _name_matches(
    dashboard: dashboards.Dashboard, form: DashboardFilterForm
) -> list[tuple[dashboards.LearnerRow, Cohort]] | None:
    """With a name searched for, the learners found, each with their cohort, so a head of education can go
    straight to one; the first hundred only, as a search for one letter could find thousands."""
    if not form.name.data:
        return None
    cohorts = {cohort.id: cohort for cohort in dashboard.cohorts}
    return [(row, cohorts[row.cohort_id]) for row in dashboard.rows[:NAME_MATCHES_SHOWN]]


def establishment_charts(dashboard: dashboards.Dashboard) -> dict[str, object]:
    return {
        "cohorts": charts.cohorts_figure(dashboard.summaries),
        "distribution": charts.distribution_figure(dashboard.distribution),
        "weekly": charts.weekly_figure(dashboard.weeks),
        "barriers": charts.barriers_figure(dashboard.barriers_outstanding),
        "grids": [(grid, charts.cohort_grid_figure(grid)) for grid in dashboard.cohort_grids],
    }


def _csv_response(cohorts: list[Cohort], filename: str) -> Response:
    form = filter_form(request.args)
    scope = exports.ExportScope([c.id for c in cohorts], form.to_filters(), datetime.now(UTC).date())
    lines = exports.csv_lines(scope, current_app.config)
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cohorts/<uuid:cohort_id>/export.csv")
@staff_required
def cohort_export(cohort_id: uuid.UUID) -> Response:
    cohort = cohort_for_staff_or_404(cohort_id)
    record_event(
        AuditAction.COHORT_EXPORTED,
        actor=current_user,
        object_type="cohort",
        object_id=cohort.public_id,
        ip_address=request.remote_addr,
        filtered=bool(request.args),
    )
    db.session.commit()
    today = datetime.now(UTC).date().isoformat()
    return _csv_response([cohort], f"cohort-{exports.slug(cohort.name)}-{today}.csv")


@bp.route("/establishments/<uuid:establishment_id>/export.csv")
@staff_required
def establishment_export(establishment_id: uuid.UUID) -> Response:
    establishment = _establishment_or_404(establishment_id)
    record_event(
        AuditAction.ESTABLISHMENT_EXPORTED,
        actor=current_user,
        object_type="establishment",
        object_id=establishment.public_id,
        ip_address=request.remote_addr,
        filtered=bool(request.args),
    )
    db.session.commit()
    today = datetime.now(UTC).date().isoformat()
    name = f"establishment-{exports.slug(establishment.code)}-{exports.slug(establishment.name)}-{today}.csv"
    return _csv_response(_active_cohorts(establishment), name)
