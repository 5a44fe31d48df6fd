"""The learner's plan as one page to print: for a learner who leaves with no device of their own."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from skillpath.auth.policy import learner_required
from skillpath.services.certificates.urls import PublicUrls
from skillpath.services.plans.plan import get_plan

bp = Blueprint("plan", __name__, url_prefix="/learner/plan")


@bp.route("")
@learner_required
def index() -> str:
    # Paper has no links: the page prints the address where an employer checks a code.
    verify_address = PublicUrls(str(current_app.config["PUBLIC_BASE_URL"])).verify_home()
    return render_template("plan/index.html", plan=get_plan(current_user), verify_address=verify_address)
