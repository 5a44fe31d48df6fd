"""Mentors see their cohorts and learners, add learner accounts and hand over activation codes."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth import handover
from skillpath.auth.policy import can_create_learner_in, can_view_cohort, mentor_required, staff_required
from skillpath.extensions import db
from skillpath.mentors.forms import ConfirmForm, CreateLearnerForm
from skillpath.models import Cohort
from skillpath.services import accounts, organisations
from skillpath.services.accounts import AccountError
from skillpath.services.audit import record_event
from skillpath.services.learners import get_learner_for_staff_or_404

bp = Blueprint("mentors", __name__, url_prefix="/mentor")


def _cohort_for_mentor_or_404(cohort_id: uuid.UUID) -> Cohort:
    cohort = organisations.get_cohort(cohort_id)
    if cohort is None or not can_view_cohort(current_user, cohort):
        abort(404)
    return cohort


@bp.route("/")
@mentor_required
def home() -> str:
    cohorts = organisations.list_cohorts_for_mentor(current_user)
    learners = organisations.list_current_learners([cohort.id for cohort in cohorts])
    return render_template("mentors/home.html", cohorts=cohorts, learners=learners)


@bp.route("/cohorts/<uuid:cohort_id>")
@mentor_required
def cohort(cohort_id: uuid.UUID) -> str:
    cohort = _cohort_for_mentor_or_404(cohort_id)
    learners = organisations.list_current_learners([cohort.id])[cohort.id]
    return render_template("mentors/cohort.html", cohort=cohort, learners=learners)


@bp.route("/cohorts/<uuid:cohort_id>/add-learner", methods=["GET", "POST"])
@mentor_required
def learner_new(cohort_id: uuid.UUID) -> str | Response:
    cohort = _cohort_for_mentor_or_404(cohort_id)
    if not can_create_learner_in(current_user, cohort):
        abort(404)
    form = CreateLearnerForm()
    if form.validate_on_submit():
        try:
            account = accounts.create_learner(
                username=form.username.data or "",
                preferred_name=form.preferred_name.data or "",
                cohort=cohort,
                created_by=current_user,
                activation_days=current_app.config["ACTIVATION_CODE_DAYS"],
                prison_number=form.prison_number.data,
                release_date=form.release_date.data,
            )
        except AccountError as error:
            getattr(form, error.field or "username").errors = [str(error)]
        else:
            db.session.commit()
            handover.remember_code(account.user, account.activation_code)
            return redirect(url_for("mentors.activation_code", learner_id=account.user.public_id))
    return render_template("mentors/learner_new.html", form=form, cohort=cohort)


@bp.route("/learners/<uuid:learner_id>")
@staff_required
def learner(learner_id: uuid.UUID) -> str:
    learner = get_learner_for_staff_or_404(current_user, learner_id)
    record_event(
        "learner.record.viewed", actor=current_user, subject=learner, ip_address=request.remote_addr, page="summary"
    )
    db.session.commit()
    return render_template("mentors/learner.html", learner=learner, form=ConfirmForm())


@bp.route("/learners/<uuid:learner_id>/new-activation-code", methods=["POST"])
@staff_required
def activation_code_reissue(learner_id: uuid.UUID) -> Response:
    learner = get_learner_for_staff_or_404(current_user, learner_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    code = accounts.reissue_activation_code(
        learner, by=current_user, activation_days=current_app.config["ACTIVATION_CODE_DAYS"]
    )
    db.session.commit()
    handover.remember_code(learner, code)
    return redirect(url_for("mentors.activation_code", learner_id=learner.public_id))


@bp.route("/learners/<uuid:learner_id>/activation-code")
@staff_required
def activation_code(learner_id: uuid.UUID) -> str | Response:
    learner = get_learner_for_staff_or_404(current_user, learner_id)
    code = handover.take_code(learner)
    if code is None:
        return redirect(url_for("mentors.learner", learner_id=learner.public_id))
    return render_template("mentors/activation_code.html", learner=learner, code=code)
