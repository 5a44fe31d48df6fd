"""What a learner can do next, in plain words.

The readiness rule (services/readiness.py) says what is missing and what it costs. A learner needs more than
that to act: what each missing skill means, which modules teach it at the level their job needs, and who helps
with the practical things. This turns a `Readiness` into those steps; it never rescores anything.

The framework's four level names (awareness, working, practitioner, expert) mean little to a learner, so each
has a short phrase here that the learner pages and the module filters use instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import Barrier, BarrierStatus, Module, ModuleSkill, Skill, SkillLevel
from skillpath.services.catalogue.module_choices import learner_status
from skillpath.services.progress.progress import ModuleProgress
from skillpath.services.readiness.readiness import BarrierState, Readiness, SkillGap

# What a learner can do at each level, as the end of "You can …" or "This job needs you to …".
_CAN_DO = {
    SkillLevel.AWARENESS: _l("know what it is and how it is used at work"),
    SkillLevel.WORKING: _l("use it in your work, with some help"),
    SkillLevel.PRACTITIONER: _l("use it well on your own and show others how"),
    SkillLevel.EXPERT: _l("lead others in it and be the person they ask"),
}

# Who helps with each barrier to work, and how: a learner cannot tick these off alone.
_BARRIER_HELP = {
    Barrier.BANK_ACCOUNT: _l("You need a bank account to be paid. Your mentor can help you apply for one."),
    Barrier.CV_AND_COVERING_LETTER: _l("A CV tells an employer about you. Your mentor can help you write one."),
    Barrier.DISCLOSURE_LETTER: _l(
        "This letter helps you tell an employer about your past in your own words. Your mentor can help you write it."
    ),
    Barrier.EMAIL: _l("Employers will want to email you. Your mentor can help you set up an email address."),
    Barrier.PHONE: _l("Employers will want to call you. Your mentor can help you plan how to get a phone."),
    Barrier.HOUSING: _l("A safe place to live makes it easier to start work. Your mentor can find people to help."),
    Barrier.ID: _l("Employers must see your ID before you start. Your mentor can help you get it."),
    Barrier.INTERVIEW_CLOTHING: _l("Your mentor can help you find clothes to wear to an interview."),
}

# After release there is no mentor: the same reasons, and where else help can be found.
_BARRIER_HELP_AFTER_RELEASE = {
    Barrier.BANK_ACCOUNT: _l("You need a bank account to be paid. A bank or a job centre can tell you what you need."),
    Barrier.CV_AND_COVERING_LETTER: _l("A CV tells an employer about you. You can build one here, under My CV."),
    Barrier.DISCLOSURE_LETTER: _l("This letter helps you tell an employer about your past in your own words."),
    Barrier.EMAIL: _l("Employers will want to email you. A library can help you set up an email address."),
    Barrier.PHONE: _l("Employers will want to call you. A job centre can tell you about help with a phone."),
    Barrier.HOUSING: _l("A safe place to live makes it easier to start work. Your local council can help."),
    Barrier.ID: _l("Employers must see your ID before you start. A job centre can tell you how to get it."),
    Barrier.INTERVIEW_CLOTHING: _l("Some charities lend or give clothes to wear to an interview."),
}


def level_words(level: SkillLevel) -> str:
    """'Know what it is and how it is used at work': a level as what the learner can do."""
    words = str(_CAN_DO[level])
    return words[0].upper() + words[1:]


def level_choice(level: SkillLevel) -> str:
    """A level in plain words with its framework name after it, for lists where both are needed."""
    return _("%(words)s (%(level)s level)", words=level_words(level), level=level.label)


def skill_meaning(plain_description: str | None, level: SkillLevel) -> str:
    """What a skill means to a learner: our plain description, or failing that a sentence from the level."""
    if plain_description and plain_description.strip():
        return plain_description.strip()
    return _("For this job you need to %(can_do)s.", can_do=str(_CAN_DO[level]))


@dataclass(frozen=True)
class ModuleLink:
    """A module that teaches a skill, and where the learner is with it."""

    code: str
    title: str
    level: SkillLevel
    progress: ModuleProgress | None  # None when the learner has not started it

    @property
    def status(self) -> str:
        return learner_status(self.progress)


@dataclass(frozen=True)
class SkillStep:
    """One skill the job needs that the learner has not yet shown at that level."""

    skill_id: int
    name: str
    meaning: str
    needed: str
    shown: str | None  # what they have shown so far, in plain words; None if nothing
    modules: tuple[ModuleLink, ...]


@dataclass(frozen=True)
class BarrierStep:
    name: str
    started: bool
    help: str


@dataclass(frozen=True)
class NextSteps:
    skills: tuple[SkillStep, ...]
    barriers: tuple[BarrierStep, ...]


def get_next_steps(
    readiness: Readiness, progress_by_module: Mapping[int, ModuleProgress], *, after_release: bool = False
) -> NextSteps:
    """Each missing skill with what it means and the modules that teach it; each open barrier with its help.

    Skills come in the readiness rule's order (the biggest gain first). Two queries, whatever the number.
    """
    gaps = sorted((gap for gap in readiness.skills if not gap.is_met), key=lambda gap: (gap.credit, gap.name))
    ids = [gap.skill_id for gap in gaps]
    descriptions = _plain_descriptions(ids)
    teaching = _modules_teaching(ids)
    skills = tuple(
        _skill_step(gap, descriptions.get(gap.skill_id), teaching.get(gap.skill_id, []), progress_by_module)
        for gap in gaps
    )
    barriers = tuple(_barrier_step(state, after_release=after_release) for state in readiness.open_barriers)
    return NextSteps(skills=skills, barriers=barriers)


def _skill_step(
    gap: SkillGap,
    description: str | None,
    teaching: list[tuple[Module, SkillLevel]],
    progress_by_module: Mapping[int, ModuleProgress],
) -> SkillStep:
    # A module teaching the skill below the level needed would not close the gap, so it is not offered.
    modules = sorted(
        (
            ModuleLink(module.code, module.title, level, progress_by_module.get(module.id))
            for module, level in teaching
            if level.rank >= gap.required.rank
        ),
        key=lambda link: (link.level.rank, link.title),
    )
    return SkillStep(
        skill_id=gap.skill_id,
        name=gap.name,
        meaning=skill_meaning(description, gap.required),
        needed=level_words(gap.required),
        shown=level_words(gap.held) if gap.held else None,
        modules=tuple(modules),
    )


def _barrier_step(state: BarrierState, *, after_release: bool) -> BarrierStep:
    return BarrierStep(
        name=state.barrier.label,
        started=state.status != BarrierStatus.NOT_STARTED,
        help=str((_BARRIER_HELP_AFTER_RELEASE if after_release else _BARRIER_HELP)[state.barrier]),
    )


def _plain_descriptions(skill_ids: Collection[int]) -> dict[int, str | None]:
    if not skill_ids:
        return {}
    rows = db.session.execute(select(Skill.id, Skill.plain_description).where(Skill.id.in_(skill_ids)))
    return {skill_id: description for skill_id, description in rows}


def _modules_teaching(skill_ids: Collection[int]) -> dict[int, list[tuple[Module, SkillLevel]]]:
    """Published modules that evidence each skill, with the level they evidence it at."""
    teaching: dict[int, list[tuple[Module, SkillLevel]]] = defaultdict(list)
    if not skill_ids:
        return teaching
    rows = db.session.execute(
        select(ModuleSkill.skill_id, ModuleSkill.level, Module)
        .join(Module, Module.id == ModuleSkill.module_id)
        .where(ModuleSkill.skill_id.in_(skill_ids), Module.is_published.is_(True))
        .order_by(Module.code)
    )
    for skill_id, level, module in rows:
        teaching[skill_id].append((module, level))
    return teaching
