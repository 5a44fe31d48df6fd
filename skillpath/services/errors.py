"""Domain errors: what a use case raises when it cannot do what was asked.

Each carries a message a person can act on (marked for translation) and, where it concerns one field of a
form, that field's name. Pages show the message (beside the field, or as a banner); the staff API turns the
error into ``application/problem+json`` with the status below. Nothing is saved when one is raised: the
request's transaction rolls back.
"""

from __future__ import annotations


class DomainError(Exception):
    """The base: the action was refused; ``message`` says why and what to do instead."""

    status = 400
    slug = "refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    """There is no such record for this person (also what someone without access is told)."""

    status = 404
    slug = "not-found"


class NotAllowed(DomainError):
    """The record exists for this person, but this action on it is not theirs to take."""

    status = 403
    slug = "not-allowed"


class InvalidInput(DomainError):
    """The request itself is wrong: a value out of range, a choice that is not offered."""

    status = 422
    slug = "invalid-input"


class Conflict(DomainError):
    """The record is not in a state where this can happen (already signed off, already withdrawn...)."""

    status = 409
    slug = "conflict"
