"""Whether SkillPath can do its work: what the operators' health check asks."""

from __future__ import annotations

from sqlalchemy import text

from skillpath.extensions import db


def database_is_reachable() -> bool:
    """True if the database answers a trivial query. Any failure means "not healthy", and is rolled back."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return False
    return True
