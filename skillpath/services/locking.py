"""Serialising changes to one learner's record, on every database SkillPath runs on.

Many actions check the record and then write to it ("is this part done yet?",
"is there a readiness certificate already?"). Two requests at once — a double
click, two mentors, two tabs — would both pass the check and both write. Every
such action first takes this lock; the second request waits for the first to
commit, then sees what it wrote and does nothing twice.

PostgreSQL: a row lock on the learner's `users` row (SELECT … FOR UPDATE), held
until the transaction ends. SQLite locks the whole database for writing, and a
transaction takes that lock at its first write, so the lock here is a write that
changes nothing. The caller commits, which releases it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from skillpath.extensions import db
from skillpath.models import User


def lock_learner(learner: User | int) -> None:
    """Hold the learner's record until this transaction ends. Call it before reading what you will check."""
    lock_row(User, learner if isinstance(learner, int) else learner.id)


def lock_row(model: type[Any], row_id: int) -> None:
    """Hold one row (a learner, a cohort, an establishment) until this transaction ends."""
    db.session.flush()
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(table.c.id).where(table.c.id == row_id).with_for_update())
    else:
        db.session.execute(update(table).where(table.c.id == row_id).values(id=table.c.id))
    # Objects loaded before the lock may hold what another request has since changed: read them again.
    db.session.expire_all()


@contextmanager
def unique_or(error: Exception) -> Iterator[None]:
    """Add rows inside a savepoint; if a unique constraint refuses them (the same thing added by another
    request a moment ago), undo just that and raise `error`, a message for the person."""
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError:
        raise error from None
