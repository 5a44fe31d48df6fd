"""What a client may see: its caseload, as a person's need-to-know rule is theirs.

A client is bound to establishments. It sees those establishments and their cohorts, and the learners whose
current cohort is in one of them (not released ones, as staff no longer see them either). Anything else is
None here, which the API answers with 404: the same as for something that does not exist.

Lists are read in pages by internal id (see cursors.py), `limit` at a time, one query a page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import ApiClient, Cohort, CohortMembership, Establishment, LearnerProfile, User, UserRole
from skillpath.models.api import api_client_establishments


@dataclass(frozen=True)
class PlacedLearner:
    """A learner and the cohort they are in now, which places them in the client's caseload."""

    learner: User
    cohort: Cohort

    @property
    def id(self) -> int:
        return int(self.learner.id)


def establishment_ids(client: ApiClient) -> set[int]:
    return set(
        db.session.scalars(
            select(api_client_establishments.c.establishment_id).where(
                api_client_establishments.c.api_client_id == client.id
            )
        )
    )


def list_establishments(client: ApiClient, *, after: int, limit: int) -> list[Establishment]:
    return list(
        db.session.scalars(
            select(Establishment)
            .where(Establishment.id.in_(establishment_ids(client)), Establishment.id > after)
            .order_by(Establishment.id)
            .limit(limit)
        )
    )


def find_establishment(client: ApiClient, public_id: uuid.UUID) -> Establishment | None:
    establishment = db.session.scalar(select(Establishment).where(Establishment.public_id == public_id))
    if establishment is None or establishment.id not in establishment_ids(client):
        return None
    return establishment


def list_cohorts(establishment: Establishment, *, after: int, limit: int) -> list[Cohort]:
    """The cohorts of an establishment the client was given by find_establishment."""
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.establishment_id == establishment.id, Cohort.id > after)
            .order_by(Cohort.id)
            .limit(limit)
            .options(selectinload(Cohort.establishment))
        )
    )


def find_cohort(client: ApiClient, public_id: uuid.UUID) -> Cohort | None:
    cohort = db.session.scalar(
        select(Cohort).where(Cohort.public_id == public_id).options(selectinload(Cohort.establishment))
    )
    if cohort is None or cohort.establishment_id not in establishment_ids(client):
        return None
    return cohort


def _placed(client: ApiClient) -> Select[User, Cohort]:
    return (
        select(User, Cohort)
        .join(CohortMembership, CohortMembership.learner_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(LearnerProfile, LearnerProfile.user_id == User.id)
        .where(
            User.role == UserRole.LEARNER,
            CohortMembership.left_at.is_(None),
            LearnerProfile.released_at.is_(None),
            Cohort.establishment_id.in_(establishment_ids(client)),
        )
        .options(
            selectinload(User.learner_profile).selectinload(LearnerProfile.target_role_level),
            selectinload(Cohort.establishment),
        )
    )


def list_learners(
    client: ApiClient,
    *,
    after: int,
    limit: int,
    establishment: Establishment | None = None,
    cohort: Cohort | None = None,
) -> list[PlacedLearner]:
    """The client's learners, optionally those of one of its establishments or cohorts, by id."""
    query = _placed(client).where(User.id > after)
    if establishment is not None:
        query = query.where(Cohort.establishment_id == establishment.id)
    if cohort is not None:
        query = query.where(Cohort.id == cohort.id)
    rows = db.session.execute(query.order_by(User.id, Cohort.id).limit(limit)).all()
    placed: dict[int, PlacedLearner] = {}
    for learner, in_cohort in rows:  # a learner is in one cohort at a time; the first is kept if ever two
        placed.setdefault(learner.id, PlacedLearner(learner, in_cohort))
    return list(placed.values())


def find_learner(client: ApiClient, public_id: uuid.UUID) -> PlacedLearner | None:
    row = db.session.execute(_placed(client).where(User.public_id == public_id).order_by(Cohort.id).limit(1)).first()
    return PlacedLearner(row[0], row[1]) if row is not None else None
