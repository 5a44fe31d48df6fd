"""SkillPath's data model, one module per aggregate. Importing this registers every table."""

from skillpath.models.audit import AuditEvent
from skillpath.models.catalogue import (
    EssentialSkillArea,
    Module,
    ModuleSkill,
    ModuleUnit,
    Role,
    RoleFamily,
    RoleLevel,
    RoleLevelSkill,
    Skill,
    SkillLevel,
)
from skillpath.models.certificates import Certificate, CertificateKind
from skillpath.models.organisations import Cohort, CohortMembership, Establishment, EstablishmentKind
from skillpath.models.plans import (
    Confidence,
    ConfidenceRating,
    EmployabilitySkill,
    Goal,
    GoalStatus,
    GoalStep,
    StepStatus,
)
from skillpath.models.progress import Enrolment, Evidence, ProgressEvent, ProgressKind, SkillAward
from skillpath.models.readiness import (
    Barrier,
    BarrierChange,
    BarrierItem,
    BarrierStatus,
    DeclineReason,
    IdDocument,
    ReadinessStatusChange,
    StatusChangeType,
    WorkReadiness,
)
from skillpath.models.users import LearnerProfile, SessionEndReason, User, UserSession
from skillpath.models.users import Role as UserRole

__all__ = [
    "AuditEvent",
    "Barrier",
    "BarrierChange",
    "BarrierItem",
    "BarrierStatus",
    "Certificate",
    "CertificateKind",
    "Cohort",
    "CohortMembership",
    "Confidence",
    "ConfidenceRating",
    "DeclineReason",
    "EmployabilitySkill",
    "Enrolment",
    "EssentialSkillArea",
    "Establishment",
    "EstablishmentKind",
    "Evidence",
    "Goal",
    "GoalStatus",
    "GoalStep",
    "IdDocument",
    "LearnerProfile",
    "Module",
    "ModuleSkill",
    "ModuleUnit",
    "ProgressEvent",
    "ProgressKind",
    "ReadinessStatusChange",
    "Role",
    "RoleFamily",
    "RoleLevel",
    "RoleLevelSkill",
    "SessionEndReason",
    "Skill",
    "SkillAward",
    "SkillLevel",
    "StatusChangeType",
    "StepStatus",
    "User",
    "UserRole",
    "UserSession",
    "WorkReadiness",
]
