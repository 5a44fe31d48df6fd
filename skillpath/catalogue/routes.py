"""The module catalogue: a filtered list and a page for each module."""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from skillpath.auth.policy import signed_in
from skillpath.catalogue.forms import FilterModulesForm
from skillpath.forms_common import choices
from skillpath.learners.forms import StartModuleForm
from skillpath.models import SkillLevel
from skillpath.services import catalogue, progress

bp = Blueprint("catalogue", __name__, url_prefix="/modules")


def _parse_uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _parse_int(text: str | None) -> int | None:
    # ASCII digits only, and few enough for any database's integer column ("²" and 10**30 are not ids).
    return int(text) if text and re.fullmatch(r"[0-9]{1,9}", text) else None


@bp.route("/")
@signed_in
def index() -> str:
    roles = catalogue.list_target_role_levels()
    skills = catalogue.list_skills_in_modules()
    form = FilterModulesForm(formdata=None)
    args = request.args
    role_level = catalogue.get_role_level(_parse_uuid(args.get("role"))) if args.get("role") else None
    skill_id = _parse_int(args.get("skill"))
    skill = catalogue.get_skill(skill_id) if skill_id else None
    level = SkillLevel(args["level"]) if args.get("level") in {lvl.value for lvl in SkillLevel} else None
    form.role.choices = choices([("", "Any job")] + [(str(r.public_id), r.plain_title or r.name) for r in roles])
    form.skill.choices = choices([("", "Any skill")] + [(str(s.id), s.name) for s in skills])
    form.role.data = str(role_level.public_id) if role_level else ""
    form.skill.data = str(skill.id) if skill else ""
    form.level.data = level.value if level else ""
    modules = catalogue.list_modules(role_level=role_level, skill=skill, level=level)
    return render_template(
        "catalogue/index.html", modules=modules, filter_form=form, filtered=bool(role_level or skill or level)
    )


@bp.route("/<code>")
@signed_in
def module(code: str) -> str:
    module = catalogue.get_module_by_code(code) or abort(404)
    enrolment = progress.get_enrolment(current_user, module) if current_user.is_learner else None
    return render_template("catalogue/module.html", module=module, enrolment=enrolment, start_form=StartModuleForm())
