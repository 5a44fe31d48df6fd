"""Who may do what. Routes and templates both ask this module, so a button is
hidden by the same rule that the route enforces. The rules about records live in
``skillpath.services.access`` (the API and commands use them too); they are offered here as well.

Every view is marked either public or with the roles that may use it; a test
walks the URL map and fails if any endpoint is neither.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user

from skillpath.models import UserRole
from skillpath.services.access import (
    can_administer,
    can_create_learner_in,
    can_manage_learner,
    can_transfer_learner,
    can_transfer_learner_to,
    can_view_cohort,
    can_view_establishment,
    can_view_learner,
    current_cohort_ids_for_learner,
    mentor_cohort_ids,
)

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "_skillpath_access"
PUBLIC = "public"


def public(view: F) -> F:
    """Mark a view as open to anyone, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def roles_required(*roles: UserRole) -> Callable[[F], F]:
    """Only signed-in users with one of these roles; others are sent to sign in, or get a 403."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, allowed)
        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in(view: F) -> F:
    """Any signed-in user, whatever their role."""
    return roles_required(*UserRole)(view)


learner_required = roles_required(UserRole.LEARNER)
mentor_required = roles_required(UserRole.MENTOR)
staff_required = roles_required(UserRole.MENTOR, UserRole.ADMIN)
admin_required = roles_required(UserRole.ADMIN)


__all__ = [
    "ACCESS_ATTRIBUTE",
    "PUBLIC",
    "admin_required",
    "can_administer",
    "can_create_learner_in",
    "can_manage_learner",
    "can_transfer_learner",
    "can_transfer_learner_to",
    "can_view_cohort",
    "can_view_establishment",
    "can_view_learner",
    "current_cohort_ids_for_learner",
    "learner_required",
    "mentor_cohort_ids",
    "mentor_required",
    "public",
    "roles_required",
    "signed_in",
    "staff_required",
]
