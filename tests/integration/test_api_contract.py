"""The staff API against its own OpenAPI document, with generated input (schemathesis 4, property-based).

Each operation gets a bounded number of generated requests (derandomized, so a run is the same every time) with
a real token (every scope, one establishment) and the ids of a real learner, cohort, establishment and goal in
the path, so that the requests reach the handlers rather than stopping at 404. No answer may be a 5xx, and every
answer (status code, media type, headers and body) must be one the document describes.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config import TestConfig
from skillpath import create_app
from skillpath.api import openapi
from skillpath.extensions import limiter
from skillpath.services.plans import goals
from tests.integration._api_helpers import issue_token, make_api_client
from tests.integration._api_world import ApiWorld, build_api_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def contract_world(app) -> tuple[ApiWorld, str]:
    limiter.reset()
    world = build_api_world()
    return world, issue_token(make_api_client([world.north]))


def _operations() -> list[tuple[str, str]]:
    """Every (path, method) in the document, read from an app made only for that."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.test_request_context():
        document = openapi.document()
    return [(path, method.upper()) for path, item in document["paths"].items() for method in item]


def _real_ids(case: Case, world: ApiWorld) -> None:
    """Put real ids in the path, so the generated query and body reach the handler."""
    parameters = case.path_parameters or {}
    real = {
        "learnerId": str(world.learner.public_id),
        "establishmentId": str(world.north.public_id),
        "cohortId": str(world.north_cohort.public_id),
        "goalId": str(goals.list_goals(world.learner).active[0].public_id),
    }
    for name, value in real.items():
        if name in parameters:
            parameters[name] = value
    if "code" in parameters:
        parameters["code"] = "ID" if "/barriers/" in case.path else world.module_ready.code


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize(("path", "method"), _operations())
def test_every_operation_answers_as_its_document_says(app, contract_world, path, method, mode):
    world, token = contract_world
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = loaded[path][method]
    headers = {} if path == "/api/v1/oauth/token" else {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=15 if mode == GenerationMode.POSITIVE else 10,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Case) -> None:
        _real_ids(case, world)
        case.call_and_validate(base_url="http://localhost", headers=headers, checks=CHECKS)

    call()
