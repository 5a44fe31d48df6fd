"""The learner's plan as one page to print: for a learner who leaves with no device of their own."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from skillpath.auth.policy import learner_required
from skillpath.services.plans.plan import get_plan
from skillpath.verify.urls import public_url

bp = Blueprint("plan", __name__, url_prefix="/learner/plan")


@bp.route("")
@learner_required
def index() -> str:
    # Paper has no links: the page prints the address where an employer checks a code.
    return render_template("plan/index.html", plan=get_plan(current_user), verify_address=public_url("verify.index"))
