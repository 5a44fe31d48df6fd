"""The module catalogue: the list (arranged for a learner, with filters) and a page for each module."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from skillpath.auth.loaders import module_or_404
from skillpath.auth.policy import signed_in
from skillpath.catalogue.forms import FilterModulesForm, StartModuleForm
from skillpath.forms_common import choices
from skillpath.i18n import _
from skillpath.models import Module, RoleLevel, Skill, SkillLevel
from skillpath.services.catalogue import catalogue, module_choices
from skillpath.services.progress import progress
from skillpath.services.readiness.next_steps import level_choice

bp = Blueprint("catalogue", __name__, url_prefix="/modules")
bp.add_app_template_filter(level_choice, "level_choice")  # a level in plain words, then its framework name


def _parse_uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _parse_int(text: str | None) -> int | None:
    # ASCII digits only, and few enough for any database's integer column ("²" and 10**30 are not ids).
    return int(text) if text and re.fullmatch(r"[0-9]{1,9}", text) else None


@dataclass(frozen=True)
class _Filters:
    role_level: RoleLevel | None
    skill: Skill | None
    level: SkillLevel | None

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> _Filters:
        """The filters asked for; one that names nothing is ignored, as a bookmark to a changed list should be."""
        role_id = _parse_uuid(args.get("role"))
        skill_id = _parse_int(args.get("skill"))
        return cls(
            role_level=catalogue.get_role_level(role_id) if role_id else None,
            skill=catalogue.get_skill(skill_id) if skill_id else None,
            level=SkillLevel(args["level"]) if args.get("level") in {lvl.value for lvl in SkillLevel} else None,
        )

    def form(self) -> FilterModulesForm:
        form = FilterModulesForm(formdata=None)
        roles = catalogue.list_target_role_levels()
        skills = catalogue.list_skills_in_modules()
        form.role.choices = choices([("", _("Any job"))] + [(str(r.public_id), r.plain_title or r.name) for r in roles])
        form.skill.choices = choices([("", _("Any skill"))] + [(str(s.id), s.name) for s in skills])
        form.level.choices = choices([("", _("Any level"))] + [(lvl.value, level_choice(lvl)) for lvl in SkillLevel])
        form.role.data = str(self.role_level.public_id) if self.role_level else ""
        form.skill.data = str(self.skill.id) if self.skill else ""
        form.level.data = self.level.value if self.level else ""
        return form


def _arranged_for_me(modules: list[Module]) -> module_choices.ModuleChoices:
    """A learner's own job's modules first, with where they are with each; staff see one list."""
    if not current_user.is_learner:
        return module_choices.arrange_modules(modules, job_skill_ids=(), progress_by_module={})
    return module_choices.arrange_modules(
        modules,
        job_skill_ids=module_choices.get_job_skill_ids(current_user.learner_profile.target_role_level_id),
        progress_by_module=module_choices.get_progress_by_module(current_user),
    )


@bp.route("/")
@signed_in
def index() -> str:
    filters = _Filters.from_args(request.args)
    modules = catalogue.list_modules(role_level=filters.role_level, skill=filters.skill, level=filters.level)
    return render_template(
        "catalogue/index.html",
        choices=_arranged_for_me(modules),
        target=current_user.learner_profile.target_role_level if current_user.is_learner else None,
        filter_form=filters.form(),
        filtered=bool(filters.role_level or filters.skill or filters.level),
    )


@bp.route("/<code>")
@signed_in
def module(code: str) -> str:
    module = module_or_404(code)
    enrolment = progress.get_enrolment(current_user, module) if current_user.is_learner else None
    return render_template("catalogue/module.html", module=module, enrolment=enrolment, start_form=StartModuleForm())
