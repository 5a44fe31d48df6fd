"""A learner's own pages. A learner only ever sees their own record."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from skillpath.auth.policy import learner_required
from skillpath.services import progress

bp = Blueprint("learners", __name__, url_prefix="/learner")


@bp.route("/")
@learner_required
def home() -> str:
    modules = progress.list_module_progress(current_user)
    return render_template("learners/home.html", profile=current_user.learner_profile, modules=modules)
