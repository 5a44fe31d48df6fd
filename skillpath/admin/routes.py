"""Administrators run establishments, cohorts and staff accounts."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from skillpath.admin.forms import AssignMentorForm, CreateCohortForm, CreateEstablishmentForm, CreateStaffForm
from skillpath.auth import handover
from skillpath.auth.loaders import cohort_for_admin_or_404, establishment_for_admin_or_404, staff_for_admin_or_404
from skillpath.auth.policy import admin_required
from skillpath.forms_common import ConfirmForm
from skillpath.i18n import _
from skillpath.models import EstablishmentKind, UserRole
from skillpath.services import paging
from skillpath.services.errors import DomainError
from skillpath.services.learners import accounts, organisations

bp = Blueprint("admin", __name__, url_prefix="/admin")

STAFF_PAGE_SIZE = 100


@bp.route("/")
@admin_required
def home() -> str:
    return render_template("admin/home.html", establishments=organisations.list_establishment_counts())


@bp.route("/establishments/new", methods=["GET", "POST"])
@admin_required
def establishment_new() -> str | Response:
    form = CreateEstablishmentForm()
    if form.validate_on_submit():
        try:
            establishment = organisations.create_establishment(
                name=form.name.data or "",
                code=form.code.data or "",
                kind=EstablishmentKind(form.kind.data),
                by=current_user,
            )
        except DomainError as error:
            getattr(form, error.field or "name").errors = [error.message]
        else:
            flash(_("%(name)s has been added.", name=establishment.name), "success")
            return redirect(url_for("admin.establishment", establishment_id=establishment.public_id))
    return render_template("admin/establishment_new.html", form=form)


@bp.route("/establishments/<uuid:establishment_id>")
@admin_required
def establishment(establishment_id: uuid.UUID) -> str:
    establishment = establishment_for_admin_or_404(establishment_id)
    cohorts = organisations.list_cohorts_in(establishment)
    counts = organisations.count_current_learners([cohort.id for cohort in cohorts])
    mentors = organisations.list_mentors_in(establishment)
    return render_template(
        "admin/establishment.html", establishment=establishment, cohorts=cohorts, counts=counts, mentors=mentors
    )


@bp.route("/establishments/<uuid:establishment_id>/cohorts/new", methods=["GET", "POST"])
@admin_required
def cohort_new(establishment_id: uuid.UUID) -> str | Response:
    establishment = establishment_for_admin_or_404(establishment_id)
    form = CreateCohortForm()
    if form.validate_on_submit():
        try:
            cohort = organisations.create_cohort(
                establishment=establishment, name=form.name.data or "", by=current_user
            )
        except DomainError as error:
            form.name.errors = [error.message]
        else:
            flash(_("The cohort %(name)s has been added.", name=cohort.name), "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.public_id))
    return render_template("admin/cohort_new.html", form=form, establishment=establishment)


@bp.route("/cohorts/<uuid:cohort_id>", methods=["GET", "POST"])
@admin_required
def cohort(cohort_id: uuid.UUID) -> str | Response:
    cohort = cohort_for_admin_or_404(cohort_id)
    available = [m for m in organisations.list_mentors_in(cohort.establishment) if m not in cohort.mentors]
    form = AssignMentorForm()
    form.mentor.choices = [SelectChoice("", _("Select a mentor"))] + [
        SelectChoice(str(m.public_id), m.display_name) for m in available
    ]
    if form.validate_on_submit():
        try:
            mentor = organisations.assign_mentor_by_id(cohort, form.mentor.data, by=current_user)
        except DomainError as error:
            form.mentor.errors = [error.message]
        else:
            flash(_("%(mentor)s now mentors %(cohort)s.", mentor=mentor.display_name, cohort=cohort.name), "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.public_id))
    learners = organisations.list_current_learners([cohort.id])[cohort.id]
    return render_template("admin/cohort.html", cohort=cohort, form=form, learners=learners, available=available)


@bp.route("/cohorts/<uuid:cohort_id>/mentors/<uuid:mentor_id>/remove", methods=["GET", "POST"])
@admin_required
def cohort_mentor_remove(cohort_id: uuid.UUID, mentor_id: uuid.UUID) -> str | Response:
    """Asks first: removing a mentor takes their learners' records away from them at once."""
    cohort = cohort_for_admin_or_404(cohort_id)
    mentor = staff_for_admin_or_404(mentor_id)
    back = redirect(url_for("admin.cohort", cohort_id=cohort.public_id))
    no_longer = _("%(mentor)s no longer mentors %(cohort)s.", mentor=mentor.display_name, cohort=cohort.name)
    if mentor not in cohort.mentors:
        if not organisations.was_removed_lately(cohort, mentor):
            abort(404)
        # Removed a moment ago (the second click of a double click, or another administrator): say so.
        flash(no_longer, "info")
        return back
    form = ConfirmForm()
    if form.validate_on_submit():
        organisations.remove_mentor(cohort, mentor, by=current_user)
        flash(no_longer, "success")
        return back
    return render_template("admin/cohort_mentor_remove.html", cohort=cohort, mentor=mentor, form=form)


@bp.route("/staff")
@admin_required
def staff() -> str:
    """Every staff account nationally, a page at a time: there are thousands across the prison estate."""
    number = request.args.get("page", 1, type=paging.page_number)
    return render_template("admin/staff.html", page=organisations.list_staff(number, size=STAFF_PAGE_SIZE))


@bp.route("/staff/new", methods=["GET", "POST"])
@admin_required
def staff_new() -> str | Response:
    form = CreateStaffForm()
    establishments = organisations.list_establishments()
    form.establishment.choices = [SelectChoice("", _("Select an establishment"))] + [
        SelectChoice(str(e.public_id), e.name) for e in establishments
    ]
    if form.validate_on_submit():
        chosen = next((e for e in establishments if str(e.public_id) == form.establishment.data), None)
        try:
            account = accounts.create_staff(
                username=form.username.data or "",
                display_name=form.display_name.data or "",
                role=UserRole(form.role.data),
                establishment=chosen,
                email=form.email.data,
                is_establishment_lead=bool(form.is_establishment_lead.data),
                created_by=current_user,
                activation_days=current_app.config["ACTIVATION_CODE_DAYS"],
            )
        except DomainError as error:
            getattr(form, error.field or "username").errors = [error.message]
        else:
            handover.remember_code(account.user, account.activation_code)
            return redirect(url_for("admin.staff_created", user_id=account.user.public_id))
    return render_template("admin/staff_new.html", form=form)


@bp.route("/staff/<uuid:user_id>/created")
@admin_required
def staff_created(user_id: uuid.UUID) -> str | Response:
    user = staff_for_admin_or_404(user_id)
    code = handover.take_code(user)
    if code is None:
        return redirect(url_for("admin.staff"))
    return render_template("admin/staff_created.html", user=user, code=code)
