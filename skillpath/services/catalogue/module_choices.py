"""The module list arranged for a learner: modules for their job first, each with where they are with it.

A module is "for my job" when it evidences at least one skill that the learner's chosen job needs, at any
level: the same rule as the list's job filter. Where the learner is with a module comes from
`progress.derive_progress`, the one rule for a module's state; a module they have not started is "Not started".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import _l
from skillpath.models import Module, RoleLevelSkill, User
from skillpath.services.progress import progress
from skillpath.services.progress.progress import ModuleProgress

NOT_STARTED = _l("Not started")


def learner_status(state: ModuleProgress | None) -> str:
    """A module's status in a learner's words: Not started, In progress, Returned — look again, and so on."""
    return state.status.learner_label if state is not None else str(NOT_STARTED)


@dataclass(frozen=True)
class ModuleChoice:
    module: Module
    progress: ModuleProgress | None  # None when the learner has not started it (or is not a learner)

    @property
    def status(self) -> str:
        return learner_status(self.progress)


@dataclass(frozen=True)
class ModuleChoices:
    for_job: tuple[ModuleChoice, ...]
    others: tuple[ModuleChoice, ...]

    def __len__(self) -> int:
        return len(self.for_job) + len(self.others)


def get_progress_by_module(learner: User) -> dict[int, ModuleProgress]:
    """Where the learner is with each module they have started, by module id."""
    return {state.module.id: state for state in progress.list_module_progress(learner)}


def get_job_skill_ids(role_level_id: int | None) -> set[int]:
    if role_level_id is None:
        return set()
    return set(db.session.scalars(select(RoleLevelSkill.skill_id).where(RoleLevelSkill.role_level_id == role_level_id)))


def arrange_modules(
    modules: Iterable[Module], *, job_skill_ids: Collection[int], progress_by_module: Mapping[int, ModuleProgress]
) -> ModuleChoices:
    """Split the modules, keeping their order, into those that teach the job's skills and the rest."""
    for_job: list[ModuleChoice] = []
    others: list[ModuleChoice] = []
    for module in modules:
        choice = ModuleChoice(module, progress_by_module.get(module.id))
        teaches_job = any(link.skill_id in job_skill_ids for link in module.skills)
        (for_job if teaches_job else others).append(choice)
    return ModuleChoices(tuple(for_job), tuple(others))
