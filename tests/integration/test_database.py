"""The migrations build the schema the models describe, and each test's changes are rolled back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Establishment, User
from tests import factories
from tests.helpers import post_form

PROBE_USERNAME = "rollback-probe"
PROBE_CODE = "RBP"


def test_the_migrated_schema_matches_the_models(app):
    migrate = app.extensions["migrate"]
    context = MigrationContext.configure(
        db.session.connection(),
        opts={"compare_type": migrate.configure_args.get("compare_type", True), "render_as_batch": True},
    )
    differences = compare_metadata(context, db.metadata)
    assert differences == [], "run `flask db migrate`: the models and migrations differ"


def _probes_exist() -> tuple[bool, bool]:
    user = db.session.scalar(select(User).where(User.username == PROBE_USERNAME))
    establishment = db.session.scalar(select(Establishment).where(Establishment.code == PROBE_CODE))
    return user is not None, establishment is not None


# These two tests each check that the other's writes are gone, so whichever runs second proves
# the rollback. One writes through a factory, the other through a route that commits.


def test_rollback_isolates_tests_written_by_factories(app):
    assert _probes_exist() == (False, False)
    factories.make_admin(username=PROBE_USERNAME)
    assert _probes_exist() == (True, False)


def test_rollback_isolates_tests_written_by_routes_that_commit(admin_client):
    assert _probes_exist() == (False, False)
    response = post_form(
        admin_client, "/admin/establishments/new", {"name": "HMP Probe", "code": PROBE_CODE, "kind": "prison"}
    )
    assert response.status_code == 302
    assert _probes_exist() == (False, True)


def test_rollback_isolates_tests_second_check(app):
    assert _probes_exist() == (False, False)
