"""The pages that list every cohort of an establishment stay under 200 KB however many cohorts it has.

A head of education's establishment may run a couple of hundred cohorts. The establishment view, the
head's home and the national view each show one compact row per cohort (or per establishment), and the
skill grids sum up the whole establishment rather than repeating every cohort against every skill, so the
pages grow by a few hundred bytes a cohort. The statements each page sends stay the same as it grows.
"""

from __future__ import annotations

from skillpath.extensions import db
from skillpath.models import Establishment, RoleLevel, SkillLevel, User
from tests import factories
from tests.conftest import sign_in
from tests.helpers import page
from tests.integration._mentor_world import count_queries, make_job

MAX_PAGE_BYTES = 200 * 1024
COHORTS = 150


def _add_cohorts(establishment: Establishment, jobs: list[RoleLevel], count: int, start: int) -> None:
    """`count` cohorts with long, realistic names, each with a learner or two working towards a job."""
    for n in range(start, start + count):
        cohort = factories.make_cohort(establishment=establishment, name=f"Digital skills – wing {n} evening group")
        factories.make_mentor(cohorts=[cohort], display_name=f"Mentor of group {n}")
        for k in range(1 + n % 2):
            factories.make_learner(cohort=cohort, target_role_level=jobs[(n + k) % len(jobs)])
    db.session.flush()


def _measure(client, urls: list[str]) -> dict[str, tuple[int, int]]:
    """For each address: (statements sent, bytes of HTML)."""
    measured = {}
    for url in urls:
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        measured[url] = (len(statements), len(response.data))
    return measured


def test_pages_listing_every_cohort_stay_small_and_their_statements_stay_the_same(app, admin):
    establishment = factories.make_establishment(name="HMP A Rather Long Establishment Name")
    for _ in range(20):
        factories.make_establishment()
    jobs = [
        make_job(*(f"{job} skill number {i}" for i in range(6)), level=SkillLevel.WORKING, name=job)[0]
        for job in ("Service desk analyst", "Apprentice developer", "Junior data analyst")
    ]
    head: User = factories.make_mentor(establishment=establishment, is_establishment_lead=True)
    _add_cohorts(establishment, jobs, 2, 0)
    head_client, admin_client = sign_in(app.test_client(), head), sign_in(app.test_client(), admin)
    establishment_url = f"/dashboards/establishments/{establishment.public_id}"

    def everything() -> dict[str, tuple[int, int]]:
        return _measure(head_client, ["/mentor/", establishment_url]) | _measure(admin_client, ["/dashboards/"])

    small = everything()
    _add_cohorts(establishment, jobs, COHORTS - 2, 2)
    large = everything()

    print({url: size for url, (_statements, size) in large.items()})
    assert {url: statements for url, (statements, _size) in large.items()} == {
        url: statements for url, (statements, _size) in small.items()
    }
    assert all(size <= MAX_PAGE_BYTES for _statements, size in large.values()), large
    # Still every cohort: one row each in the establishment view's table and the head's home.
    assert len(page(head_client.get(establishment_url)).select("#table-cohorts tbody tr")) == COHORTS
    assert len(page(head_client.get("/mentor/")).select("#table-my-cohorts tbody tr")) == COHORTS
