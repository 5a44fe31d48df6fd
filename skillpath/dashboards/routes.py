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
from werkzeug.wrappers import Response as BaseResponse

from skillpath.auth.loaders import cohort_for_staff_or_404
from skillpath.auth.loaders import establishment_for_staff_or_404 as _establishment_or_404
from skillpath.auth.policy import staff_required
from skillpath.dashboard_filters import DashboardFilterForm, filter_form, with_filters
from skillpath.models import Cohort, Establishment
from skillpath.models.audit import AuditAction
from skillpath.services.exports import codes as export_codes
from skillpath.services.exports import exports
from skillpath.services.readiness import charts, dashboards, national

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")


def _active_cohorts(establishment: Establishment) -> list[Cohort]:
    return dashboards.list_active_cohorts(establishment.id)


@bp.route("/")
@staff_required
def index() -> str | BaseResponse:
    """Administrators see every establishment side by side; a head of education goes straight to their own."""
    if current_user.is_mentor:
        if not current_user.is_establishment_lead or current_user.establishment is None:
            abort(404)
        return redirect(url_for("dashboards.establishment", establishment_id=current_user.establishment.public_id))
    dashboards.record_dashboard_viewed(
        AuditAction.NATIONAL_DASHBOARD_VIEWED,
        by=current_user,
        ip_address=request.remote_addr,
        filters=request.args.to_dict(),
    )
    return _national_page()


def _national_page() -> str:
    sort = request.args.get("sort", "")
    column = national.Column(sort) if sort in set(national.Column) else national.Column.NAME
    descending = request.args.get("order") == "descending"
    rows = national.sorted_by(national.list_establishment_figures(), column, descending=descending)
    return render_template(
        "dashboards/index.html",
        rows=rows,
        totals=national.totals(rows),
        chart=charts.places_figure([row.name for row in rows], [row.bands for row in rows]),
        sort=column,
        descending=descending,
    )


@bp.route("/establishments/<uuid:establishment_id>")
@staff_required
def establishment(establishment_id: uuid.UUID) -> str:
    establishment = _establishment_or_404(establishment_id)
    form = filter_form(request.args)
    dashboards.record_dashboard_viewed(
        AuditAction.ESTABLISHMENT_DASHBOARD_VIEWED,
        by=current_user,
        ip_address=request.remote_addr,
        filters=request.args.to_dict(),
        object_type="establishment",
        object_id=establishment.public_id,
    )
    with dashboards.cyclic_gc_paused():
        return _establishment_page(establishment, form)


def _establishment_page(establishment: Establishment, form: DashboardFilterForm) -> str:
    overview = dashboards.summarise_establishment(
        _active_cohorts(establishment), filters=form.to_filters(), matches_shown=NAME_MATCHES_SHOWN
    )
    form.set_role_levels(overview.role_levels)
    return render_template(
        "dashboards/establishment.html",
        establishment=establishment,
        dashboard=overview,
        matches=overview.matches,
        summaries=overview.summaries,
        charts=charts.establishment_charts(overview),
        filters=form,
        export_url=with_filters(
            url_for("dashboards.establishment_export", establishment_id=establishment.public_id), request.args
        ),
        codes_export_url=with_filters(
            url_for("dashboards.establishment_codes_export", establishment_id=establishment.public_id), request.args
        ),
        skills_export_url=with_filters(
            url_for("dashboards.establishment_skills_export", establishment_id=establishment.public_id), request.args
        ),
    )


# With a name searched for, the learners found are listed so a head of education can go straight to one:
# the first hundred only, as a search for one letter could find thousands.
NAME_MATCHES_SHOWN = 100


_EXPORTS = {
    exports.PEOPLE: exports.csv_lines,
    exports.CODES: export_codes.codes_lines,
    exports.SKILLS: export_codes.skills_lines,
}


def _csv_response(cohorts: list[Cohort], filename: str, kind: str = exports.PEOPLE) -> Response:
    # Streamed: the request's transaction (with the export's audit event) is committed before the body is sent.
    form = filter_form(request.args)
    scope = exports.ExportScope([c.id for c in cohorts], form.to_filters(), datetime.now(UTC).date())
    lines = _EXPORTS[kind](scope, current_app.config)
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_name(place: str, kind: str) -> str:
    today = datetime.now(UTC).date().isoformat()
    return f"{place}-{kind}-{today}.csv" if kind != exports.PEOPLE else f"{place}-{today}.csv"


def _cohort_csv(cohort_id: uuid.UUID, kind: str) -> Response:
    cohort = cohort_for_staff_or_404(cohort_id)
    exports.record_export(current_user, cohort, kind=kind, filtered=bool(request.args), ip_address=request.remote_addr)
    return _csv_response([cohort], _export_name(f"cohort-{exports.slug(cohort.name)}", kind), kind)


def _establishment_csv(establishment_id: uuid.UUID, kind: str) -> Response:
    establishment = _establishment_or_404(establishment_id)
    exports.record_export(
        current_user, establishment, kind=kind, filtered=bool(request.args), ip_address=request.remote_addr
    )
    place = f"establishment-{exports.slug(establishment.code)}-{exports.slug(establishment.name)}"
    return _csv_response(_active_cohorts(establishment), _export_name(place, kind), kind)


# Each export of a cohort or an establishment: for people, and two in the prison service's codes (docs/codes.md).


@bp.route("/cohorts/<uuid:cohort_id>/export.csv")
@staff_required
def cohort_export(cohort_id: uuid.UUID) -> Response:
    return _cohort_csv(cohort_id, exports.PEOPLE)


@bp.route("/cohorts/<uuid:cohort_id>/export-codes.csv")
@staff_required
def cohort_codes_export(cohort_id: uuid.UUID) -> Response:
    return _cohort_csv(cohort_id, exports.CODES)


@bp.route("/cohorts/<uuid:cohort_id>/export-skills.csv")
@staff_required
def cohort_skills_export(cohort_id: uuid.UUID) -> Response:
    return _cohort_csv(cohort_id, exports.SKILLS)


@bp.route("/establishments/<uuid:establishment_id>/export.csv")
@staff_required
def establishment_export(establishment_id: uuid.UUID) -> Response:
    return _establishment_csv(establishment_id, exports.PEOPLE)


@bp.route("/establishments/<uuid:establishment_id>/export-codes.csv")
@staff_required
def establishment_codes_export(establishment_id: uuid.UUID) -> Response:
    return _establishment_csv(establishment_id, exports.CODES)


@bp.route("/establishments/<uuid:establishment_id>/export-skills.csv")
@staff_required
def establishment_skills_export(establishment_id: uuid.UUID) -> Response:
    return _establishment_csv(establishment_id, exports.SKILLS)
