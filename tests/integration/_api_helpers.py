"""Helpers for the staff API's tests: clients registered as an administrator would, tokens, and a caller that
checks every request and response against the OpenAPI document the app serves (openapi-core).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.deserializing.media_types.util import json_loads
from werkzeug.test import EnvironBuilder, TestResponse

from skillpath.auth.passwords import hash_secret, verify_secret
from skillpath.extensions import db
from skillpath.models import ApiClient, ApiScope, Establishment, User
from skillpath.services.api import clients, tokens
from tests import factories

ALL_SCOPES = tuple(scope.value for scope in ApiScope)
PROBLEM = "application/problem+json"


@dataclass
class Registered:
    client: ApiClient
    secret: str


def make_api_client(
    establishments: Iterable[Establishment], *, scopes: Iterable[str] = ALL_SCOPES, by: User | None = None
) -> Registered:
    registered = clients.register_client(
        name="Test system",
        scopes=list(scopes),
        establishment_ids=[establishment.public_id for establishment in establishments],
        by=by or factories.make_admin(),
        hash_secret=hash_secret,
    )
    db.session.flush()
    return Registered(registered.client, registered.secret)


def issue_token(registered: Registered, scope: str | None = None) -> str:
    issued = tokens.issue_token(
        client_id=registered.client.client_id,
        client_secret=registered.secret,
        scope=scope,
        check_secret=verify_secret,
    )
    db.session.flush()
    return issued.access_token


def openapi_for(client: FlaskClient) -> OpenAPI:
    document = client.get("/api/v1/openapi.json").get_json()
    local = copy.deepcopy(document)
    local["servers"] = [{"url": "http://localhost"}]  # the test client's host, so paths match
    # openapi-core cannot check OAuth 2.0 flows; to it, a client credentials token is a bearer token.
    local["components"]["securitySchemes"]["clientCredentials"] = {"type": "http", "scheme": "bearer"}
    json_types = {PROBLEM, "application/vnd.oai.openapi+json"}
    config = Config(extra_media_type_deserializers=dict.fromkeys(json_types, json_loads))
    return OpenAPI.from_dict(local, config=config)


class ApiCaller:
    """Calls the API with a bearer token and checks each response (and, unless told, request) against the
    OpenAPI document. Bad requests sent on purpose pass check_request=False."""

    def __init__(self, app: Flask, token: str | None, openapi: OpenAPI) -> None:
        self.client = app.test_client()
        self.token = token
        self.openapi = openapi

    def __call__(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        check_request: bool = True,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        headers = dict(headers or {})
        bearer = token or self.token
        if bearer is not None and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {bearer}"
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        request = EnvironBuilder(path=path, method=method, headers=headers, **kwargs).get_request()
        openapi_request = WerkzeugOpenAPIRequest(request)
        if check_request:
            self.openapi.validate_request(openapi_request)
        self.openapi.validate_response(openapi_request, WerkzeugOpenAPIResponse(response))
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self("GET", path, **kwargs)


def problem_of(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["detail"] and body["title"]
    return dict(body)
