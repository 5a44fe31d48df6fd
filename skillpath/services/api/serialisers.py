"""The JSON shapes of the staff API's resources: camelCase, public UUIDs for ids, codes for every enum.

Codes are the prison service's where it has them (work-readiness status, status-change type, decline reasons,
barriers and their states, ID documents, goal and step states, archive reasons). Where SkillPath has more
(readiness bands, module states, skill levels, certificate states) the codes are its own, upper-case in the
same style, and the OpenAPI document lists them. Labels for people are never sent: a client shows its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from skillpath.models import (
    BarrierChange,
    BarrierItem,
    Certificate,
    Cohort,
    Establishment,
    Goal,
    ReadinessStatusChange,
    RoleLevel,
    SkillLevel,
)
from skillpath.services.api.scoping import PlacedLearner
from skillpath.services.progress.progress import ModuleProgress
from skillpath.services.readiness.readiness import Readiness

Json = dict[str, Any]


def timestamp(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC, to the second: 2026-11-30T08:15:00Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def code(value: Any) -> str | None:
    """An enum's code as sent: its value for the prison service's (already upper case), else its name."""
    if value is None:
        return None
    text = str(getattr(value, "value", value))
    return text if text.isupper() else str(getattr(value, "name", text))


def level(value: SkillLevel | None) -> str | None:
    return value.name if value is not None else None


def establishment(item: Establishment) -> Json:
    return {"id": str(item.public_id), "name": item.name, "code": item.code, "kind": item.kind.name}


def cohort(item: Cohort) -> Json:
    return {
        "id": str(item.public_id),
        "name": item.name,
        "establishmentId": str(item.establishment.public_id),
        "archived": item.archived_at is not None,
    }


def role_level(item: RoleLevel | None) -> Json | None:
    if item is None:
        return None
    return {"id": str(item.public_id), "name": item.name}


def learner(placed: PlacedLearner, *, with_prison_number: bool) -> Json:
    user, profile = placed.learner, placed.learner.learner_profile
    body: Json = {
        "id": str(user.public_id),
        "displayName": user.display_name,
        "preferredName": profile.preferred_name if profile else user.display_name,
        "establishmentId": str(placed.cohort.establishment.public_id),
        "cohortId": str(placed.cohort.public_id),
        "targetRoleLevel": role_level(profile.target_role_level if profile else None),
        "releaseDate": day(profile.release_date if profile else None),
    }
    if with_prison_number:
        body["prisonNumber"] = profile.prison_number if profile else None
    return body


_BANDS = {"NOT_STARTED": "NOT_STARTED", "BUILDING": "BUILDING_SKILLS", "NEARLY_READY": "NEARLY_READY"}


def readiness(placed: PlacedLearner, result: Readiness) -> Json:
    profile = placed.learner.learner_profile
    return {
        "learnerId": str(placed.learner.public_id),
        "targetRoleLevel": role_level(profile.target_role_level if profile else None),
        "score": result.score,
        "band": _BANDS.get(result.band.name, "READY_FOR_WORK"),
        "skillsShare": round(result.skills_share, 4),
        "barriersShare": round(result.barriers_share, 4),
        "skills": [
            {"name": gap.name, "required": level(gap.required), "held": level(gap.held), "met": gap.is_met}
            for gap in result.skills
        ],
        "missing": [
            {
                "kind": item.kind.upper(),
                "name": str(item.name),
                "reason": str(item.reason),
                "points": round(item.points, 2),
            }
            for item in result.missing
        ],
    }


def work_status(placed: PlacedLearner, current: ReadinessStatusChange | None) -> Json:
    return {
        "learnerId": str(placed.learner.public_id),
        "status": code(current.status) if current else "NOT_STARTED",
        "declineReason": code(current.decline_reason) if current else None,
        "changeType": code(current.change_type) if current else None,
        "changedAt": timestamp(current.changed_at) if current else None,
    }


def status_change(change: ReadinessStatusChange) -> Json:
    return {
        "status": code(change.status),
        "changeType": code(change.change_type),
        "declineReason": code(change.decline_reason),
        "changedAt": timestamp(change.changed_at),
        "changedBy": "STAFF" if change.changed_by_id is not None else "CLIENT",
    }


def barrier(item: BarrierItem) -> Json:
    return {
        "code": code(item.barrier),
        "status": code(item.status),
        "alreadyInPlace": bool(item.already_in_place),
        "resolved": bool(item.is_resolved),
        "idDocuments": list(item.id_documents or []),
        "note": item.note,
        "updatedAt": timestamp(item.updated_at) if item.id is not None else None,
    }


def barrier_change(change: BarrierChange) -> Json:
    return {
        "code": code(change.barrier),
        "status": code(change.status),
        "alreadyInPlace": bool(change.already_in_place),
        "changedAt": timestamp(change.changed_at),
    }


def goal(item: Goal) -> Json:
    return {
        "id": str(item.public_id),
        "title": item.title,
        "targetDate": day(item.target_date),
        "status": code(item.status),
        "archiveReason": code(item.archive_reason),
        "archiveReasonOther": getattr(item, "archive_reason_other", None),
        "createdAt": timestamp(item.created_at),
        "steps": [{"position": step.position, "title": step.title, "status": code(step.status)} for step in item.steps],
    }


_MODULE_STATUS = {
    "IN_PROGRESS": "IN_PROGRESS",
    "READY_FOR_SIGN_OFF": "READY_FOR_SIGN_OFF",
    "RETURNED": "RETURNED",
    "SIGNED_OFF": "SIGNED_OFF",
}


def module(state: ModuleProgress) -> Json:
    return {
        "code": state.module.code,
        "title": state.module.title,
        "status": _MODULE_STATUS[state.status.name],
        "unitsDone": state.units_done,
        "unitsTotal": state.units_total,
        "evidenceCount": state.evidence_count,
        "feedback": state.feedback,
        "enrolledAt": timestamp(state.enrolment.enrolled_at),
        "lastActivityAt": timestamp(state.last_activity_at),
    }


def certificate(item: Certificate) -> Json:
    return {
        "code": item.display_code,
        "title": item.achievement_name,
        "kind": item.kind.name,
        "issuedAt": timestamp(item.issued_at),
        "status": "WITHDRAWN" if item.is_revoked else "VALID",
        "withdrawnAt": timestamp(item.revoked_at),
    }
