"""How confident the learner feels: an overview, and one page of questions per group of skills."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.policy import learner_required
from skillpath.i18n import _, _l
from skillpath.self_assessment.forms import rate_confidence_form
from skillpath.services.errors import DomainError
from skillpath.services.progress.self_assessment import RatingGroup, latest_ratings, rate_confidence, skills_to_rate

bp = Blueprint("self_assessment", __name__, url_prefix="/learner/confidence")

HEADINGS = {RatingGroup.JOB_SKILLS: _l("Skills for the job I want"), RatingGroup.WORK_SKILLS: _l("Skills for work")}


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
    if not latest_ratings(current_user).has_target:
        return redirect(url_for("learners.choose_target"))
    return _rate(RatingGroup.JOB_SKILLS)


@bp.route("/work-skills", methods=["GET", "POST"])
@learner_required
def work_skills() -> str | Response:
    return _rate(RatingGroup.WORK_SKILLS)


def _rate(group: RatingGroup) -> str | Response:
    skills = skills_to_rate(latest_ratings(current_user), group)
    form = rate_confidence_form(skills, prefill=request.method != "POST")
    if form.validate_on_submit():
        try:
            rated = rate_confidence(current_user, group, form.answers())
        except DomainError as error:
            flash(error.message, "error")
        else:
            if rated.changed:
                flash(_("Your answers have been saved."), "success")
            else:
                flash(_("Your answers have been saved. Nothing had changed."), "success")
        return redirect(url_for("self_assessment.index"))
    # Not passed as `form`: the page draws its own error summary, one short line per unanswered question.
    return render_template(
        "self_assessment/rate.html",
        rate_form=form,
        unanswered=form.unanswered(),
        skills=skills,
        heading=str(HEADINGS[group]),
        group=group.value,
        target=current_user.learner_profile.target_role_level,
    )
