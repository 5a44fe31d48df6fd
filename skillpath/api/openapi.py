"""The OpenAPI 3.1 description of the staff API, served at /api/v1/openapi.json.

Built in code from the constants the endpoints use (scopes, codes, limits, problem types), so the document cannot
drift from them. Tests validate it with openapi-spec-validator, check every response they get against it with
openapi-core, and a schemathesis contract test sends each operation generated input.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from skillpath.api.bodies import CHOOSABLE_STATUSES, FEEDBACK_MAX, GOAL_TITLE_MAX, MAX_STEPS, NOTE_MAX
from skillpath.api.problems import PROBLEM_TYPES
from skillpath.models import (
    ApiScope,
    Barrier,
    BarrierStatus,
    DeclineReason,
    GoalStatus,
    IdDocument,
    StatusChangeType,
    StepStatus,
    WorkReadiness,
)
from skillpath.models.plans import ReasonToArchiveGoal
from skillpath.services.api import cursors
from skillpath.services.api.clients import SCOPE_DESCRIPTIONS

MEDIA_TYPE = "application/vnd.oai.openapi+json"
JSON = "application/json"
PROBLEM = "application/problem+json"
_REF = "#/components/schemas/"

BANDS = ("NOT_STARTED", "BUILDING_SKILLS", "NEARLY_READY", "READY_FOR_WORK")
MODULE_STATUSES = ("IN_PROGRESS", "READY_FOR_SIGN_OFF", "RETURNED", "SIGNED_OFF")
SKILL_LEVELS = ("AWARENESS", "WORKING", "PRACTITIONER", "EXPERT")


def camel(name: str) -> str:
    """decline_reason -> declineReason: a form's field name as the API's JSON names it."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _codes(values: Any) -> list[str]:
    return [str(getattr(value, "value", value)) for value in values]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    kind = schema.get("type", "string")
    result = {**schema, "type": [kind, "null"]}
    if "enum" in schema:
        result["enum"] = [*schema["enum"], None]
    return result


def _object(properties: dict[str, Any], required: list[str] | None = None, *, closed: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else required
    if closed:
        schema["additionalProperties"] = False
    return schema


_UUID = {"type": "string", "format": "uuid"}
_TEXT = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}
_DATE = {"type": "string", "format": "date"}


def _problem(description: str, schema: str = "Problem") -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref(schema)}}}


def _common_refusals() -> dict[str, Any]:
    return {
        "401": {
            "description": "No access token, or one not accepted (…/token-required, …/invalid-token).",
            "headers": {"WWW-Authenticate": {"schema": _TEXT, "description": "Bearer, with error=invalid_token."}},
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        },
        "403": {
            "description": "The token lacks the scope this call needs (…/insufficient-scope).",
            "headers": {"WWW-Authenticate": {"schema": _TEXT, "description": "Bearer, error=insufficient_scope."}},
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        },
        "429": {
            "description": "Too many calls by this client (…/rate-limited): wait Retry-After seconds.",
            "headers": {"Retry-After": {"schema": _TEXT, "description": "Seconds to wait."}},
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        },
        "503": _problem("The service is not available right now. Try again in a few minutes."),
    }


_ETAG = {"ETag": {"schema": _TEXT, "description": "Send it back in If-Match to change this resource."}}
_LINK = {"Link": {"schema": _TEXT, "description": 'The next page: <…?cursor=…>; rel="next".'}}
_LEARNER_ID = {"name": "learnerId", "in": "path", "required": True, "schema": _UUID, "description": "A learner's id."}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "format": "uuid"},
    "description": "A UUID the client makes for this goal: sending the request again makes nothing new (200).",
}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "The ETag the change is based on. Without it the answer is 428; if it is stale, 412.",
}


def _operation(
    operation_id: str,
    summary: str,
    scope: ApiScope,
    tag: str,
    ok: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    found: bool = True,
    extra: dict[str, Any] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {**ok, **_common_refusals()}
    if found:
        responses["404"] = _problem("Nothing with this id for this client (…/not-found).")
    responses.update(extra or {})
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "security": [{"clientCredentials": [scope.value]}],
        "parameters": parameters or [],
        "responses": dict(sorted(responses.items())),
    }
    operation["description"] = f"Needs the scope `{scope.value}`."
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": _ref(body)}}}
        operation["responses"].update(_body_refusals())
    return operation


def _body_refusals() -> dict[str, Any]:
    return {
        "400": _problem("The body is not valid JSON (…/malformed-body)."),
        "415": _problem("The body is not JSON (…/unsupported-media-type)."),
        "422": _problem("Some fields are not valid; errors names each (…/validation-failed).", "ValidationProblem"),
    }


def _list(item: str, description: str, *, paged: bool) -> dict[str, Any]:
    schema = _ref(f"{item}Page") if paged else _object({"items": {"type": "array", "items": _ref(item)}})
    response: dict[str, Any] = {"description": description, "content": {JSON: {"schema": schema}}}
    if paged:
        response["headers"] = _LINK
    return {"200": response}


def _one(item: str, description: str, status: str = "200") -> dict[str, Any]:
    headers = dict(_ETAG)
    if status == "201":
        headers["Location"] = {"schema": _TEXT, "description": "The address of what was made."}
    return {status: {"description": description, "headers": headers, "content": {JSON: {"schema": _ref(item)}}}}


_PAGE_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": cursors.MAX_LIMIT, "default": cursors.DEFAULT_LIMIT},
        "description": "How many items a page holds.",
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "maxLength": 500},
        "description": "Where the page starts: the `next` of the page before. Opaque.",
    },
]
_PAGE_REFUSALS = {
    "400": _problem("The cursor is not one this API gave for this list (…/invalid-cursor)."),
    "422": _problem("A query parameter is out of range (…/validation-failed).", "ValidationProblem"),
}


def _paths() -> dict[str, Any]:
    s = ApiScope
    learner = [_LEARNER_ID]
    establishment_id = {"name": "establishmentId", "in": "path", "required": True, "schema": _UUID}
    cohort_id = {"name": "cohortId", "in": "path", "required": True, "schema": _UUID}
    goal_id = {"name": "goalId", "in": "path", "required": True, "schema": _UUID}
    barrier_code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}}
    module_code = {
        "name": "code",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "maxLength": 40},
        "description": "The module's code, such as SP-SD-01.",
    }
    changes_refusals = {
        "409": _problem("The record is not in a state where this can happen (…/conflict)."),
        "412": _problem("The resource changed since the ETag in If-Match (…/precondition-failed)."),
        "428": _problem("If-Match is missing (…/precondition-required)."),
    }
    return {
        "/api/v1/oauth/token": {"post": _token_operation()},
        "/api/v1/establishments": {
            "get": _operation(
                "listEstablishments",
                "The establishments the client is bound to",
                s.ESTABLISHMENTS_READ,
                "Establishments",
                _list("Establishment", "A page of establishments.", paged=True),
                parameters=_PAGE_PARAMETERS,
                found=False,
                extra=_PAGE_REFUSALS,
            )
        },
        "/api/v1/establishments/{establishmentId}": {
            "get": _operation(
                "getEstablishment",
                "One establishment",
                s.ESTABLISHMENTS_READ,
                "Establishments",
                _one("Establishment", "The establishment."),
                parameters=[establishment_id],
            )
        },
        "/api/v1/establishments/{establishmentId}/cohorts": {
            "get": _operation(
                "listCohorts",
                "An establishment's cohorts",
                s.ESTABLISHMENTS_READ,
                "Establishments",
                _list("Cohort", "A page of cohorts.", paged=True),
                parameters=[establishment_id, *_PAGE_PARAMETERS],
                extra=_PAGE_REFUSALS,
            )
        },
        "/api/v1/cohorts/{cohortId}/learners": {
            "get": _operation(
                "listCohortLearners",
                "The learners in a cohort now",
                s.LEARNERS_READ,
                "Learners",
                _list("Learner", "A page of learners.", paged=True),
                parameters=[cohort_id, *_PAGE_PARAMETERS],
                extra=_PAGE_REFUSALS,
            )
        },
        "/api/v1/learners": {
            "get": _operation(
                "listLearners",
                "The learners in the client's establishments",
                s.LEARNERS_READ,
                "Learners",
                _list("Learner", "A page of learners.", paged=True),
                parameters=[
                    {
                        "name": "establishment",
                        "in": "query",
                        "required": False,
                        "schema": _UUID,
                        "description": "Only the learners of this establishment (one of the client's).",
                    },
                    *_PAGE_PARAMETERS,
                ],
                extra=_PAGE_REFUSALS,
            )
        },
        "/api/v1/learners/{learnerId}": {
            "get": _operation(
                "getLearner",
                "One learner",
                s.LEARNERS_READ,
                "Learners",
                _one("Learner", "The learner."),
                parameters=learner,
            )
        },
        "/api/v1/learners/{learnerId}/readiness": {
            "get": _operation(
                "getReadiness",
                "How ready for work the learner is, and what is missing",
                s.READINESS_READ,
                "Readiness",
                _one("Readiness", "The readiness score, band and explanation."),
                parameters=learner,
            )
        },
        "/api/v1/learners/{learnerId}/work-status": {
            "get": _operation(
                "getWorkStatus",
                "The learner's work-readiness status",
                s.WORK_STATUS_READ,
                "Readiness",
                _one("WorkStatus", "The current status."),
                parameters=learner,
            ),
            "put": _operation(
                "updateWorkStatus",
                "Change the learner's work-readiness status",
                s.WORK_STATUS_WRITE,
                "Readiness",
                _one("WorkStatus", "The status as it is now."),
                parameters=[_LEARNER_ID, _IF_MATCH],
                body="WorkStatusUpdate",
                extra=changes_refusals,
            ),
        },
        "/api/v1/learners/{learnerId}/work-status/history": {
            "get": _operation(
                "listWorkStatusHistory",
                "Every change of the learner's work-readiness status, newest first",
                s.WORK_STATUS_READ,
                "Readiness",
                _list("StatusChange", "The changes.", paged=False),
                parameters=learner,
            )
        },
        "/api/v1/learners/{learnerId}/barriers": {
            "get": _operation(
                "listBarriers",
                "The learner's barriers-to-work checklist",
                s.BARRIERS_READ,
                "Barriers",
                _list("Barrier", "Every line of the checklist.", paged=False),
                parameters=learner,
            )
        },
        "/api/v1/learners/{learnerId}/barriers/history": {
            "get": _operation(
                "listBarrierHistory",
                "Every change to the learner's barriers checklist, newest first",
                s.BARRIERS_READ,
                "Barriers",
                _list("BarrierChange", "The changes.", paged=False),
                parameters=learner,
            )
        },
        "/api/v1/learners/{learnerId}/barriers/{code}": {
            "get": _operation(
                "getBarrier",
                "One line of the checklist",
                s.BARRIERS_READ,
                "Barriers",
                _one("Barrier", "The line."),
                parameters=[_LEARNER_ID, barrier_code],
            ),
            "put": _operation(
                "updateBarrier",
                "Change one line of the checklist",
                s.BARRIERS_WRITE,
                "Barriers",
                _one("Barrier", "The line as it is now."),
                parameters=[_LEARNER_ID, barrier_code, _IF_MATCH],
                body="BarrierUpdate",
                extra=changes_refusals,
            ),
        },
        "/api/v1/learners/{learnerId}/goals": {
            "get": _operation(
                "listGoals",
                "The learner's goals: active ones by target date, then past ones",
                s.GOALS_READ,
                "Goals",
                _list("Goal", "The goals.", paged=False),
                parameters=learner,
            ),
            "post": _operation(
                "createGoal",
                "Add a goal with its steps",
                s.GOALS_WRITE,
                "Goals",
                {
                    **_one("Goal", "The goal made.", "201"),
                    **_one("Goal", "The goal this Idempotency-Key already made: nothing new was made."),
                },
                parameters=[_LEARNER_ID, _IDEMPOTENCY_KEY],
                body="GoalCreate",
                extra={"409": changes_refusals["409"]},
            ),
        },
        "/api/v1/learners/{learnerId}/goals/{goalId}": {
            "get": _operation(
                "getGoal",
                "One goal",
                s.GOALS_READ,
                "Goals",
                _one("Goal", "The goal."),
                parameters=[_LEARNER_ID, goal_id],
            ),
            "patch": _operation(
                "updateGoal",
                "Change a goal: its title, target date, steps' status; complete or archive it",
                s.GOALS_WRITE,
                "Goals",
                _one("Goal", "The goal as it is now."),
                parameters=[_LEARNER_ID, goal_id, _IF_MATCH],
                body="GoalPatch",
                extra=changes_refusals,
            ),
        },
        "/api/v1/learners/{learnerId}/modules": {
            "get": _operation(
                "listModules",
                "The modules the learner has started, and where they are with each",
                s.PROGRESS_READ,
                "Progress",
                _list("Module", "The modules.", paged=False),
                parameters=learner,
            )
        },
        "/api/v1/learners/{learnerId}/modules/{code}/sign-off": {
            "post": _operation(
                "signOffModule",
                "Sign a module off: its skills are awarded and its certificate issued",
                s.PROGRESS_WRITE,
                "Progress",
                {"200": {"description": "The module, signed off.", "content": {JSON: {"schema": _ref("Module")}}}},
                parameters=[_LEARNER_ID, module_code],
                extra={"409": changes_refusals["409"]},
            )
        },
        "/api/v1/learners/{learnerId}/modules/{code}/return": {
            "post": _operation(
                "returnModule",
                "Return a module to the learner with feedback",
                s.PROGRESS_WRITE,
                "Progress",
                {"200": {"description": "The module, returned.", "content": {JSON: {"schema": _ref("Module")}}}},
                parameters=[_LEARNER_ID, module_code],
                body="ModuleReturn",
                extra={"409": changes_refusals["409"]},
            )
        },
        "/api/v1/learners/{learnerId}/certificates": {
            "get": _operation(
                "listCertificates",
                "The learner's certificates: code, title, when issued, and whether withdrawn",
                s.CERTIFICATES_READ,
                "Certificates",
                _list("Certificate", "The certificates, newest first.", paged=False),
                parameters=learner,
            )
        },
    }


def _token_operation() -> dict[str, Any]:
    form = "application/x-www-form-urlencoded"
    oauth_error = {JSON: {"schema": _ref("OAuthError")}}
    return {
        "operationId": "getToken",
        "summary": "Get an access token (OAuth 2.0 client credentials)",
        "description": (
            "RFC 6749 section 4.4. Authenticate the client with HTTP Basic (client_secret_basic) or with "
            "client_id and client_secret in the body (client_secret_post). The token lasts 15 minutes; `scope` "
            "may ask for a subset of the client's scopes. Errors are RFC 6749 section 5.2 JSON."
        ),
        "tags": ["OAuth"],
        "security": [{}, {"clientSecretBasic": []}],
        "requestBody": {
            "required": True,
            "content": {
                form: {
                    "schema": _object(
                        {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "scope": {"type": "string", "maxLength": 500},
                            "client_id": {"type": "string", "maxLength": 64},
                            "client_secret": {"type": "string", "maxLength": 200},
                        },
                        ["grant_type"],
                        closed=False,
                    )
                }
            },
        },
        "responses": {
            "200": {"description": "The token.", "content": {JSON: {"schema": _ref("Token")}}},
            "400": {
                "description": "invalid_request, unsupported_grant_type or invalid_scope (RFC 6749 JSON); a body "
                "that cannot be read at all (a NUL character, say) is problem details.",
                "content": {**oauth_error, PROBLEM: {"schema": _ref("Problem")}},
            },
            "401": {
                "description": "invalid_client: unknown, wrong secret, or revoked.",
                "headers": {"WWW-Authenticate": {"schema": _TEXT}},
                "content": oauth_error,
            },
            "429": {
                "description": "Too many requests from this address.",
                "headers": {"Retry-After": {"schema": _TEXT}},
                "content": {PROBLEM: {"schema": _ref("Problem")}},
            },
            "503": _problem("The service is not available right now."),
        },
    }


def _schemas() -> dict[str, Any]:
    code = {"type": "string"}
    role_level = _nullable(_object({"id": _UUID, "name": _TEXT}))
    step_status = {"type": "string", "enum": _codes(StepStatus)}
    schemas: dict[str, Any] = {
        "Problem": _object(
            {
                "type": {"type": "string"},
                "title": _TEXT,
                "status": {"type": "integer"},
                "detail": _TEXT,
                "requestId": _nullable(_TEXT),
            },
            ["type", "title", "status", "detail"],
            closed=False,
        ),
        "ValidationProblem": {
            "allOf": [
                _ref("Problem"),
                {
                    "type": "object",
                    "properties": {
                        "errors": {
                            "type": "array",
                            "items": _object({"pointer": _TEXT, "detail": _TEXT}),
                            "description": "Each field that is not valid, as a JSON pointer, and what is wrong.",
                        }
                    },
                },
            ]
        },
        "OAuthError": _object(
            {
                "error": {
                    "type": "string",
                    "enum": [
                        "invalid_request",
                        "invalid_client",
                        "invalid_grant",
                        "unauthorized_client",
                        "unsupported_grant_type",
                        "invalid_scope",
                    ],
                },
                "error_description": _TEXT,
            }
        ),
        "Token": _object(
            {
                "access_token": _TEXT,
                "token_type": {"type": "string", "enum": ["Bearer"]},
                "expires_in": {"type": "integer"},
                "scope": {"type": "string", "description": "The scopes granted, separated by spaces."},
            }
        ),
        "Establishment": _object(
            {
                "id": _UUID,
                "name": _TEXT,
                "code": {"type": "string", "description": "The prison service's code, such as BXI."},
                "kind": {"type": "string", "enum": ["PRISON", "EDUCATION_SITE"]},
            }
        ),
        "Cohort": _object({"id": _UUID, "name": _TEXT, "establishmentId": _UUID, "archived": {"type": "boolean"}}),
        "Learner": _object(
            {
                "id": _UUID,
                "displayName": _TEXT,
                "preferredName": _TEXT,
                "establishmentId": _UUID,
                "cohortId": _UUID,
                "targetRoleLevel": role_level,
                "releaseDate": _nullable(_DATE),
                "prisonNumber": {
                    **_nullable(_TEXT),
                    "description": "Only with the scope learners:prison-number; otherwise the field is absent.",
                },
            },
            ["id", "displayName", "preferredName", "establishmentId", "cohortId", "targetRoleLevel", "releaseDate"],
        ),
        "Readiness": _object(
            {
                "learnerId": _UUID,
                "targetRoleLevel": role_level,
                "score": {"type": "integer", "minimum": 0, "maximum": 100},
                "band": {"type": "string", "enum": list(BANDS)},
                "skillsShare": {"type": "number"},
                "barriersShare": {"type": "number"},
                "skills": {
                    "type": "array",
                    "items": _object(
                        {
                            "name": _TEXT,
                            "required": {"type": "string", "enum": list(SKILL_LEVELS)},
                            "held": _nullable({"type": "string", "enum": list(SKILL_LEVELS)}),
                            "met": {"type": "boolean"},
                        }
                    ),
                },
                "missing": {
                    "type": "array",
                    "description": "What is still missing, the biggest gain first, each with its reason.",
                    "items": _object(
                        {
                            "kind": {"type": "string", "enum": ["ROLE", "SKILL", "BARRIER"]},
                            "name": _TEXT,
                            "reason": _TEXT,
                            "points": {"type": "number"},
                        }
                    ),
                },
            }
        ),
        "WorkStatus": _object(
            {
                "learnerId": _UUID,
                "status": {"type": "string", "enum": _codes(WorkReadiness)},
                "declineReason": _nullable({"type": "string", "enum": _codes(DeclineReason)}),
                "changeType": _nullable({"type": "string", "enum": _codes(StatusChangeType)}),
                "changedAt": _nullable(_TIME),
            }
        ),
        "WorkStatusUpdate": _object(
            {
                "status": {"type": "string", "enum": list(CHOOSABLE_STATUSES)},
                "declineReason": _nullable({"type": "string", "enum": _codes(DeclineReason)}),
            },
            ["status"],
        ),
        "StatusChange": _object(
            {
                "status": {"type": "string", "enum": _codes(WorkReadiness)},
                "changeType": _nullable({"type": "string", "enum": _codes(StatusChangeType)}),
                "declineReason": _nullable({"type": "string", "enum": _codes(DeclineReason)}),
                "changedAt": _TIME,
                "changedBy": {"type": "string", "enum": ["STAFF", "CLIENT"]},
            }
        ),
        "Barrier": _object(
            {
                "code": {"type": "string", "enum": _codes(Barrier)},
                "status": {"type": "string", "enum": _codes(BarrierStatus)},
                "alreadyInPlace": {"type": "boolean"},
                "resolved": {"type": "boolean"},
                "idDocuments": {"type": "array", "items": {"type": "string", "enum": _codes(IdDocument)}},
                "note": _nullable(_TEXT),
                "updatedAt": _nullable(_TIME),
            }
        ),
        "BarrierUpdate": _object(
            {
                "status": {"type": "string", "enum": _codes(BarrierStatus)},
                "alreadyInPlace": {"type": "boolean"},
                "note": _nullable({"type": "string", "maxLength": NOTE_MAX}),
                "idDocuments": {
                    "type": "array",
                    "items": {"type": "string", "enum": _codes(IdDocument)},
                    "maxItems": len(IdDocument),
                },
            },
            ["status"],
        ),
        "BarrierChange": _object(
            {
                "code": {"type": "string", "enum": _codes(Barrier)},
                "status": {"type": "string", "enum": _codes(BarrierStatus)},
                "alreadyInPlace": {"type": "boolean"},
                "changedAt": _TIME,
            }
        ),
        "GoalStep": _object({"position": {"type": "integer"}, "title": _TEXT, "status": step_status}),
        "Goal": _object(
            {
                "id": _UUID,
                "title": _TEXT,
                "targetDate": _nullable(_DATE),
                "status": {"type": "string", "enum": _codes(GoalStatus)},
                "archiveReason": _nullable({"type": "string", "enum": _codes(ReasonToArchiveGoal)}),
                "archiveReasonOther": _nullable(_TEXT),
                "createdAt": _TIME,
                "steps": {"type": "array", "items": _ref("GoalStep")},
            }
        ),
        "GoalCreate": _object(
            {
                "title": {"type": "string", "minLength": 1, "maxLength": GOAL_TITLE_MAX},
                "targetDate": _nullable(_DATE),
                "steps": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_STEPS,
                    "items": {"type": "string", "minLength": 1, "maxLength": GOAL_TITLE_MAX},
                },
            },
            ["title", "steps"],
        ),
        "GoalPatch": _object(
            {
                "title": {"type": "string", "minLength": 1, "maxLength": GOAL_TITLE_MAX},
                "targetDate": _nullable(_DATE),
                "status": {
                    "type": "string",
                    "enum": [GoalStatus.COMPLETED.value, GoalStatus.ARCHIVED.value],
                    "description": "COMPLETED once every step is COMPLETE; ARCHIVED with archiveReason.",
                },
                "archiveReason": {"type": "string", "enum": _codes(ReasonToArchiveGoal)},
                "archiveReasonOther": {"type": "string", "maxLength": 512},
                "steps": {
                    "type": "array",
                    "maxItems": MAX_STEPS,
                    "items": _object(
                        {"position": {"type": "integer", "minimum": 1, "maximum": MAX_STEPS}, "status": step_status}
                    ),
                },
            },
            [],
        ),
        "Module": _object(
            {
                "code": code,
                "title": _TEXT,
                "status": {"type": "string", "enum": list(MODULE_STATUSES)},
                "unitsDone": {"type": "integer"},
                "unitsTotal": {"type": "integer"},
                "evidenceCount": {"type": "integer"},
                "feedback": _nullable(_TEXT),
                "enrolledAt": _TIME,
                "lastActivityAt": _nullable(_TIME),
            }
        ),
        "ModuleReturn": _object({"feedback": {"type": "string", "minLength": 1, "maxLength": FEEDBACK_MAX}}),
        "Certificate": _object(
            {
                "code": {"type": "string", "description": "As printed, such as SP-7Q4K-29XD-M3HW."},
                "title": _TEXT,
                "kind": {"type": "string", "enum": ["MODULE", "ROLE_READINESS"]},
                "issuedAt": _TIME,
                "status": {"type": "string", "enum": ["VALID", "WITHDRAWN"]},
                "withdrawnAt": _nullable(_TIME),
            }
        ),
    }
    for item in ("Establishment", "Cohort", "Learner"):
        schemas[f"{item}Page"] = _object(
            {
                "items": {"type": "array", "items": _ref(item)},
                "next": {**_nullable(_TEXT), "description": "The cursor of the next page; null on the last."},
            }
        )
    return schemas


def _problem_types_text() -> str:
    lines = [f"- `{slug}` ({kind.status}): {kind.title}." for slug, kind in PROBLEM_TYPES.items()]
    return "\n".join(lines)


def document() -> dict[str, Any]:
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    scopes = {scope.value: str(SCOPE_DESCRIPTIONS[scope]) for scope in ApiScope}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SkillPath staff API",
            "version": "1.0.0",
            "summary": "Learners' skills, readiness for work, goals and progress, in the prison service's codes.",
            "description": re.sub(
                r"\n{3,}",
                "\n\n",
                "For the prison service's systems and other staff tools. A client is registered by a SkillPath "
                "administrator, bound to establishments (it sees only the learners whose current cohort is in "
                "one of them; anything else is 404) and given scopes. It gets a bearer token from "
                "/api/v1/oauth/token (OAuth 2.0 client credentials) that lasts 15 minutes.\n\n"
                "Lists are in pages (`limit` 1–100, default 50; follow `next` or the Link header). Single resources "
                "have an ETag; changes need it in If-Match (428 without, 412 if stale). Every error is "
                "application/problem+json (RFC 9457); its `type` is a page saying what it means:\n\n"
                + _problem_types_text()
                + "\n\nEnums use the prison service's codes where it has them (work-readiness status, "
                "status-change type, decline reasons, barriers and their states, ID documents, goal and step "
                "states, archive reasons). SkillPath's own: readiness bands, module states, skill levels, "
                "certificate states, establishment kinds. Every call is audited with the client's name.",
            ),
        },
        "servers": [{"url": base}],
        "tags": [
            {"name": name}
            for name in (
                "OAuth",
                "Establishments",
                "Learners",
                "Readiness",
                "Barriers",
                "Goals",
                "Progress",
                "Certificates",
            )
        ],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "clientCredentials": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 client credentials; send the token as Authorization: Bearer <token>.",
                    "flows": {"clientCredentials": {"tokenUrl": f"{base}/api/v1/oauth/token", "scopes": scopes}},
                },
                "clientSecretBasic": {"type": "http", "scheme": "basic", "description": "client_id:client_secret"},
            },
            "schemas": _schemas(),
        },
    }
