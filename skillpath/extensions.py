"""Flask extensions, created here unbound and initialised in create_app()."""

from __future__ import annotations

from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import DeclarativeBase

# The request-side extensions live in skillpath.web (pages import them without touching the database).
from skillpath.web import csrf, limiter, login_manager

# Constraint names are fixed from the first migration so that later batch
# migrations on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# Where create_app keeps the engine public certificate checks read through, on PostgreSQL.
PUBLIC_READS = "skillpath_public_reads"


def public_reads_engine() -> Engine | None:
    """The engine public certificate checks read through: PostgreSQL only; None on SQLite."""
    engine: Engine | None = current_app.extensions.get(PUBLIC_READS)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection of the current app: its own engine's and the public checks'."""
    db.engine.dispose()
    if (engine := public_reads_engine()) is not None:
        engine.dispose()


migrate = Migrate(render_as_batch=True, compare_type=True)

__all__ = [
    "PUBLIC_READS",
    "Base",
    "csrf",
    "db",
    "dispose_engines",
    "limiter",
    "login_manager",
    "migrate",
    "public_reads_engine",
]
