"""A small world for the staff API's tests: two establishments, each with a cohort and learners, a learner with
a target job, a finished module, a signed-off one with its certificate, a goal and barriers; and clients bound
to one establishment or the other."""

from __future__ import annotations

from dataclasses import dataclass

from skillpath.models import Barrier, BarrierStatus, Cohort, Enrolment, Establishment, Module, SkillLevel, User
from skillpath.services.certificates.certificates import issue_module_certificate
from skillpath.services.plans import goals
from skillpath.services.progress import progress
from skillpath.services.readiness import barriers
from tests import factories
from tests.integration._mentor_world import finish_module


@dataclass
class ApiWorld:
    north: Establishment
    east: Establishment
    north_cohort: Cohort
    east_cohort: Cohort
    learner: User  # in the north, with a record to read
    other_north: list[User]
    east_learner: User
    mentor: User
    module_ready: Module
    module_done: Module
    enrolment_ready: Enrolment


def build_api_world() -> ApiWorld:
    north = factories.make_establishment(name="HMP Northfield API")
    east = factories.make_establishment(name="HMP Eastmoor API")
    north_cohort = factories.make_cohort(establishment=north)
    east_cohort = factories.make_cohort(establishment=east)
    mentor = factories.make_mentor(cohorts=[north_cohort])
    skill = factories.make_skill(name="Service desk basics")
    job = factories.make_role_level(skills={skill: SkillLevel.WORKING}, name="Service desk analyst")
    learner = factories.make_learner(cohort=north_cohort, target_role_level=job, prison_number="A1234BC")
    others = [factories.make_learner(cohort=north_cohort) for _ in range(3)]
    east_learner = factories.make_learner(cohort=east_cohort, prison_number="Z9876YX")

    module_done = factories.make_module(skills={skill: SkillLevel.AWARENESS})
    done = finish_module(learner, module_done)
    progress.sign_off(done, mentor=mentor)
    issue_module_certificate(done, mentor=mentor)
    module_ready = factories.make_module()
    ready = finish_module(learner, module_ready)
    barriers.set_barrier(learner, Barrier.BANK_ACCOUNT, status=BarrierStatus.COMPLETED, by=mentor)
    goals.create_goal(
        learner,
        title="Get a job on a service desk",
        target_date=None,
        steps=["Pass module one", "Apply"],
        actor=learner,
    )
    return ApiWorld(
        north=north,
        east=east,
        north_cohort=north_cohort,
        east_cohort=east_cohort,
        learner=learner,
        other_north=others,
        east_learner=east_learner,
        mentor=mentor,
        module_ready=module_ready,
        module_done=module_done,
        enrolment_ready=ready,
    )
