"""How confident the learner feels: an overview, and one page of questions per group of skills."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.policy import learner_required
from skillpath.extensions import db
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.self_assessment.forms import rate_confidence_form
from skillpath.services.audit.audit import record_event
from skillpath.services.progress.self_assessment import SkillConfidence, latest_ratings, record_self_ratings

bp = Blueprint("self_assessment", __name__, url_prefix="/learner/confidence")


@bp.route("")
@learner_required
def index() -> str:
    overview = latest_ratings(current_user)
    return render_template(
        "self_assessment/index.html", overview=overview, target=current_user.learner_profile.target_role_level
    )


@bp.route("/job-skills", methods=["GET", "POST"])
@learner_required
def job_skills() -> str | Response:
    overview = latest_ratings(current_user)
    if not overview.has_target:
        return redirect(url_for("learners.choose_target"))
    return _rate(overview.required_job_skills, group="job-skills", heading="Skills for the job I want")


@bp.route("/work-skills", methods=["GET", "POST"])
@learner_required
def work_skills() -> str | Response:
    return _rate(latest_ratings(current_user).work_skills, group="work-skills", heading="Skills for work")


def _rate(skills: tuple[SkillConfidence, ...], *, group: str, heading: str) -> str | Response:
    form = rate_confidence_form(skills, prefill=request.method != "POST")
    if form.validate_on_submit():
        added = record_self_ratings(current_user, form.answers())
        if added:
            record_event(
                AuditAction.LEARNER_CONFIDENCE_RATED,
                actor=current_user,
                subject=current_user,
                group=group,
                changed=len(added),
            )
            current_user.learner_profile.last_activity_at = utcnow()
            db.session.commit()
            flash("Your answers have been saved.", "success")
        else:
            flash("Your answers have been saved. Nothing had changed.", "success")
        return redirect(url_for("self_assessment.index"))
    # Not passed as `form`: the page draws its own error summary, one short line per unanswered question.
    return render_template(
        "self_assessment/rate.html",
        rate_form=form,
        unanswered=form.unanswered(),
        skills=skills,
        heading=heading,
        group=group,
        target=current_user.learner_profile.target_role_level,
    )
